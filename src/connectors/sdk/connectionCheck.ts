// One timed connection check for every connector: an adapter's healthCheck or a definition's
// testConnection runs a probe, and its answer or its error becomes a ConnectionResult.
import type { ConnectionResult } from './connectorDefinition.ts';
import type { ConnectorErrorKind } from './connectorError.ts';

/** What a probe reports when the source answered: a message, or the answer as it was. */
export type ProbeAnswer = string | { message: string; httpStatus?: number; ok?: boolean };

/** What a failed probe reports: a ConnectorError fits, and so does a bare message. */
export interface ConnectionFailure {
  message: string;
  httpStatus?: number | undefined;
  kind?: ConnectorErrorKind | undefined;
}

/**
 * Times `probe` and reports its answer (ok unless the answer says otherwise) or its failure.
 * `failureOf` turns what the probe threw into a failure; by default it is taken as a ConnectorError.
 */
export async function checkConnection(
  probe: () => Promise<ProbeAnswer>,
  failureOf: (error: unknown) => ConnectionFailure = thrownFailure,
): Promise<ConnectionResult> {
  const started = performance.now();
  try {
    const answer = await probe();
    const { message, httpStatus, ok = true } = typeof answer === 'string' ? { message: answer } : answer;
    return {
      ok,
      message,
      latencyMs: Math.round(performance.now() - started),
      ...(httpStatus === undefined ? {} : { httpStatus }),
    };
  } catch (error) {
    const failure = failureOf(error);
    return {
      ok: false,
      message: failure.message,
      latencyMs: Math.round(performance.now() - started),
      ...(failure.httpStatus ? { httpStatus: failure.httpStatus } : {}),
      ...(failure.kind ? { kind: failure.kind } : {}),
    };
  }
}

function thrownFailure(error: unknown): ConnectionFailure {
  return error instanceof Error ? (error as ConnectionFailure) : { message: String(error) };
}
