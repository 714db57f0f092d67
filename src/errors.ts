// One error family for the whole hub. `kind` is the taxonomy that drives retries and status
// codes; `code` is stable and documented; the API turns every HubError into problem+json.

export type ErrorKind =
  | 'validation'
  | 'not_found'
  | 'conflict'
  | 'precondition'
  | 'unauthorized'
  | 'forbidden'
  | 'rate_limited'
  | 'auth'
  | 'transient'
  | 'permanent'
  | 'config';

export interface FieldProblem {
  field: string;
  message: string;
}

const statusByKind: Record<ErrorKind, number> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition: 412,
  rate_limited: 429,
  auth: 502,
  transient: 503,
  permanent: 500,
  config: 422,
};

export interface HubErrorOptions {
  status?: number;
  fields?: FieldProblem[];
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class HubError extends Error {
  override name = 'HubError';
  readonly kind: ErrorKind;
  readonly code: string;
  readonly status: number;
  readonly fields: FieldProblem[];
  readonly retryAfterSeconds: number | undefined;

  constructor(kind: ErrorKind, code: string, message: string, options: HubErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.code = code;
    this.status = options.status ?? statusByKind[kind];
    this.fields = options.fields ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const notFound = (what: string, id: string) =>
  new HubError('not_found', 'NOT_FOUND', `${what} ${id} does not exist`);

export const invalidField = (field: string, message: string) =>
  new HubError('validation', 'VALIDATION_FAILED', `${field}: ${message}`, { fields: [{ field, message }] });
