// Liveness, readiness (database reachable, migrations applied) and Prometheus metrics.
import type { FastifyInstance } from 'fastify';
import { migrationsComplete } from '../../db/migrate.ts';
import type { HubContext } from '../context.ts';

export function healthRoutes(app: FastifyInstance, context: HubContext): void {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const databaseReachable = await context.pool
      .query('SELECT 1')
      .then(() => true)
      .catch(() => false);
    const migrationsApplied =
      databaseReachable && (await migrationsComplete(context.pool, context.migrations));
    const ready = databaseReachable && migrationsApplied;
    return reply.status(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not ready',
      checks: { database: databaseReachable, migrations: migrationsApplied },
    });
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    return reply.type(context.metrics.registry.contentType).send(await context.metrics.registry.metrics());
  });
}
