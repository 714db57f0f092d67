// Hourly monitoring series for the dashboard's charts: records synced, failed runs, request
// latency and rate-limit hits, overall or for one integration.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { monitoringSeries } from '../../observability/monitoringSeries.ts';
import type { HubContext } from '../context.ts';

const monitoringQuery = z.strictObject({
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 31)
    .default(24),
  integrationId: z.uuid('must be a UUID').optional(),
});

export function monitoringRoutes(app: FastifyInstance, context: HubContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/monitoring',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['health'],
        summary:
          'Hourly buckets: runs, failed runs, records synced, requests, errors, latency percentiles, rate-limit hits',
        querystring: monitoringQuery,
      },
    },
    async (request) => {
      const { hours, integrationId } = request.query;
      // Requests are logged in batches; the current hour should include the latest ones.
      await context.runtime.requestLog.flush();
      const buckets = await monitoringSeries(context.pool, { hours, integrationId });
      return { hours, integrationId: integrationId ?? null, buckets };
    },
  );
}
