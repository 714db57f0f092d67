// Reading the outbox: the events the hub has written, in the relay's delivery order.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listEvents } from '../../events/outbox.ts';
import { sequenceEvents } from '../../events/relay/sequencer.ts';
import type { HubContext } from '../context.ts';

const eventsQuery = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  integrationId: z.uuid('must be a UUID').optional(),
  type: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export function eventRoutes(app: FastifyInstance, context: HubContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/events',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['events'],
        summary: 'Events (CloudEvents 1.0) after a position; `type` matches a prefix such as "customer."',
        querystring: eventsQuery,
      },
    },
    async (request) => {
      const { after, integrationId, type, limit } = request.query;
      // Numbers what was committed since the relay's last pass, so a reader is never behind.
      await sequenceEvents(context.pool);
      const items = await listEvents(context.pool, {
        afterPosition: after,
        integrationId,
        typePrefix: type,
        limit,
      });
      return { items, nextAfter: items.at(-1)?.position ?? after };
    },
  );
}
