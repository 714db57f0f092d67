// The dashboard's overview in one read: every integration with its status, last sync, record
// counts and latest run, and the counts of what needs a person.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { listIntegrationOverview } from '../../sync/integrationOverview.ts';
import { countOpenConflicts } from '../../sync/twoWay/conflictsTable.ts';
import type { HubContext } from '../context.ts';

export function overviewRoutes(app: FastifyInstance, context: HubContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/overview',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['integrations'],
        summary:
          'Every integration with status, last sync, record counts and latest run; counts of active integrations and open issues',
      },
    },
    async () => {
      const [rows, openConflicts] = await Promise.all([
        listIntegrationOverview(context.pool),
        countOpenConflicts(context.pool),
      ]);
      const integrations = rows.map((row) => {
        const connector = context.catalog.find(row.connector);
        return {
          ...row,
          connectorName: connector?.name ?? row.connector,
          // How a person restores access: the provider's consent screen, or new credentials.
          reconnect: connector?.oauthAuthorization ? ('oauth' as const) : ('credentials' as const),
        };
      });
      const count = (status: string) => rows.filter((row) => row.status === status).length;
      const inError = count('error');
      return {
        counts: {
          active: count('active'),
          paused: count('inactive'),
          error: inError,
          openConflicts,
          issues: inError + openConflicts,
        },
        integrations,
      };
    },
  );
}
