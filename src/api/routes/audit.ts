// The audit log, newest first, paged by `before` and filtered by action, actor, target and time.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listAudit } from '../../audit/listAudit.ts';
import type { HubContext } from '../context.ts';

const auditQuery = z.strictObject({
  action: z.string().min(1).max(100).optional(),
  actorId: z.string().min(1).max(200).optional(),
  targetType: z.string().min(1).max(100).optional(),
  targetId: z.string().min(1).max(200).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function auditRoutes(app: FastifyInstance, context: HubContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/audit',
    {
      config: { role: 'admin' },
      schema: { tags: ['audit'], summary: 'The audit log', querystring: auditQuery },
    },
    async (request) => {
      const { since, until, ...rest } = request.query;
      return listAudit(context.pool, {
        ...rest,
        since: since ? new Date(since) : undefined,
        until: until ? new Date(until) : undefined,
      });
    },
  );
}
