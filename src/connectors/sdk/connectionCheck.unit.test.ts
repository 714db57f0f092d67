import { describe, expect, it } from 'vitest';
import { checkConnection } from './connectionCheck.ts';
import { ConnectorError, toConnectorError } from './connectorError.ts';

describe('checkConnection', () => {
  it('reports a probe that answered with its message, latency and status', async () => {
    const result = await checkConnection(async () => ({ message: 'reached api.example', httpStatus: 204 }));
    expect(result).toMatchObject({ ok: true, message: 'reached api.example', httpStatus: 204 });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(result).not.toHaveProperty('kind');
  });

  it('takes a bare message as success without a status', async () => {
    const result = await checkConnection(async () => 'answered');
    expect(result).toMatchObject({ ok: true, message: 'answered' });
    expect(result).not.toHaveProperty('httpStatus');
  });

  it('keeps an answer the probe itself calls not ok', async () => {
    const result = await checkConnection(async () => ({ ok: false, message: 'HTTP 401', httpStatus: 401 }));
    expect(result).toMatchObject({ ok: false, message: 'HTTP 401', httpStatus: 401 });
  });

  it('reports a ConnectorError with its message, status and kind', async () => {
    const result = await checkConnection(async () => {
      throw new ConnectorError('auth', 'GET /me: HTTP 401', { httpStatus: 401 });
    });
    expect(result).toMatchObject({ ok: false, message: 'GET /me: HTTP 401', httpStatus: 401, kind: 'auth' });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('reports a plain Error by its message', async () => {
    const result = await checkConnection(async () => {
      throw new Error('socket hang up');
    });
    expect(result).toMatchObject({ ok: false, message: 'socket hang up' });
    expect(result).not.toHaveProperty('httpStatus');
    expect(result).not.toHaveProperty('kind');
  });

  it('maps what was thrown with the given mapper', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const result = await checkConnection(
      async () => {
        throw reset;
      },
      (error) => toConnectorError(error, 'SOAP'),
    );
    expect(result).toMatchObject({
      ok: false,
      message: 'SOAP: connection failed (ECONNRESET)',
      kind: 'transient',
    });
  });
});
