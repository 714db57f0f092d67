// Optimistic concurrency: the ETag of an integration is its version; changes must send it back.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HubError } from '../errors.ts';

export const setEtag = (reply: FastifyReply, version: number) => reply.header('etag', `"${version}"`);

export function requiredVersion(request: FastifyRequest): number | '*' {
  const header = request.headers['if-match'];
  if (header === undefined) {
    throw new HubError(
      'precondition',
      'IF_MATCH_REQUIRED',
      'If-Match: send the ETag you read, so a concurrent change is not overwritten',
      {
        status: 428,
        fields: [{ field: 'If-Match', message: 'is required' }],
      },
    );
  }
  if (header.trim() === '*') return '*';
  const match = /^(?:W\/)?"(\d+)"$/.exec(header.trim());
  if (!match?.[1]) {
    throw new HubError('validation', 'VALIDATION_FAILED', 'If-Match: must be an ETag such as "3"', {
      fields: [{ field: 'If-Match', message: 'must be an ETag such as "3"' }],
    });
  }
  return Number.parseInt(match[1], 10);
}
