// An imitation of Xentral's new API (VENDORS.md): bearer tokens, media-type versioning (406 on
// an unknown type), page[number]/page[size] paging (size ≤ 50), filter[i][key|op|value] and
// order[0] parameters, 100 requests a minute with X-RateLimit-* headers, RFC 9457 problem
// details with violations, and each customer's addresses under /customers/{id}/addresses.
// The shared admin routes (/__sandbox/faults, /__sandbox/tokens/expire) break and heal it, with
// Xentral-shaped answers; the legacy API beside it is never faulted.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SandboxAdmin } from '../shared/adminRoutes.ts';
import type { SandboxFaultSettings, VendorFaultAnswers } from '../shared/faultInjection.ts';
import { readJsonBody } from '../shared/readJsonBody.ts';
import { generateXentralData, type XentralData, type XentralRecord } from './data.ts';
import { createLegacyApi, type LegacyAccount } from './legacy.ts';

export interface XentralSandboxOptions {
  customers?: number;
  seed?: number;
  token?: string;
  /** The account of the legacy API (/api/v1/adressen, Digest auth). */
  legacyAccount?: LegacyAccount;
  rateLimit?: { limit: number; windowMs: number };
  port?: number;
}

export interface XentralSandbox {
  url: string;
  token: string;
  legacyAccount: LegacyAccount;
  data: XentralData;
  close(): Promise<void>;
  /** What POST /__sandbox/faults does; null heals. */
  setFaults(settings: SandboxFaultSettings | null): void;
  setToken(token: string): void;
  /** Changes a customer as a Xentral user would; its updatedAt moves on. */
  updateCustomer(id: string, patch: Record<string, unknown>): void;
  /** Changes one address of a customer; the address's and the customer's updatedAt move on. */
  updateAddress(customerId: string, addressId: string, patch: Record<string, unknown>): void;
  requests(): number;
  statuses(): Record<string, number>;
  /** Every API request answered so far, in order. */
  requestLog(): { method: string; path: string; status: number }[];
}

const MEDIA_TYPE = 'application/vnd.xentral.default.v1+json';
const collections = ['customers', 'products', 'salesOrders', 'invoices'] as const;

export async function startXentralSandbox(options: XentralSandboxOptions = {}): Promise<XentralSandbox> {
  const data = generateXentralData(options.customers ?? 250, options.seed ?? 1);
  let token = options.token ?? 'xentral-sandbox-token-0000';
  const limit = options.rateLimit ?? { limit: 100, windowMs: 60_000 };
  let window = { started: Date.now(), count: 0 };
  let requestCount = 0;
  const statusCounts: Record<string, number> = {};
  const answered: { method: string; path: string; status: number }[] = [];
  let clock = Date.now();
  const legacyAccount = options.legacyAccount ?? {
    username: 'api-legacy',
    password: 'legacy-sandbox-secret',
  };
  const legacy = createLegacyApi(
    legacyAccount,
    () => data.customers,
    (id) => data.addresses.get(id) ?? [],
  );

  const send = (
    response: http.ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    const type = status >= 400 ? 'application/problem+json' : MEDIA_TYPE;
    response.writeHead(status, { 'content-type': type, ...headers });
    response.end(JSON.stringify(body));
  };
  const limitHeaders = () => ({
    'x-ratelimit-limit': String(limit.limit),
    'x-ratelimit-remaining': String(Math.max(0, limit.limit - window.count)),
  });
  const admin = new SandboxAdmin({
    answers: xentralFaults(limitHeaders),
    // Personal access tokens have no refresh: expiring one means a new token must be entered.
    expireTokens: () => {
      token = `xentral-sandbox-token-${randomBytes(4).toString('hex')}`;
    },
    credentials: () => ({ token }),
  });

  const server = http.createServer(admin.listener(handle));

  async function handle(request: http.IncomingMessage, response: http.ServerResponse, url: URL) {
    requestCount += 1;
    response.on('finish', () => {
      statusCounts[response.statusCode] = (statusCounts[response.statusCode] ?? 0) + 1;
      answered.push({ method: request.method ?? 'GET', path: url.pathname, status: response.statusCode });
    });
    if (url.pathname.startsWith('/api/v1/adressen')) return legacy(request, response, url);
    const now = Date.now();
    if (now - window.started >= limit.windowMs) window = { started: now, count: 0 };
    window.count += 1;
    if (window.count > limit.limit) {
      const resetAt = window.started + limit.windowMs;
      return send(response, 429, problem(429, 'Too Many Requests', 'rate limit exceeded'), {
        ...limitHeaders(),
        'retry-after': String(Math.max(1, Math.ceil((resetAt - now) / 1000))),
        'x-ratelimit-reset': String(Math.ceil(resetAt / 1000)),
      });
    }
    if (await admin.intercept(request, response)) return;
    const headers = limitHeaders();
    if (request.headers.authorization !== `Bearer ${token}`) {
      return send(
        response,
        401,
        problem(401, 'Unauthorized', 'the access token is invalid or expired'),
        headers,
      );
    }
    const accept = request.headers.accept ?? '*/*';
    if (
      !accept
        .split(',')
        .some((type) => [MEDIA_TYPE, 'application/json', '*/*'].includes(type.split(';')[0]?.trim() ?? ''))
    ) {
      return send(
        response,
        406,
        problem(406, 'Not Acceptable', `media type ${accept} is not supported`),
        headers,
      );
    }
    const match = /^\/api\/v1\/(customers|products|salesOrders|invoices)(?:\/(\d+)(?:\/(addresses))?)?$/.exec(
      url.pathname,
    );
    if (!match || (match[3] && match[1] !== 'customers'))
      return send(response, 404, problem(404, 'Not Found', `no resource at ${url.pathname}`), headers);
    const [, collection, id, sub] = match as unknown as [
      string,
      (typeof collections)[number],
      string | undefined,
      string | undefined,
    ];
    const records = data[collection];
    if (id) {
      const record = records.find((item) => item.id === id);
      if (!record)
        return send(response, 404, problem(404, 'Not Found', `${collection} ${id} does not exist`), headers);
      if (sub && request.method !== 'GET')
        return send(response, 405, problem(405, 'Method Not Allowed', 'addresses are read-only here'), {
          ...headers,
          allow: 'GET',
        });
      if (sub) return list(response, url, data.addresses.get(id) ?? [], headers);
      if (request.method === 'PATCH' && collection === 'customers')
        return patchCustomer(request, response, record, headers);
      return send(response, 200, { data: record }, headers);
    }
    return list(response, url, records, headers);
  }

  // Updating a customer (the write route is unconfirmed in Xentral's public docs; PATCH with
  // problem details for invalid fields is what its API does elsewhere).
  async function patchCustomer(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    record: XentralRecord,
    headers: Record<string, string>,
  ) {
    let patch: unknown;
    try {
      patch = await readJsonBody(request);
    } catch {
      return send(response, 400, problem(400, 'Bad Request', 'the body is not JSON'), headers);
    }
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
      return send(response, 400, problem(400, 'Bad Request', 'the body is not a JSON object'), headers);
    }
    const writable = new Set(['name', 'email', 'phone', 'vatId', 'firstname', 'lastname']);
    const violations = Object.entries(patch).flatMap(([field, value]) =>
      !writable.has(field)
        ? [{ propertyPath: field, message: 'This field cannot be changed.' }]
        : field === 'name' && (typeof value !== 'string' || value.trim() === '')
          ? [{ propertyPath: field, message: 'This value should not be blank.' }]
          : [],
    );
    if (violations.length > 0) {
      return send(
        response,
        400,
        { ...problem(400, 'Bad Request', 'validation failed'), violations },
        headers,
      );
    }
    clock = Math.max(Date.now(), clock + 1);
    Object.assign(record, patch, { updatedAt: new Date(clock).toISOString() });
    send(response, 200, { data: record }, headers);
  }

  function list(
    response: http.ServerResponse,
    url: URL,
    records: XentralRecord[],
    headers: Record<string, string>,
  ) {
    const query = url.searchParams;
    const pageNumber = Number(query.get('page[number]') ?? '1');
    const pageSize = Number(query.get('page[size]') ?? '10');
    const violations: { propertyPath: string; message: string }[] = [];
    if (!Number.isInteger(pageNumber) || pageNumber < 1)
      violations.push({ propertyPath: 'page[number]', message: 'must be a positive integer' });
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 50)
      violations.push({ propertyPath: 'page[size]', message: 'must be between 1 and 50' });
    let selected = records;
    for (let i = 0; query.has(`filter[${i}][key]`); i++) {
      const key = query.get(`filter[${i}][key]`) ?? '';
      const op = query.get(`filter[${i}][op]`) ?? 'equals';
      const value = query.get(`filter[${i}][value]`) ?? '';
      const compare = comparators[op];
      if (!compare) {
        violations.push({ propertyPath: `filter[${i}][op]`, message: `unknown operator ${op}` });
        continue;
      }
      selected = selected.filter((record) => compare(String(record[key] ?? ''), value));
    }
    if (violations.length > 0)
      return send(response, 400, problem(400, 'Bad Request', 'the request is invalid', violations), headers);
    const orderField = query.get('order[0][field]');
    if (orderField) {
      const direction = query.get('order[0][dir]') === 'DESC' ? -1 : 1;
      selected = [...selected].sort((a, b) =>
        String(a[orderField]) < String(b[orderField]) ? -direction : direction,
      );
    }
    const page = selected.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    const next = pageNumber * pageSize < selected.length ? new URL(url) : undefined;
    next?.searchParams.set('page[number]', String(pageNumber + 1));
    return send(
      response,
      200,
      {
        data: page,
        meta: { totalCount: selected.length, page: pageNumber, pageSize },
        links: {
          self: `${url.pathname}${url.search}`,
          ...(next ? { next: `${next.pathname}${next.search}` } : {}),
        },
      },
      headers,
    );
  }

  const port = await new Promise<number>((resolve) =>
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    get token() {
      return token;
    },
    legacyAccount,
    data,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    setFaults: (settings) => admin.setFaults(settings),
    setToken: (next) => {
      token = next;
    },
    updateCustomer: (id, patch) => {
      const record = data.customers.find((customer) => customer.id === id);
      if (!record) throw new Error(`no customer ${id}`);
      clock = Math.max(Date.now(), clock + 1);
      Object.assign(record, patch, { updatedAt: new Date(clock).toISOString() });
    },
    // Whether Xentral moves a customer's updatedAt when one of its addresses changes is
    // unconfirmed; the sandbox does, which is what lets an incremental sync see the change.
    updateAddress: (customerId, addressId, patch) => {
      const customer = data.customers.find((record) => record.id === customerId);
      const address = data.addresses.get(customerId)?.find((record) => record.id === addressId);
      if (!customer || !address) throw new Error(`no address ${addressId} of customer ${customerId}`);
      clock = Math.max(Date.now(), clock + 1);
      const updatedAt = new Date(clock).toISOString();
      Object.assign(address, patch, { updatedAt });
      customer.updatedAt = updatedAt;
    },
    requests: () => requestCount,
    statuses: () => ({ ...statusCounts }),
    requestLog: () => answered.map((entry) => ({ ...entry })),
  };
}

const comparators: Record<string, (field: string, value: string) => boolean> = {
  equals: (field, value) => field === value,
  notEquals: (field, value) => field !== value,
  greaterThan: (field, value) => field > value,
  lessThan: (field, value) => field < value,
  startsWith: (field, value) => field.startsWith(value),
  contains: (field, value) => field.includes(value),
  in: (field, value) => value.split(',').includes(field),
};

const problem = (
  status: number,
  title: string,
  detail: string,
  violations?: { propertyPath: string; message: string }[],
) => ({
  type: `https://developer.xentral.com/problems/${status}`,
  title,
  status,
  detail,
  ...(violations ? { violations } : {}),
});

/** Injected faults as Xentral answers: problem details, and the rate-limit headers on every answer. */
function xentralFaults(limitHeaders: () => Record<string, string>): VendorFaultAnswers {
  const answer = (status: number, title: string, detail: string, headers = limitHeaders()) => ({
    status,
    headers: { ...headers, 'content-type': 'application/problem+json' },
    body: problem(status, title, detail),
  });
  return {
    contentType: MEDIA_TYPE,
    serverError: (status) =>
      status === 503
        ? answer(503, 'Service Unavailable', 'the service is temporarily unavailable')
        : answer(500, 'Internal Server Error', 'an unexpected error occurred'),
    throttled: (retryAfter) =>
      answer(429, 'Too Many Requests', 'rate limit exceeded', {
        ...limitHeaders(),
        'x-ratelimit-remaining': '0',
        'retry-after': String(retryAfter),
        'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + retryAfter),
      }),
  };
}
