// CRM modules publish their events through the hub: validated against the type's schema in the
// registry, then written to the outbox like every other event.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { eventTypeName } from '../../events/schemas/eventTypeName.ts';
import { publishEvent } from '../../events/schemas/publishEvent.ts';
import type { HubContext } from '../context.ts';

const publication = z.strictObject({
  type: eventTypeName,
  source: z.string().min(1).max(500).regex(/^\S+$/, 'must be a URI reference without spaces').optional(),
  subject: z.string().min(1).max(500).optional(),
  data: z.unknown().refine((data) => data !== undefined, 'is required'),
  dataschemaVersion: z.number().int().min(1).optional(),
});

export function publishEventRoutes(app: FastifyInstance, context: HubContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/v1/events',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['events'],
        summary:
          'Publish an event (CloudEvents 1.0): data is validated against the type’s schema, the latest version unless dataschemaVersion names one',
        body: publication,
      },
    },
    async (request, reply) => {
      const event = await publishEvent(
        { pool: context.pool, schemas: context.schemas },
        request.body,
        request.principal,
        request.id,
      );
      return reply.status(201).send(event);
    },
  );
}
