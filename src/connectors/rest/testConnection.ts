// "Test connection" for the generic REST connector: one authenticated GET of the health path.
import type { OutgoingRequest } from '../sdk/auth/authProvider.ts';
import type { ConnectionResult, ConnectionTestInput } from '../sdk/connectorDefinition.ts';
import { restAuth } from './auth.ts';
import type { RestConfig, RestCredentials } from './config.ts';

export async function testRestConnection({
  config,
  credentials,
  signal,
  network,
}: ConnectionTestInput<RestConfig, RestCredentials>): Promise<ConnectionResult> {
  const url = new URL(`${config.baseUrl.replace(/\/$/, '')}${config.healthCheckPath}`);
  const auth = restAuth(config, credentials);
  const started = performance.now();
  try {
    let response: Response;
    for (let attempt = 0; ; attempt++) {
      const outgoing: OutgoingRequest = {
        method: 'GET',
        url: new URL(url),
        headers: { accept: 'application/json', ...config.headers },
      };
      await auth.apply(outgoing);
      response = await network.fetch(outgoing.url, {
        headers: outgoing.headers,
        signal: AbortSignal.any([signal, AbortSignal.timeout(config.timeoutMs)]),
        redirect: 'manual',
      });
      await response.body?.cancel();
      const retry =
        response.status === 401 &&
        attempt === 0 &&
        (await auth.onUnauthorized?.(
          { status: 401, headers: Object.fromEntries(response.headers) },
          outgoing,
        ));
      if (!retry) break;
    }
    return describe(url, response, Math.round(performance.now() - started));
  } catch (error) {
    const latencyMs = Math.round(performance.now() - started);
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    return { ok: false, message: `${url.host} could not be reached (${cause})`, latencyMs };
  }
}

function describe(url: URL, response: Response, latencyMs: number): ConnectionResult {
  if (response.ok) {
    return {
      ok: true,
      message: `reached ${url.host} (HTTP ${response.status})`,
      latencyMs,
      httpStatus: response.status,
    };
  }
  const reason =
    response.status === 401 || response.status === 403
      ? 'the credentials were refused'
      : `the server answered HTTP ${response.status}`;
  return { ok: false, message: `${url.host}: ${reason}`, latencyMs, httpStatus: response.status };
}
