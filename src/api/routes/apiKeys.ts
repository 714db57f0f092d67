// API tokens: admins create (the token is in that one response only), list and revoke them.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  generateToken,
  insertApiToken,
  listApiTokens,
  revokeApiToken,
  toApiTokenView,
} from '../../access/apiTokens.ts';
import { roles } from '../../access/principal.ts';
import { recordAudit } from '../../audit/recordAudit.ts';
import { withTransaction } from '../../db/pool.ts';
import { notFound } from '../../errors.ts';
import type { HubContext } from '../context.ts';

const tags = ['api-keys'];

export function apiKeyRoutes(app: FastifyInstance, context: HubContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/api/v1/api-keys',
    { config: { role: 'admin' }, schema: { tags, summary: 'List API tokens (never the tokens themselves)' } },
    async () => ({
      items: (await listApiTokens(context.pool)).map(toApiTokenView),
    }),
  );

  routes.post(
    '/api/v1/api-keys',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: 'Create an API token; the response is the only place it is ever shown',
        body: z.strictObject({
          name: z.string().trim().min(1).max(100),
          role: z.enum(roles),
          expiresAt: z.iso.datetime({ offset: true }).optional(),
        }),
      },
    },
    async (request, reply) => {
      const token = generateToken();
      const created = await withTransaction(context.pool, async (tx) => {
        const row = await insertApiToken(tx, {
          name: request.body.name,
          role: request.body.role,
          token,
          createdBy: request.principal.id,
          expiresAt: request.body.expiresAt ? new Date(request.body.expiresAt) : null,
        });
        await recordAudit(tx, request.principal, {
          action: 'api_token.create',
          targetType: 'api_token',
          targetId: row.id,
          changes: { after: { name: row.name, role: row.role, expiresAt: row.expiresAt } },
          traceId: request.id,
        });
        return row;
      });
      reply.header('cache-control', 'no-store');
      return reply.status(201).send({ ...toApiTokenView(created), token });
    },
  );

  routes.delete(
    '/api/v1/api-keys/:id',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: 'Revoke an API token',
        params: z.strictObject({ id: z.uuid('must be a UUID') }),
      },
    },
    async (request, reply) => {
      await withTransaction(context.pool, async (tx) => {
        const revoked = await revokeApiToken(tx, request.params.id);
        if (!revoked) throw notFound('live API token', request.params.id);
        await recordAudit(tx, request.principal, {
          action: 'api_token.revoke',
          targetType: 'api_token',
          targetId: revoked.id,
          changes: { before: { name: revoked.name, role: revoked.role } },
          traceId: request.id,
        });
      });
      return reply.status(204).send();
    },
  );
}
