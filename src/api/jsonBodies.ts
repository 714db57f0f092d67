// How JSON bodies are read: fastify's parser (which refuses __proto__ and constructor keys), for
// application/json and application/merge-patch+json alike, behind a check of how deeply the body
// nests. Merging, validating, walking and storing a value are all recursive; a body nested
// thousands deep would overflow the stack in one of them, so it is refused first with a 400.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HubError } from '../errors.ts';

/** Deeper than any configuration, mapping, record or JSON Schema the hub is given. */
export const MAX_JSON_DEPTH = 100;

export function registerJsonParsers(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  const guarded = (
    request: FastifyRequest,
    body: string | Buffer,
    done: (error: Error | null, value?: unknown) => void,
  ) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (nestingDepth(text) > MAX_JSON_DEPTH) {
      done(
        new HubError('validation', 'BODY_TOO_DEEP', `body: nested deeper than ${MAX_JSON_DEPTH} levels`, {
          fields: [{ field: 'body', message: `is nested deeper than ${MAX_JSON_DEPTH} levels` }],
        }),
      );
      return;
    }
    parse(request, text, done);
  };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, guarded);
  app.addContentTypeParser('application/merge-patch+json', { parseAs: 'string' }, guarded);
}

/** The deepest nesting of arrays and objects in JSON text, strings skipped; stops counting past the limit. */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c) i++;
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x7b || char === 0x5b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > MAX_JSON_DEPTH) return deepest;
      }
    } else if (char === 0x7d || char === 0x5d) depth--;
  }
  return deepest;
}
