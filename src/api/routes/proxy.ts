// The outbound proxy: a CRM module calls the external system through the hub, which applies the
// integration's auth, rate limit, retries, circuit breaker and request logging. The caller never
// sees the credentials, not even when the source answers with them.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ConnectorError, toConnectorError, toHubError } from '../../connectors/sdk/connectorError.ts';
import { HubError, notFound } from '../../errors.ts';
import { findIntegration } from '../../registry/integrationsTable.ts';
import type { HubContext } from '../context.ts';

const forwardedRequestHeaders = [
  'accept',
  'content-type',
  'if-match',
  'if-none-match',
  'prefer',
  'idempotency-key',
];
const returnedResponseHeaders = [
  'content-type',
  'etag',
  'last-modified',
  'location',
  'link',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
];
const params = z.strictObject({ id: z.uuid('must be a UUID'), '*': z.string() });

export function proxyRoutes(app: FastifyInstance, context: HubContext): void {
  app.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/api/v1/proxy/:id/*',
    config: { role: 'operator' },
    schema: {
      tags: ['proxy'],
      summary: "Call the external system through the hub, with the integration's auth applied",
    },
    handler: async (request, reply) => {
      const parsed = params.safeParse(request.params);
      if (!parsed.success) {
        throw new HubError('validation', 'INVALID_ID', 'params.id: must be a UUID', {
          fields: [{ field: 'params.id', message: 'must be a UUID' }],
        });
      }
      const integration = await findIntegration(context.pool, parsed.data.id);
      if (!integration) throw notFound('integration', parsed.data.id);
      if (integration.status === 'inactive') {
        throw new HubError('conflict', 'INTEGRATION_PAUSED', `integration ${integration.id} is paused`);
      }
      const live = await context.runtime.adapterFor(integration, { traceId: request.id, maxWaitMs: 5_000 });
      const http = live.adapter.http;
      if (!http) {
        throw new HubError(
          'validation',
          'NOT_HTTP',
          `connector ${integration.connector} does not speak HTTP`,
          {
            status: 400,
          },
        );
      }
      const headers: Record<string, string> = {};
      for (const name of forwardedRequestHeaders) {
        const value = request.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      const search = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      try {
        const response = await http.request({
          method: request.method,
          path: `${parsed.data['*']}${search}`,
          headers,
          ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
          passClientErrors: true,
          // Only idempotent calls are repeated; a POST reaches the source at most once.
          maxWaitMs: 5_000,
        });
        // A source that echoes the credentials it was sent (in a body, a next link) must not show
        // them to the caller: the integration's secrets are replaced as in the request log.
        for (const name of returnedResponseHeaders) {
          const value = response.headers[name];
          if (value === undefined) continue;
          reply.header(
            name,
            Array.isArray(value) ? value.map((item) => live.redactor.text(item)) : live.redactor.text(value),
          );
        }
        return reply.status(response.status).send(live.redactor.bytes(response.body));
      } catch (error) {
        if (error instanceof HubError) throw error;
        const failure = error instanceof ConnectorError ? error : toConnectorError(error, 'proxy');
        throw toHubError(
          new ConnectorError(failure.kind, live.redactor.text(failure.message), {
            retryAfterMs: failure.retryAfterMs,
          }),
        );
      }
    },
  });
}
