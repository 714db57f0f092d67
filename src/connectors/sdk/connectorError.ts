// The one error taxonomy of every connector. The kind decides what happens next:
// transient and rate_limited are retried (and heal by themselves), auth and config need a person
// (or a token refresh), permanent fails the request without retry.
import { HubError } from '../../errors.ts';
import { addressRefusal } from '../../network/outboundNetwork.ts';

export const connectorErrorKinds = ['auth', 'rate_limited', 'transient', 'permanent', 'config'] as const;
export type ConnectorErrorKind = (typeof connectorErrorKinds)[number];

export interface ConnectorErrorDetails {
  httpStatus?: number | undefined;
  /** How long the source asked us to wait (Retry-After, rate-limit reset). */
  retryAfterMs?: number | undefined;
  /** The daily quota is spent: nothing will succeed before this moment. */
  quotaResetsAt?: Date | undefined;
  cause?: unknown;
}

export class ConnectorError extends Error {
  override name = 'ConnectorError';
  readonly kind: ConnectorErrorKind;
  readonly httpStatus: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly quotaResetsAt: Date | undefined;

  constructor(kind: ConnectorErrorKind, message: string, details: ConnectorErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.httpStatus = details.httpStatus;
    this.retryAfterMs = details.retryAfterMs;
    this.quotaResetsAt = details.quotaResetsAt;
  }

  get retryable(): boolean {
    return this.kind === 'transient' || this.kind === 'rate_limited';
  }

  /** Whether the integration can heal without a person once the source is back. */
  get healsItself(): boolean {
    return this.retryable;
  }
}

/** What an HTTP status means for the taxonomy. */
export function kindOfHttpStatus(status: number): ConnectorErrorKind | undefined {
  if (status < 400) return undefined;
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limited';
  if (status === 408 || status === 425 || status >= 500) return 'transient';
  return 'permanent';
}

const transientNetworkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** Turns anything thrown while talking to a source into a ConnectorError. */
export function toConnectorError(error: unknown, what: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  // The address policy refused the connection: a person has to change the URL (or the policy).
  const refused = addressRefusal(error);
  if (refused) return new ConnectorError('config', `${what}: ${refused.message}`, { cause: error });
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  const name = (error as Error).name;
  if (name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new ConnectorError('transient', `${what}: timed out`, { cause: error });
  }
  if (code === 'ENOTFOUND') {
    return new ConnectorError('config', `${what}: host not found`, { cause: error });
  }
  if (code && transientNetworkCodes.has(code)) {
    return new ConnectorError('transient', `${what}: connection failed (${code})`, { cause: error });
  }
  if (error instanceof SyntaxError) {
    return new ConnectorError('transient', `${what}: the source sent malformed JSON`, { cause: error });
  }
  if (error instanceof HubError) {
    const kind = (['auth', 'rate_limited', 'transient', 'permanent', 'config'] as const).find(
      (candidate) => candidate === error.kind,
    );
    return new ConnectorError(kind ?? 'permanent', error.message, { cause: error });
  }
  return new ConnectorError('transient', `${what}: ${(error as Error).message ?? String(error)}`, {
    cause: error,
  });
}

/** A connector failure as the API shows it (proxy, test routes). */
export function toHubError(error: ConnectorError): HubError {
  const status =
    error.kind === 'rate_limited'
      ? 429
      : error.kind === 'auth'
        ? 502
        : error.kind === 'transient'
          ? 503
          : error.kind === 'config'
            ? 422
            : 502;
  return new HubError(error.kind, `SOURCE_${error.kind.toUpperCase()}`, error.message, {
    status,
    retryAfterSeconds: error.retryAfterMs === undefined ? undefined : Math.ceil(error.retryAfterMs / 1000),
  });
}
