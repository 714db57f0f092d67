// The authorization matrix: every route of the OpenAPI document against no token, viewer, operator
// and admin. No token is refused everywhere but on the few public routes, rights grow from viewer
// to operator to admin and never shrink, a viewer changes nothing, and no route answers 5xx to any
// of them. Shared by the test (an in-process hub) and the chaos suite's attack scenario (a hub
// process), which differ only in how a request is sent.
import { randomUUID } from 'node:crypto';

/** Sends one request and says its status. `token` null: no Authorization header. */
export type StatusOf = (request: {
  method: string;
  url: string;
  token: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}) => Promise<number>;

export interface Route {
  method: string;
  path: string;
}

export interface MatrixTokens {
  viewer: string;
  operator: string;
  admin: string;
}

export interface MatrixResult {
  routes: number;
  /** Route × caller combinations called. */
  checks: number;
  /** Each broken rule, e.g. `DELETE /api/v1/api-keys/{id}: a viewer got 204`. */
  violations: string[];
}

/** Routes without a token: the OpenAPI document, the OAuth callback, whether the dashboard offers single sign-on, and inbound webhooks. */
export const publicRoutes = new Set([
  'GET /api/v1/oauth/callback',
  'GET /api/v1/openapi.json',
  'GET /api/v1/session/oidc',
  'POST /webhooks/{integrationId}',
]);
/** Streams never end; only their refusal without a token is checked. */
const streams = new Set(['GET /api/v1/events/stream']);
/** Non-GET routes a viewer may call: they read only. */
const viewerWrites = new Set<string>(['POST /api/v1/mapping/suggest', 'POST /api/v1/mapping/preview']);

/** Every operation of the hub's OpenAPI document. */
export function routesOf(document: { paths: Record<string, Record<string, unknown>> }): Route[] {
  const found: Route[] = [];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const method of Object.keys(operations)) {
      if (['get', 'post', 'put', 'patch', 'delete'].includes(method))
        found.push({ method: method.toUpperCase(), path });
    }
  }
  return found;
}

/** A URL for a route's template, with plausible values for its parameters. */
export function concrete(path: string): string {
  return path
    .replace(/\{type\}/g, 'credit.checked')
    .replace(/\{version\}/g, '1')
    .replace(/\{entity\}/g, 'customer')
    .replace(/\{externalId\}/g, 'K-1')
    .replace(/\{\*\}/g, 'anything')
    .replace(/\{[^}]+\}/g, () => randomUUID())
    .replace(/\*$/, 'anything');
}

const allowed = (status: number) => status !== 401 && status !== 403;

export async function checkAuthorizationMatrix(
  routes: Route[],
  tokens: MatrixTokens,
  statusOf: StatusOf,
): Promise<MatrixResult> {
  const violations: string[] = [];
  let checks = 0;
  const call = (route: Route, token: string | null) => {
    checks++;
    return statusOf({
      method: route.method,
      url: concrete(route.path),
      token,
      ...(['POST', 'PUT', 'PATCH'].includes(route.method) ? { body: {} } : {}),
      headers: route.method === 'PATCH' ? { 'if-match': '"1"' } : {},
    });
  };
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    if (streams.has(key)) {
      const anonymous = await call(route, null);
      if (anonymous !== 401) violations.push(`${key}: no token got ${anonymous}`);
      continue;
    }
    const status = {
      anonymous: await call(route, null),
      viewer: await call(route, tokens.viewer),
      operator: await call(route, tokens.operator),
      admin: await call(route, tokens.admin),
    };
    for (const [who, code] of Object.entries(status)) {
      if (code >= 500) violations.push(`${key}: ${who} got ${code}`);
    }
    if (!publicRoutes.has(key) && status.anonymous !== 401)
      violations.push(`${key}: no token got ${status.anonymous}`);
    if (!allowed(status.admin)) violations.push(`${key}: admin got ${status.admin}`);
    if (allowed(status.viewer) && !allowed(status.operator))
      violations.push(`${key}: viewer allowed, operator not`);
    if (allowed(status.operator) && !allowed(status.admin))
      violations.push(`${key}: operator allowed, admin not`);
    if (
      route.method !== 'GET' &&
      !viewerWrites.has(key) &&
      !publicRoutes.has(key) &&
      allowed(status.viewer)
    ) {
      violations.push(`${key}: a viewer got ${status.viewer}`);
    }
  }
  return { routes: routes.length, checks, violations };
}
