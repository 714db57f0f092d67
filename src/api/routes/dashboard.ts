// The dashboard at `/`: the production build of web/ (`npm run build:web` → web/dist). Hashed
// assets are cached for a year, index.html answers every client route and is never cached, and
// without a build `/` explains how to make one (503) instead of failing. Paths of the API,
// webhooks, health and metrics never fall back to the page: they keep their problem+json 404.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { browserLoginConnectSources } from '../../access/oidcBrowserLogin.ts';
import type { OidcConfig } from '../../config.ts';

export const builtDashboardDir = fileURLToPath(new URL('../../../web/dist', import.meta.url));

const serverPaths = ['/api', '/webhooks', '/healthz', '/readyz', '/metrics'];
const rootFile = /^\/[\w-]+(\.[\w-]+)*\.(svg|ico|png|txt|webmanifest)$/;

/** `connectSources`: origins the page may call besides its own (the OpenID provider's for sign-in). */
const pageHeaders = (connectSources: string[]) => ({
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  // Mantine sets CSS variables in style attributes and one <style> element, hence 'unsafe-inline' for styles only.
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
    `connect-src ${["'self'", ...connectSources].join(' ')}; frame-ancestors 'none'; base-uri 'self'; ` +
    "form-action 'self'",
});

export async function dashboardRoutes(
  app: FastifyInstance,
  distDir = builtDashboardDir,
  oidc?: OidcConfig,
): Promise<void> {
  await app.register(fastifyStatic, { root: distDir, serve: false, suppressWarning: true });
  const indexFile = path.join(distDir, 'index.html');

  app.get('/assets/*', { schema: { hide: true } }, (request, reply) => {
    const file = (request.params as { '*': string })['*'];
    return reply.sendFile(`assets/${file}`, { maxAge: '365d', immutable: true });
  });

  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    const pathname = request.url.split('?')[0] ?? '/';
    if (serverPaths.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`))) {
      return reply.callNotFound();
    }
    if (!existsSync(indexFile)) return notBuilt(reply);
    if (rootFile.test(pathname)) return reply.sendFile(pathname.slice(1), { maxAge: '1d' });
    return reply
      .headers(pageHeaders(browserLoginConnectSources(oidc)))
      .sendFile('index.html', { cacheControl: false });
  };
  app.get('/', { schema: { hide: true } }, page);
  app.get('/*', { schema: { hide: true } }, page);
}

function notBuilt(reply: FastifyReply) {
  return reply
    .status(503)
    .headers({ 'cache-control': 'no-store', 'retry-after': '60' })
    .type('text/html; charset=utf-8')
    .send(
      '<!doctype html><html lang="de"><meta charset="utf-8"><title>Integration Hub: Dashboard nicht gebaut</title>' +
        '<main><h1>Das Dashboard ist noch nicht gebaut</h1>' +
        '<p>Bitte im Verzeichnis des Hubs <code>npm run build:web</code> ausführen und die Seite neu laden. ' +
        'Die API unter <code>/api/v1</code> läuft bereits.</p>' +
        '<p lang="en">The dashboard has not been built yet: run <code>npm run build:web</code> in the hub’s ' +
        'directory, then reload. The API under <code>/api/v1</code> is already running.</p></main></html>',
    );
}
