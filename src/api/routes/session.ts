// Who the caller is: the dashboard checks a token with this and shows the role it grants.
import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../context.ts';

export function sessionRoutes(app: FastifyInstance, _context: HubContext): void {
  app.get(
    '/api/v1/me',
    {
      config: { role: 'viewer' },
      schema: { tags: ['access'], summary: 'The caller: token or OIDC identity, name and role' },
    },
    async (request) => {
      const { kind, id, name, role } = request.principal;
      return { kind, id, name, role };
    },
  );
}
