// Event subscriptions: a CRM module subscribes by event-type pattern to an HTTP endpoint (signed
// per Standard Webhooks), a NATS JetStream subject, or an in-process handler; reads its delivery
// log; replays from a time or an event id; replays its dead letters.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { HubContext } from '../context.ts';

const idParams = z.strictObject({ id: z.uuid('must be a UUID') });
const typePattern = z
  .string()
  .min(1)
  .max(200)
  .regex(/^(\*|[a-z][\w-]*(\.[\w-]+)*(\.\*)?)$/i, 'must be an event type, a prefix ending in ".*", or "*"');
const retrySchedule = z
  .array(
    z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400),
  )
  .min(0)
  .max(20);
/** Events per request to an HTTP subscriber; more than 1: a CloudEvents batch (a JSON array). */
const batchSize = z.number().int('must be a whole number').min(1).max(500);
const createBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  kind: z.enum(['http', 'nats', 'in-process']).default('http'),
  types: z.array(typePattern).min(1).max(50),
  url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).optional(),
  natsSubject: z
    .string()
    .regex(/^[\w-]+(\.[\w-]+)*$/, 'must be a NATS subject such as crm.events')
    .optional(),
  handler: z.string().min(1).max(100).optional(),
  retrySchedule: retrySchedule.optional(),
  disableAfterSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .optional(),
  batchSize: batchSize.optional(),
});
const updateBody = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  types: z.array(typePattern).min(1).max(50).optional(),
  url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).optional(),
  natsSubject: z
    .string()
    .regex(/^[\w-]+(\.[\w-]+)*$/)
    .optional(),
  retrySchedule: retrySchedule.optional(),
  disableAfterSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .optional(),
  batchSize: batchSize.optional(),
  enabled: z.boolean().optional(),
});
const deliveriesQuery = z.strictObject({
  state: z.enum(['pending', 'delivered', 'dead']).optional(),
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const replayBody = z
  .strictObject({
    from: z.iso.datetime({ offset: true }).optional(),
    afterEventId: z.uuid('must be a UUID').optional(),
    deadLetters: z.boolean().optional(),
  })
  .refine((body) => [body.from, body.afterEventId, body.deadLetters].filter(Boolean).length === 1, {
    message: 'give exactly one of from, afterEventId or deadLetters',
    path: ['from'],
  });

export function subscriptionRoutes(app: FastifyInstance, context: HubContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const service = context.events.subscriptions;

  routes.get(
    '/api/v1/subscriptions',
    { config: { role: 'viewer' }, schema: { tags: ['subscriptions'], summary: 'Event subscriptions' } },
    async () => ({ items: await service.list() }),
  );
  routes.post(
    '/api/v1/subscriptions',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['subscriptions'],
        summary: 'Subscribe to events by type pattern; an HTTP subscriber gets its signing secret once',
        body: createBody,
      },
    },
    async (request, reply) => {
      reply.code(201);
      return service.create(request.body, request.principal, request.id);
    },
  );
  routes.get(
    '/api/v1/subscriptions/:id',
    {
      config: { role: 'viewer' },
      schema: { tags: ['subscriptions'], summary: 'One subscription', params: idParams },
    },
    async (request) => service.get(request.params.id),
  );
  routes.patch(
    '/api/v1/subscriptions/:id',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['subscriptions'],
        summary: 'Change a subscription; `enabled: true` re-enables a disabled one',
        params: idParams,
        body: updateBody,
      },
    },
    async (request) => service.update(request.params.id, request.body, request.principal, request.id),
  );
  routes.delete(
    '/api/v1/subscriptions/:id',
    {
      config: { role: 'admin' },
      schema: { tags: ['subscriptions'], summary: 'Delete a subscription', params: idParams },
    },
    async (request, reply) => {
      await service.remove(request.params.id, request.principal, request.id);
      reply.code(204);
    },
  );
  routes.get(
    '/api/v1/subscriptions/:id/deliveries',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['subscriptions'],
        summary: 'The delivery log, newest first',
        params: idParams,
        querystring: deliveriesQuery,
      },
    },
    async (request) => service.deliveries(request.params.id, request.query),
  );
  routes.post(
    '/api/v1/subscriptions/:id/replay',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['subscriptions'],
        summary: 'Deliver again from a time or after an event id, or replay the dead letters',
        params: idParams,
        body: replayBody,
      },
    },
    async (request, reply) => {
      reply.code(202);
      const { from, afterEventId, deadLetters } = request.body;
      return service.replay(
        request.params.id,
        { time: from, afterEventId, deadLetters },
        request.principal,
        request.id,
      );
    },
  );
}
