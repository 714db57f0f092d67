// The connector catalog.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { describeConnector } from '../../connectors/catalog.ts';
import { notFound } from '../../errors.ts';
import type { HubContext } from '../context.ts';

export function connectorRoutes(app: FastifyInstance, context: HubContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  routes.get(
    '/api/v1/connectors',
    { config: { role: 'viewer' }, schema: { tags: ['connectors'], summary: 'The catalog of connectors' } },
    async () => ({ items: context.catalog.list().map(describeConnector) }),
  );
  routes.get(
    '/api/v1/connectors/:id',
    {
      config: { role: 'viewer' },
      schema: { tags: ['connectors'], summary: 'One connector', params: z.strictObject({ id: z.string() }) },
    },
    async (request) => {
      const connector = context.catalog.find(request.params.id);
      if (!connector) throw notFound('connector', request.params.id);
      return describeConnector(connector);
    },
  );
}
