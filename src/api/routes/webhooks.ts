// Inbound webhooks: the public receiving route (no bearer token: the signature is the proof),
// and the API to see stored webhooks, replay dead letters and open push channels at sources.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HubError } from '../../errors.ts';
import { tooManyFailures } from '../authentication.ts';
import type { HubContext } from '../context.ts';

/** Webhook bodies above this size are refused with 413 before they are read to the end. */
export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

const idParams = z.strictObject({ id: z.uuid('must be a UUID') });
const integrationParams = z.strictObject({ integrationId: z.uuid('must be a UUID') });
const webhookParams = z.strictObject({ webhookId: z.uuid('must be a UUID') });
const listQuery = z.strictObject({
  state: z.enum(['received', 'processed', 'failed', 'dead']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().max(100).optional(),
});

export function webhookRoutes(app: FastifyInstance, context: HubContext): void {
  // The receiving route reads every body as raw bytes: signatures are computed over them.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT_BYTES },
      (_request, body, done) => done(null, body),
    );
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/webhooks/:integrationId',
      {
        bodyLimit: WEBHOOK_BODY_LIMIT_BYTES,
        schema: {
          tags: ['webhooks'],
          summary: "Receive a webhook for an integration, verified with its connector's signature scheme",
          params: integrationParams,
        },
      },
      async (request, reply) => {
        const headers: Record<string, string | undefined> = {};
        for (const [name, value] of Object.entries(request.headers)) {
          headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        const { integrationId } = request.params;
        const { receiver } = context.webhooks;
        // An address past its limit of refused attempts still has its webhooks verified where the
        // verifier is in memory (a valid one is never refused); only lookups of integrations
        // this process has not seen are spared.
        const blockedFor = await context.failedAttempts.blockedFor(request.ip);
        if (blockedFor !== undefined && !receiver.hasVerifier(integrationId))
          throw tooManyFailures(blockedFor);
        let received: Awaited<ReturnType<typeof receiver.receive>>;
        try {
          received = await receiver.receive(
            integrationId,
            {
              headers,
              query: request.query as Record<string, string | undefined>,
              body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
              receivedAt: new Date(),
            },
            request.id,
            { quiet: blockedFor !== undefined },
          );
        } catch (error) {
          if (error instanceof HubError && (error.status === 401 || error.status === 404)) {
            await context.failedAttempts.failed(request.ip);
            if (blockedFor !== undefined) throw tooManyFailures(blockedFor);
          }
          throw error;
        }
        reply.code(received.reply.status);
        if (received.reply.contentType) reply.type(received.reply.contentType);
        return received.reply.body ?? '';
      },
    );
  });

  const routes = app.withTypeProvider<ZodTypeProvider>();
  routes.get(
    '/api/v1/integrations/:id/webhooks',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['webhooks'],
        summary: 'Webhooks received for an integration, newest first, with their processing state',
        params: idParams,
        querystring: listQuery,
      },
    },
    async (request) => {
      const { state, limit, before } = request.query;
      const [receivedAt, id] = before ? before.split('|') : [];
      return context.webhooks.service.list({
        integrationId: request.params.id,
        state,
        limit,
        before: receivedAt && id ? { receivedAt, id } : undefined,
      });
    },
  );
  routes.post(
    '/api/v1/integrations/:id/webhooks/replay',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['webhooks'],
        summary: 'Replay every dead-lettered webhook of an integration',
        params: idParams,
      },
    },
    async (request) => context.webhooks.service.replayDead(request.params.id, request.principal, request.id),
  );
  routes.get(
    '/api/v1/webhooks/:webhookId',
    {
      config: { role: 'viewer' },
      schema: { tags: ['webhooks'], summary: 'One received webhook', params: webhookParams },
    },
    async (request) => context.webhooks.service.get(request.params.webhookId),
  );
  routes.post(
    '/api/v1/webhooks/:webhookId/replay',
    {
      config: { role: 'operator' },
      schema: { tags: ['webhooks'], summary: 'Process a received webhook again', params: webhookParams },
    },
    async (request, reply) => {
      reply.code(202);
      return context.webhooks.service.replay(request.params.webhookId, request.principal, request.id);
    },
  );
  routes.get(
    '/api/v1/integrations/:id/push-channels',
    {
      config: { role: 'viewer' },
      schema: { tags: ['webhooks'], summary: 'Push channels opened at the source', params: idParams },
    },
    async (request) => ({ items: await context.webhooks.service.pushChannels(request.params.id) }),
  );
  routes.post(
    '/api/v1/integrations/:id/push-channels',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['webhooks'],
        summary: 'Ask the source to push its changes to this hub (a watch channel, a subscription)',
        params: idParams,
      },
    },
    async (request, reply) => {
      const channel = await context.webhooks.service.openPushChannel(
        request.params.id,
        request.principal,
        request.id,
        AbortSignal.timeout(30_000),
      );
      reply.code(201);
      return channel;
    },
  );
}
