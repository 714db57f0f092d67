// NUL characters (U+0000) are refused in every path parameter, query string and JSON body before a
// route sees them: PostgreSQL stores them neither in text nor in jsonb, so they would otherwise
// fail deep inside a write instead of as a 400 naming the field.
import type { FastifyInstance } from 'fastify';
import { HubError } from '../errors.ts';

const MAX_DEPTH = 64;

export function refuseNulCharacters(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    // Inbound webhooks are raw bytes, stored as they came; signatures are computed over them.
    if (Buffer.isBuffer(request.body)) return;
    const found =
      fieldWithNul(request.params, 'path') ??
      fieldWithNul(request.query, 'query') ??
      fieldWithNul(request.body, '');
    if (found !== undefined) {
      throw new HubError('validation', 'NUL_CHARACTER', `${found}: contains a NUL character (U+0000)`, {
        fields: [{ field: found, message: 'contains a NUL character (U+0000), which cannot be stored' }],
      });
    }
  });
}

/** The first field (dotted path) whose key or string value holds a NUL, or undefined. */
export function fieldWithNul(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path || 'body' : undefined;
  if (!value || typeof value !== 'object' || depth > MAX_DEPTH) return undefined;
  const entries = Array.isArray(value)
    ? value.map((item, index) => [String(index), item] as const)
    : Object.entries(value);
  for (const [key, item] of entries) {
    const field = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return field;
    const found = fieldWithNul(item, field, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
