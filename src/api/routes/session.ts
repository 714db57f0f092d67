// Who the caller is: the dashboard checks a token with this and shows the role it grants. And,
// before anyone is signed in, whether the dashboard offers single sign-on at the OpenID provider.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { browserLoginOffer, prepareBrowserLogin } from '../../access/oidcBrowserLogin.ts';
import type { HubContext } from '../context.ts';

const loginOffer = z.union([
  z.object({ enabled: z.literal(false) }),
  z.object({
    enabled: z.literal(true),
    issuer: z.string(),
    clientId: z.string(),
    scope: z.string(),
    resource: z.string().nullable(),
    authorizationEndpoint: z.string(),
    tokenEndpoint: z.string(),
    endSessionEndpoint: z.string().nullable(),
  }),
]);

export function sessionRoutes(app: FastifyInstance, context: HubContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  routes.get(
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

  prepareBrowserLogin(context.config.oidc);
  routes.get(
    '/api/v1/session/oidc',
    {
      schema: {
        tags: ['access'],
        summary:
          "Whether the dashboard offers sign-in at the OpenID provider, and the provider's endpoints and public client for it (no token needed)",
        response: { 200: loginOffer },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-cache');
      return browserLoginOffer(context.config.oidc);
    },
  );
}
