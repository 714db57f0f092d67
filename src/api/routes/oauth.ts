// Connecting OAuth2 integrations: the start URL a person opens, and the callback the provider
// sends the browser back to. The callback carries no hub token (the browser comes from the
// provider); the single-use state is what ties it to the person who started it.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HubError } from '../../errors.ts';
import { callbackPath, completeAuthorization, startAuthorization } from '../../oauth/oauthConnect.ts';
import { tooManyFailures } from '../authentication.ts';
import type { HubContext } from '../context.ts';

const idParams = z.strictObject({ id: z.uuid('must be a UUID') });
const startBody = z
  .strictObject({
    /** A path of the dashboard to return to; only paths of this hub, never another site. */
    returnTo: z
      .string()
      .max(500)
      .regex(/^\/(?!\/)[^\s\\]*$/, 'must be a path on this hub, starting with a single /')
      .optional(),
  })
  .default({});

export function oauthRoutes(app: FastifyInstance, context: HubContext): void {
  const deps = {
    pool: context.pool,
    vault: context.vault,
    catalog: context.catalog,
    publicUrl: context.config.publicUrl,
    fetch: context.network.fetch,
  };
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.post(
    '/api/v1/integrations/:id/oauth/authorize',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['oauth'],
        summary: 'Start connecting (or reconnecting) an OAuth2 integration: the URL to open in a browser',
        params: idParams,
        body: startBody,
      },
    },
    async (request) => startAuthorization(deps, request.params.id, request.principal, request.body.returnTo),
  );

  routes.get(
    callbackPath,
    {
      schema: {
        tags: ['oauth'],
        summary: 'Where the OAuth provider sends the browser back with a code',
        querystring: z.record(z.string(), z.string()),
      },
    },
    async (request, reply) => {
      const query = new URLSearchParams(request.query);
      try {
        // Guessing states costs a lookup each: an address past its limit of refused attempts waits.
        const blockedFor = await context.failedAttempts.blockedFor(request.ip);
        if (blockedFor !== undefined) throw tooManyFailures(blockedFor);
        const done = await completeAuthorization(deps, query, request.id).catch(async (error: unknown) => {
          if (error instanceof HubError && error.code === 'UNKNOWN_STATE')
            await context.failedAttempts.failed(request.ip);
          throw error;
        });
        context.runtime.forget(done.integrationId);
        const target = done.returnTo ?? `/?connected=${done.integrationId}`;
        return reply.status(303).header('location', target).send();
      } catch (error) {
        if (!(error instanceof HubError)) throw error;
        const status = error.status;
        // A person's browser lands here: a page to read, with the same problem for programs.
        if (String(request.headers.accept ?? '').includes('text/html')) {
          return reply
            .status(status)
            .type('text/html; charset=utf-8')
            .send(
              `<!doctype html><html lang="de"><meta charset="utf-8"><title>Verbindung fehlgeschlagen</title>` +
                `<main><h1>Verbindung fehlgeschlagen</h1><p>${escapeHtml(error.message)}</p>` +
                `<p><a href="/">Zurück zum Integration Hub</a></p></main></html>`,
            );
        }
        throw error;
      }
    },
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
