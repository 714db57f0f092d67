// The integrations resource: the registry of CONTRACT.md.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HubError } from '../../errors.ts';
import {
  createIntegrationSchema,
  integrationStatuses,
  integrationViewSchema,
  updateIntegrationSchema,
} from '../../registry/integrationSchema.ts';
import { toIntegrationView } from '../../registry/integrationView.ts';
import type { HubContext } from '../context.ts';
import { requiredVersion, setEtag } from '../ifMatch.ts';

const idParams = z.strictObject({ id: z.uuid('must be a UUID') });
const tags = ['integrations'];

const listQuery = z.strictObject({
  status: z.enum(integrationStatuses).optional(),
  connector: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().optional(),
});

export function integrationRoutes(app: FastifyInstance, context: HubContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const service = context.integrations;

  routes.post(
    '/api/v1/integrations',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: 'Register an integration',
        body: createIntegrationSchema,
        response: { 201: integrationViewSchema },
      },
    },
    async (request, reply) => {
      const created = await service.create(request.body, { actor: request.principal, traceId: request.id });
      setEtag(reply, created.version).header('location', `/api/v1/integrations/${created.id}`);
      return reply.status(201).send(toIntegrationView(created, request.principal));
    },
  );

  routes.get(
    '/api/v1/integrations',
    {
      config: { role: 'viewer' },
      schema: {
        tags,
        summary: 'List integrations, filtered by status or connector',
        querystring: listQuery,
        response: {
          200: z.object({ items: z.array(integrationViewSchema), nextCursor: z.string().nullable() }),
        },
      },
    },
    async (request) => {
      const { limit, cursor, status, connector } = request.query;
      const rows = await service.list({ status, connector, after: decodeCursor(cursor), limit: limit + 1 });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((row) => toIntegrationView(row, request.principal)),
        nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
      };
    },
  );

  routes.get(
    '/api/v1/integrations/:id',
    {
      config: { role: 'viewer' },
      schema: {
        tags,
        summary: 'Read an integration',
        params: idParams,
        response: { 200: integrationViewSchema },
      },
    },
    async (request, reply) => {
      const found = await service.get(request.params.id);
      setEtag(reply, found.version);
      return toIntegrationView(found, request.principal);
    },
  );

  routes.patch(
    '/api/v1/integrations/:id',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: 'Change an integration (JSON merge patch; If-Match required)',
        params: idParams,
        body: updateIntegrationSchema,
        response: { 200: integrationViewSchema },
      },
    },
    async (request, reply) => {
      const version = requiredVersion(request);
      const updated = await service.update(request.params.id, version, request.body, {
        actor: request.principal,
        traceId: request.id,
      });
      // New settings: the next call builds fresh connections, limiter and circuit breaker.
      context.runtime.forget(updated.id);
      setEtag(reply, updated.version);
      return toIntegrationView(updated, request.principal);
    },
  );

  routes.delete(
    '/api/v1/integrations/:id',
    { config: { role: 'admin' }, schema: { tags, summary: 'Delete an integration', params: idParams } },
    async (request, reply) => {
      const version = request.headers['if-match'] === undefined ? '*' : requiredVersion(request);
      await service.remove(request.params.id, version, { actor: request.principal, traceId: request.id });
      context.runtime.forget(request.params.id);
      return reply.status(204).send();
    },
  );

  routes.post(
    '/api/v1/integrations/:id/test',
    {
      config: { role: 'operator' },
      schema: {
        tags,
        summary: 'Test the connection with the stored settings; saves nothing',
        params: idParams,
        response: {
          200: z.object({
            ok: z.boolean(),
            message: z.string(),
            latencyMs: z.number(),
            httpStatus: z.number().optional(),
          }),
        },
      },
    },
    async (request, reply) => {
      // The client hanging up ends the test; a response that was sent is not a hang-up.
      const abort = new AbortController();
      reply.raw.once('close', () => reply.raw.writableFinished || abort.abort());
      return service.testConnection(request.params.id, abort.signal);
    },
  );
}

function encodeCursor(row: { name: string; id: string }): string {
  return Buffer.from(JSON.stringify([row.name, row.id])).toString('base64url');
}

function decodeCursor(cursor: string | undefined): { name: string; id: string } | undefined {
  if (!cursor) return undefined;
  try {
    const [name, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof name === 'string' && typeof id === 'string' && z.uuid().safeParse(id).success)
      return { name, id };
  } catch {}
  throw new HubError('validation', 'VALIDATION_FAILED', 'cursor: not a cursor this hub handed out', {
    fields: [{ field: 'querystring.cursor', message: 'is not valid' }],
  });
}
