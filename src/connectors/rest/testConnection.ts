// "Test connection" for the generic REST connector: one authenticated GET of the health path.
import type { ConnectionResult, ConnectionTestInput } from '../sdk/connectorDefinition.ts';
import type { RestConfig, RestCredentials } from './config.ts';

export function restAuthHeaders(config: RestConfig, credentials: RestCredentials): Record<string, string> {
  switch (config.auth.kind) {
    case 'apiKey':
      return { [config.auth.headerName]: credentials.apiKey ?? '' };
    case 'bearer':
      return { authorization: `Bearer ${credentials.token ?? ''}` };
    case 'basic':
      return {
        authorization: `Basic ${Buffer.from(`${credentials.username ?? ''}:${credentials.password ?? ''}`).toString('base64')}`,
      };
    case 'none':
      return {};
  }
}

export async function testRestConnection({
  config,
  credentials,
  signal,
}: ConnectionTestInput<RestConfig, RestCredentials>): Promise<ConnectionResult> {
  const url = new URL(`${config.baseUrl.replace(/\/$/, '')}${config.healthCheckPath}`);
  const started = performance.now();
  try {
    const response = await fetch(url, {
      headers: { accept: 'application/json', ...config.headers, ...restAuthHeaders(config, credentials) },
      signal: AbortSignal.any([signal, AbortSignal.timeout(config.timeoutMs)]),
      redirect: 'manual',
    });
    await response.body?.cancel();
    const latencyMs = Math.round(performance.now() - started);
    if (response.ok)
      return {
        ok: true,
        message: `reached ${url.host} (HTTP ${response.status})`,
        latencyMs,
        httpStatus: response.status,
      };
    const reason =
      response.status === 401 || response.status === 403
        ? 'the credentials were refused'
        : `the server answered HTTP ${response.status}`;
    return { ok: false, message: `${url.host}: ${reason}`, latencyMs, httpStatus: response.status };
  } catch (error) {
    const latencyMs = Math.round(performance.now() - started);
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    return { ok: false, message: `${url.host} could not be reached (${cause})`, latencyMs };
  }
}
