// Fuzzed API requests (fast-check): the bodies of the routes that take one, each a valid body
// bent (a field of the wrong type, removed, added, the whole body replaced, nested thousands
// deep, not JSON, under another content type), the query strings of the list routes, path
// parameters of every shape, and garbage in the headers every request may carry.
import fc from 'fast-check';
import { crmEvents } from '../crmEventSamples.ts';
import type { FuzzRequest } from './fuzzCheck.ts';
import type { FuzzFixtures } from './fuzzFixtures.ts';
import { restIntegrationBody } from './fuzzFixtures.ts';
import {
  contentTypes,
  extraHeaders,
  fuzzJson,
  fuzzKey,
  fuzzString,
  headerValueOf,
  nestedInside,
  notJson,
} from './fuzzValues.ts';

interface BodyRoute {
  method: string;
  /** Where `:id` is the REST integration, `:sub` the subscription, `:uuid` a random UUID. */
  path: string;
  seed: Record<string, unknown>;
  headers?: Record<string, string>;
}

const customerMapping = {
  target: 'customer',
  fields: {
    customerNumber: { from: 'nr', required: true },
    name: { from: 'firma', transforms: [{ op: 'trim' }] },
  },
};

const bodyRoutes: BodyRoute[] = [
  { method: 'POST', path: '/api/v1/integrations', seed: restIntegrationBody('Fuzzed ERP') },
  {
    method: 'PATCH',
    path: '/api/v1/integrations/:id',
    seed: { name: 'Renamed', config: { timeoutMs: 2_000 }, schedule: { cron: '*/5 * * * *' } },
    headers: { 'if-match': '*' },
  },
  {
    method: 'POST',
    path: '/api/v1/subscriptions',
    seed: {
      name: 'fuzz',
      kind: 'http',
      types: ['customer.*'],
      url: 'https://crm.invalid/fuzz',
      retrySchedule: [5, 60],
    },
  },
  {
    method: 'PATCH',
    path: '/api/v1/subscriptions/:sub',
    seed: { name: 'crm', enabled: true, types: ['credit.*'] },
  },
  {
    method: 'POST',
    path: '/api/v1/events',
    seed: { type: 'credit.checked', data: crmEvents['credit.checked'], subject: 'cust-1001' },
  },
  {
    method: 'POST',
    path: '/api/v1/schemas/fuzz.thing/versions',
    seed: { schema: { type: 'object', properties: { a: { type: 'string' } } }, compatibility: 'BACKWARD' },
  },
  { method: 'PUT', path: '/api/v1/schemas/fuzz.thing/compatibility', seed: { compatibility: 'FULL' } },
  {
    method: 'POST',
    path: '/api/v1/schemas/credit.checked/compatibility-check',
    seed: { schema: { type: 'object', properties: { customerId: { type: 'string' } } } },
  },
  {
    method: 'POST',
    path: '/api/v1/mapping/preview',
    seed: { mapping: customerMapping, records: [{ nr: ' K-1 ', firma: 'Mensa' }] },
  },
  {
    method: 'POST',
    path: '/api/v1/mapping/suggest',
    seed: {
      canonicalEntity: 'customer',
      sampleRecords: [{ kundennummer: 'K-1', firma: 'Mensa', plz: '10115' }],
    },
  },
  { method: 'POST', path: '/api/v1/integrations/:id/sync', seed: { entities: ['customer'], full: true } },
  { method: 'POST', path: '/api/v1/conflicts/:uuid/resolve', seed: { use: 'hub' } },
  { method: 'POST', path: '/api/v1/api-keys', seed: { name: 'fuzz key', role: 'viewer' } },
  { method: 'PATCH', path: '/api/v1/integrations/:id/records/customer/K-1', seed: { name: 'Mensa Nord' } },
  { method: 'POST', path: '/api/v1/subscriptions/:sub/replay', seed: { from: '2026-01-01T00:00:00Z' } },
  { method: 'POST', path: '/api/v1/reports/daily', seed: { day: '2026-01-01' } },
  { method: 'POST', path: '/api/v1/integrations/:id/oauth/authorize', seed: { returnTo: '/integrations' } },
  {
    method: 'POST',
    path: '/api/v1/integrations/:id/messages',
    seed: { to: ['a@example.org'], subject: 'Hallo', text: 'x' },
  },
];

interface ListRoute {
  path: string;
  keys: string[];
}

const listRoutes: ListRoute[] = [
  { path: '/api/v1/integrations', keys: ['status', 'connector', 'limit', 'cursor'] },
  {
    path: '/api/v1/audit',
    keys: ['action', 'actorId', 'targetType', 'targetId', 'since', 'until', 'before', 'limit'],
  },
  { path: '/api/v1/integrations/:id/sync-runs', keys: ['state', 'limit', 'cursor'] },
  { path: '/api/v1/sync-runs/:uuid/failures', keys: ['limit', 'cursor'] },
  {
    path: '/api/v1/integrations/:id/records/customer',
    keys: ['updatedSince', 'includeDeleted', 'limit', 'cursor'],
  },
  { path: '/api/v1/integrations/:id/logs', keys: ['limit', 'cursor'] },
  { path: '/api/v1/integrations/:id/reports', keys: ['limit'] },
  { path: '/api/v1/conflicts', keys: ['state', 'integrationId', 'limit', 'cursor'] },
  { path: '/api/v1/events', keys: ['after', 'integrationId', 'type', 'limit'] },
  { path: '/api/v1/schemas', keys: ['type'] },
  { path: '/api/v1/integrations/:id/webhooks', keys: ['state', 'limit', 'before'] },
  { path: '/api/v1/subscriptions/:sub/deliveries', keys: ['state', 'before', 'limit'] },
  { path: '/api/v1/monitoring', keys: ['hours', 'integrationId'] },
];

/** GET routes with path parameters; `{}` is filled with a fuzzed value. */
const paramRoutes = [
  '/api/v1/connectors/{}',
  '/api/v1/integrations/{}',
  '/api/v1/sync-runs/{}',
  '/api/v1/integrations/{}/sync-status',
  '/api/v1/integrations/:id/records/{}',
  '/api/v1/conflicts/{}',
  '/api/v1/schemas/{}',
  '/api/v1/schemas/credit.checked/versions/{}',
  '/api/v1/webhooks/{}',
  '/api/v1/subscriptions/{}',
  '/api/v1/proxy/:id/{}',
];

function resolvePath(path: string, fixtures: FuzzFixtures, uuid: string): string {
  return path.replace(':id', fixtures.restId).replace(':sub', fixtures.subscriptionId).replace(':uuid', uuid);
}

/** A copy of `seed` with one field (at any depth) replaced, removed, or a new one added. */
function bent(seed: Record<string, unknown>): fc.Arbitrary<unknown> {
  const paths = fieldPaths(seed);
  return fc.oneof(
    { arbitrary: fc.constant(seed), weight: 1 },
    {
      arbitrary: fc
        .tuple(fc.constantFrom(...paths), fuzzJson)
        .map(([path, value]) => withField(seed, path, value)),
      weight: 6,
    },
    { arbitrary: fc.constantFrom(...paths).map((path) => withField(seed, path, undefined)), weight: 2 },
    {
      arbitrary: fc
        .tuple(fc.constantFrom(...paths), fuzzKey, fuzzJson)
        .map(([path, key, value]) => withField(seed, [...path.slice(0, -1), key], value)),
      weight: 2,
    },
    { arbitrary: fuzzJson, weight: 2 },
  );
}

const bodyCase = (fixtures: FuzzFixtures): fc.Arbitrary<FuzzRequest> =>
  fc
    .tuple(fc.constantFrom(...bodyRoutes), fc.uuid(), fc.nat(), extraHeaders)
    .chain(([route, uuid, pick, headers]) => {
      const seedKeys = Object.keys(route.seed);
      const body: fc.Arbitrary<string | Buffer> = fc.oneof(
        { arbitrary: bent(route.seed).map((value) => JSON.stringify(value) ?? 'null'), weight: 10 },
        { arbitrary: nestedInside(route.seed, seedKeys[pick % seedKeys.length] ?? 'x'), weight: 1 },
        { arbitrary: notJson, weight: 2 },
      );
      return fc.tuple(body, contentTypes).map(([payload, contentType]) => ({
        label: `${route.method} ${route.path} (body)`,
        method: route.method,
        url: resolvePath(route.path, fixtures, uuid),
        headers: {
          ...headers,
          ...route.headers,
          ...(contentType === undefined ? {} : { 'content-type': contentType }),
        },
        body: payload,
      }));
    });

const queryCase = (fixtures: FuzzFixtures): fc.Arbitrary<FuzzRequest> =>
  fc.tuple(fc.constantFrom(...listRoutes), fc.uuid(), extraHeaders).chain(([route, uuid, headers]) => {
    const key = fc.oneof(
      { arbitrary: fc.constantFrom(...route.keys), weight: 4 },
      { arbitrary: fuzzKey, weight: 1 },
    );
    const value = fc.oneof(
      fuzzString.map((text) => text.slice(0, 4_000)),
      fc.constantFrom('-1', '0', '1e9', '2147483648', 'true', 'yes', '2026-13-45', 'received', 'open'),
    );
    const query = fc.oneof(
      {
        arbitrary: fc
          .array(fc.tuple(key, value), { maxLength: 5 })
          .map((pairs) => new URLSearchParams(pairs).toString()),
        weight: 5,
      },
      { arbitrary: headerValueOf(200).map((raw) => raw.replace(/[#\s]/g, '')), weight: 1 },
      {
        arbitrary: fc.constantFrom(
          '%',
          '%zz',
          'a=%E0%A4%A',
          'limit[]=1&limit[]=2',
          'limit=1&limit=2',
          '&&&=',
          '__proto__[x]=1',
        ),
        weight: 1,
      },
    );
    return query.map((text) => ({
      label: `GET ${route.path} (query)`,
      method: 'GET',
      url: `${resolvePath(route.path, fixtures, uuid)}?${text}`,
      headers,
    }));
  });

const paramCase = (fixtures: FuzzFixtures): fc.Arbitrary<FuzzRequest> =>
  fc
    .tuple(
      fc.constantFrom(...paramRoutes),
      fc.oneof(
        fuzzString.map((text) => encodeURIComponent(text.slice(0, 8_000).toWellFormed())),
        fc.constantFrom(
          '%00',
          '..',
          '..%2F..%2F',
          '%2e%2e',
          '%',
          '%zz',
          '%C0%AF',
          '0',
          '-1',
          '1e9',
          'latest',
          'null',
        ),
      ),
      fc.constantFrom('GET', 'GET', 'GET', 'DELETE', 'POST'),
    )
    .map(
      ([path, value, method]): FuzzRequest => ({
        label: `${method} ${path} (path)`,
        method,
        url: resolvePath(path, fixtures, '').replace('{}', value),
        headers: method === 'POST' ? { 'content-type': 'application/json' } : ({} as Record<string, string>),
        ...(method === 'POST' ? { body: '{}' } : {}),
      }),
    );

/** An Authorization header that is not a valid token: every route must refuse it with 401. */
const tokenCase: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    fc.oneof(
      headerValueOf(200),
      fc.constantFrom(
        'Bearer',
        'Bearer ',
        'Basic YWRtaW46YWRtaW4=',
        'Bearer hub_',
        'bearer hub_AAAA',
        'Bearer a.b.c',
        'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
      ),
    ),
    fc.constantFrom('/api/v1/integrations', '/api/v1/audit', '/api/v1/keys', '/api/v1/me'),
  )
  .map(([authorization, url]) => ({
    label: `GET ${url} (token)`,
    method: 'GET',
    url,
    headers: { authorization },
  }));

/** Fuzzed API requests; the caller adds the admin token unless the case carries its own. */
export function apiFuzzCases(fixtures: FuzzFixtures): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(
    { arbitrary: bodyCase(fixtures), weight: 10 },
    { arbitrary: queryCase(fixtures), weight: 4 },
    { arbitrary: paramCase(fixtures), weight: 3 },
    { arbitrary: tokenCase, weight: 1 },
  );
}

function fieldPaths(value: unknown, prefix: string[] = []): string[][] {
  if (!value || typeof value !== 'object') return prefix.length ? [prefix] : [];
  const entries = Array.isArray(value)
    ? value.map((item, index) => [String(index), item] as const)
    : Object.entries(value);
  const nested = entries.flatMap(([key, item]) => fieldPaths(item, [...prefix, key]));
  return prefix.length ? [prefix, ...nested] : nested;
}

function withField(seed: Record<string, unknown>, path: string[], value: unknown): unknown {
  const copy = structuredClone(seed) as Record<string, unknown>;
  let target: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    const next = target[key];
    if (!next || typeof next !== 'object') return copy;
    target = next as Record<string, unknown>;
  }
  const last = path.at(-1) ?? '';
  // An array takes its own indexes and the next one only: a key such as "length" (fast-check's
  // strings include it) or a huge index would break the case's generation or its JSON, not the hub.
  if (Array.isArray(target) && !(/^(0|[1-9]\d{0,5})$/.test(last) && Number(last) <= target.length))
    return copy;
  if (value === undefined) delete target[last];
  else Object.defineProperty(target, last, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}
