// Every error a client sees, as RFC 9457 problem+json: type, title, status, detail, traceId,
// plus the stable code and the fields at fault. Never a stack trace, never a secret.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { type FieldProblem, HubError } from '../errors.ts';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  traceId: string;
  errors?: FieldProblem[];
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function sendProblem(reply: FastifyReply, error: HubError): FastifyReply {
  const problem: Problem = {
    type: `urn:integration-hub:problem:${error.code.toLowerCase().replaceAll('_', '-')}`,
    title: titles[error.status] ?? 'Error',
    status: error.status,
    detail: error.message,
    code: error.code,
    traceId: String(reply.request.id),
  };
  if (error.fields.length > 0) problem.errors = error.fields;
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  if (error.status === 401) reply.header('www-authenticate', 'Bearer realm="integration-hub"');
  return reply.status(error.status).type('application/problem+json').send(problem);
}

/** Translates whatever was thrown (ours, fastify's, a validation failure) into a HubError. */
export function toHubError(error: unknown, request: FastifyRequest): HubError {
  if (error instanceof HubError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as { validationContext?: string }).validationContext ?? 'body';
    const fields = error.validation.flatMap((issue) => validationFields(where, issue));
    const detail = fields.map((field) => `${field.field}: ${field.message}`).join('; ');
    return new HubError('validation', 'VALIDATION_FAILED', detail, { fields });
  }
  const fastifyError = error as FastifyError;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HubError('validation', 'BODY_TOO_LARGE', 'body: larger than this hub accepts', {
        status: 413,
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HubError(
        'validation',
        'UNSUPPORTED_MEDIA_TYPE',
        `content-type: ${request.headers['content-type'] ?? 'none'} is not accepted; send application/json`,
        { status: 415 },
      );
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HubError('validation', 'MALFORMED_JSON', 'body: not valid JSON', {
        fields: [{ field: 'body', message: 'is not valid JSON' }],
      });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HubError('validation', 'MALFORMED_JSON', 'body: empty, but content-type says JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HubError('validation', 'MALFORMED_BODY', 'body: its length does not match Content-Length');
  }
  const databaseCode = (error as { code?: unknown }).code;
  if (
    typeof databaseCode === 'string' &&
    (/^22[0-9A-Z]{3}$/.test(databaseCode) || databaseCode === '54001')
  ) {
    // PostgreSQL refused a value (data exception, or nesting past its stack depth): it came from the request.
    return new HubError(
      'validation',
      'VALUE_NOT_STORABLE',
      'body: a value cannot be stored (too deep, or characters PostgreSQL refuses)',
      {
        status: 400,
        cause: error,
      },
    );
  }
  if (fastifyError.statusCode === 400 && error instanceof SyntaxError) {
    return new HubError('validation', 'MALFORMED_JSON', `body: not valid JSON (${error.message})`);
  }
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode < 500) {
    return new HubError('validation', fastifyError.code ?? 'BAD_REQUEST', fastifyError.message, {
      status: fastifyError.statusCode,
    });
  }
  return new HubError(
    'permanent',
    'INTERNAL',
    'the hub failed to handle this request; the traceId finds it in the log',
    {
      cause: error,
    },
  );
}

function validationFields(
  where: string,
  issue: { instancePath: string; message?: string; keyword: string; params: Record<string, unknown> },
): FieldProblem[] {
  const path = issue.instancePath.split('/').filter(Boolean);
  const prefix = where === 'body' ? path : [where, ...path];
  if (issue.keyword === 'unrecognized_keys' && Array.isArray(issue.params.keys)) {
    return issue.params.keys.map((key) => ({
      field: [...prefix, String(key)].join('.'),
      message: 'is not a known field',
    }));
  }
  return [{ field: prefix.join('.') || where, message: issue.message ?? 'is not valid' }];
}
