// A local HTTP source that imitates a paged JSON API of an ERP: German customer records, the
// common paging styles, change-time filters with tombstones, ETags, rate-limit headers, bearer
// auth, and fault injection (errors, 429, timeouts, resets, malformed JSON, outages).
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateCustomers, type SourceCustomer } from './customers.ts';
import { type FaultKind, FaultPlan, type FaultSettings } from './faults.ts';

export interface RecordSourceOptions {
  records?: SourceCustomer[];
  count?: number;
  seed?: number;
  /** Require `Authorization: Bearer <token>`. */
  token?: string;
  pageSizeMax?: number;
  rateLimit?: { limit: number; windowMs: number };
  port?: number;
}

export interface RequestInfo {
  path: string;
  query: URLSearchParams;
  requestNumber: number;
}

export interface SourceStats {
  requests: number;
  byStatus: Record<string, number>;
  faultsInjected: Partial<Record<FaultKind, number>>;
}

export interface RecordSource {
  url: string;
  close(): Promise<void>;
  setFaults(settings: FaultSettings | null): void;
  setOutage(outage: boolean | 'refuse'): Promise<void>;
  setToken(token: string | undefined): void;
  update(id: string, patch: Partial<SourceCustomer>): void;
  insert(record: SourceCustomer): void;
  remove(id: string): void;
  records(): SourceCustomer[];
  onRequest(hook: ((info: RequestInfo) => void | Promise<void>) | undefined): void;
  stats(): SourceStats;
  resetStats(): void;
}

export async function startRecordSource(options: RecordSourceOptions = {}): Promise<RecordSource> {
  const store = new CustomerStore(
    options.records ?? generateCustomers(options.count ?? 100, options.seed ?? 1),
  );
  const pageSizeMax = options.pageSizeMax ?? 1000;
  let token = options.token;
  let faults: FaultPlan | undefined;
  let outage: boolean | 'refuse' = false;
  let hook: ((info: RequestInfo) => void | Promise<void>) | undefined;
  let stats: SourceStats = { requests: 0, byStatus: {}, faultsInjected: {} };
  let window = { started: Date.now(), count: 0 };
  const held = new Set<http.ServerResponse>();
  const sockets = new Set<Socket>();

  const server = http.createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, { title: 'source error', detail: String(error) });
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const send = (
    response: http.ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const type = status >= 400 ? 'application/problem+json' : 'application/json';
    response.writeHead(status, { 'content-type': type, ...headers });
    response.end(status === 304 ? undefined : text);
  };

  async function handle(request: http.IncomingMessage, response: http.ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://source.local');
    stats.requests += 1;
    const requestNumber = stats.requests;
    if (faults?.settings.latencyMs) await sleep(faults.settings.latencyMs);
    if (outage)
      return send(response, 503, { title: 'Service Unavailable', status: 503, detail: 'maintenance' });
    if (token && request.headers.authorization !== `Bearer ${token}`) {
      return send(response, 401, { title: 'Unauthorized', status: 401, detail: 'invalid or missing token' });
    }
    const limitHeaders = rateLimitHeaders();
    if (limitHeaders.limited) {
      return send(
        response,
        429,
        { title: 'Too Many Requests', status: 429 },
        { ...limitHeaders.headers, 'retry-after': limitHeaders.retryAfter },
      );
    }
    await hook?.({ path: url.pathname, query: url.searchParams, requestNumber });
    if (url.pathname === '/health') return send(response, 200, { status: 'ok' }, limitHeaders.headers);
    if (url.pathname !== '/customers')
      return send(response, 404, { title: 'Not Found', status: 404 }, limitHeaders.headers);

    const fault = faults?.next();
    if (fault) {
      stats.faultsInjected[fault] = (stats.faultsInjected[fault] ?? 0) + 1;
      const retryAfter = String(faults?.settings.retryAfterSeconds ?? 1);
      switch (fault) {
        case '500':
        case '503':
          return send(
            response,
            Number(fault),
            { title: 'Server Error', status: Number(fault) },
            limitHeaders.headers,
          );
        case '429':
          return send(
            response,
            429,
            { title: 'Too Many Requests', status: 429 },
            { 'retry-after': retryAfter },
          );
        case 'timeout': {
          held.add(response);
          const timer = setTimeout(() => {
            held.delete(response);
            response.destroy();
          }, faults?.settings.timeoutMs ?? 30_000);
          response.on('close', () => {
            clearTimeout(timer);
            held.delete(response);
          });
          return;
        }
        case 'reset':
          request.socket.destroy();
          return;
        case 'malformed':
          stats.byStatus['200'] = (stats.byStatus['200'] ?? 0) + 1;
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end('{"data":[{"id":"C0');
          return;
      }
    }

    const page = listPage(url, store, pageSizeMax, `http://${request.headers.host ?? '127.0.0.1'}`);
    const text = JSON.stringify(page.body);
    const etag = `"${createHash('sha1').update(text).digest('base64url')}"`;
    const headers: Record<string, string> = { ...limitHeaders.headers, etag, ...page.headers };
    if (page.lastModified) headers['last-modified'] = new Date(page.lastModified).toUTCString();
    if (request.headers['if-none-match'] === etag) return send(response, 304, '', headers);
    return send(response, 200, text, headers);
  }

  function rateLimitHeaders() {
    const limit = options.rateLimit;
    if (!limit) return { limited: false, headers: {} as Record<string, string>, retryAfter: '0' };
    const now = Date.now();
    if (now - window.started >= limit.windowMs) window = { started: now, count: 0 };
    window.count += 1;
    const resetSeconds = Math.max(1, Math.ceil((window.started + limit.windowMs - now) / 1000));
    const remaining = Math.max(0, limit.limit - window.count);
    return {
      limited: window.count > limit.limit,
      retryAfter: String(resetSeconds),
      headers: {
        'x-ratelimit-limit': String(limit.limit),
        'x-ratelimit-remaining': String(remaining),
        'x-ratelimit-reset': String(resetSeconds),
      },
    };
  }

  const port = await listen(server, options.port ?? 0);
  const url = `http://127.0.0.1:${port}`;

  const stopListening = () =>
    new Promise<void>((resolve) => {
      for (const response of held) response.destroy();
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });

  return {
    url,
    close: stopListening,
    setFaults: (settings) => {
      faults = settings ? new FaultPlan(settings) : undefined;
    },
    setOutage: async (next) => {
      const wasRefusing = outage === 'refuse';
      outage = next;
      if (next === 'refuse' && !wasRefusing) await stopListening();
      if (next !== 'refuse' && wasRefusing) await listen(server, port);
    },
    setToken: (next) => {
      token = next;
    },
    update: (id, patch) => store.update(id, patch),
    insert: (record) => store.insert(record),
    remove: (id) => store.remove(id),
    records: () => store.live(),
    onRequest: (next) => {
      hook = next;
    },
    stats: () => structuredClone(stats),
    resetStats: () => {
      stats = { requests: 0, byStatus: {}, faultsInjected: {} };
    },
  };
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** The records, ordered by id, with tombstones of deleted ones and a clock for changes. */
class CustomerStore {
  readonly #byId = new Map<string, SourceCustomer>();
  readonly #tombstones = new Map<string, { id: string; deleted: true; updated_at: string }>();
  #ids: string[];
  #clock = 0;

  constructor(records: SourceCustomer[]) {
    for (const record of records) {
      this.#byId.set(record.id, record);
      this.#clock = Math.max(this.#clock, Date.parse(record.updated_at));
    }
    this.#ids = [...this.#byId.keys()].sort();
  }

  #tick(): string {
    this.#clock = Math.max(Date.now(), this.#clock + 1);
    return new Date(this.#clock).toISOString();
  }

  update(id: string, patch: Partial<SourceCustomer>): void {
    const record = this.#byId.get(id);
    if (!record) throw new Error(`no record ${id}`);
    this.#byId.set(id, { ...record, ...patch, id, updated_at: this.#tick() });
  }

  insert(record: SourceCustomer): void {
    if (this.#byId.has(record.id)) throw new Error(`record ${record.id} exists`);
    this.#byId.set(record.id, { ...record, updated_at: this.#tick() });
    this.#tombstones.delete(record.id);
    this.#ids.splice(firstAfter(this.#ids, record.id, true), 0, record.id);
  }

  remove(id: string): void {
    if (!this.#byId.delete(id)) throw new Error(`no record ${id}`);
    this.#ids.splice(firstAfter(this.#ids, id, true), 1);
    this.#tombstones.set(id, { id, deleted: true, updated_at: this.#tick() });
  }

  live(): SourceCustomer[] {
    return this.#ids.map((id) => this.#byId.get(id) as SourceCustomer);
  }

  get ids(): string[] {
    return this.#ids;
  }

  get(id: string): SourceCustomer | undefined {
    return this.#byId.get(id);
  }

  /** Records and tombstones changed after `since`, ordered by (updated_at, id). */
  changedSince(since: string): (SourceCustomer | { id: string; deleted: true; updated_at: string })[] {
    const changed: (SourceCustomer | { id: string; deleted: true; updated_at: string })[] = [];
    for (const record of this.#byId.values()) if (record.updated_at > since) changed.push(record);
    for (const tombstone of this.#tombstones.values())
      if (tombstone.updated_at > since) changed.push(tombstone);
    return changed.sort((a, b) =>
      a.updated_at === b.updated_at ? (a.id < b.id ? -1 : 1) : a.updated_at < b.updated_at ? -1 : 1,
    );
  }
}

/** Index of the first id greater than `id` (or equal, with `inclusive`) in a sorted list. */
function firstAfter(ids: string[], id: string, inclusive = false): number {
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const value = ids[middle] as string;
    if (value < id || (!inclusive && value === id)) low = middle + 1;
    else high = middle;
  }
  return low;
}

interface PageAnswer {
  body: unknown;
  headers: Record<string, string>;
  lastModified: number | undefined;
}

/** One page in the style the query asks for; `origin` is where next links point. */
function listPage(url: URL, store: CustomerStore, pageSizeMax: number, origin: string): PageAnswer {
  const query = url.searchParams;
  const since = query.get('updated_since');
  const size = (name: string) =>
    Math.min(pageSizeMax, Math.max(1, Number.parseInt(query.get(name) ?? '100', 10) || 100));
  // With a change-time filter, the list is the changes in (updated_at, id) order; otherwise the
  // live records in id order.
  const changes = since ? store.changedSince(since) : undefined;
  const total = changes ? changes.length : store.ids.length;
  const slice = (start: number, count: number) =>
    changes
      ? changes.slice(start, start + count)
      : store.ids.slice(start, start + count).map((id) => store.get(id) as SourceCustomer);
  const newest = (items: { updated_at: string }[]) =>
    items.reduce((max, item) => Math.max(max, Date.parse(item.updated_at)), 0) || undefined;
  const style = query.get('style');
  const linkTo = (changes: Record<string, string>) => {
    const next = new URL(url);
    for (const [name, value] of Object.entries(changes)) next.searchParams.set(name, value);
    return `${origin}${next.pathname}${next.search}`;
  };

  // Keyset (cursor) paging: asked for by a cursor, by style=next, or by a limit without an offset.
  if (query.has('cursor') || style === 'next' || (query.has('limit') && !query.has('offset'))) {
    const limit = size('limit');
    const cursor = query.get('cursor');
    let start = 0;
    if (cursor) {
      const position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
      start = changes
        ? changes.findIndex(
            (item) =>
              item.updated_at > position[0] || (item.updated_at === position[0] && item.id > position[1]),
          )
        : firstAfter(store.ids, position[1]);
      if (start < 0) start = total;
    }
    const data = slice(start, limit);
    const last = data.at(-1);
    const nextCursor =
      start + data.length < total && last
        ? Buffer.from(JSON.stringify([last.updated_at, last.id])).toString('base64url')
        : null;
    if (style === 'next') {
      return {
        body: { data, next: nextCursor ? linkTo({ cursor: nextCursor }) : null },
        headers: {},
        lastModified: newest(data),
      };
    }
    return { body: { data, next_cursor: nextCursor }, headers: {}, lastModified: newest(data) };
  }
  if (query.has('offset')) {
    const offset = Math.max(0, Number.parseInt(query.get('offset') ?? '0', 10) || 0);
    const limit = size('limit');
    const data = slice(offset, limit);
    return { body: { data, total, offset, limit }, headers: {}, lastModified: newest(data) };
  }
  const perPage = size('per_page');
  const page = Math.max(1, Number.parseInt(query.get('page') ?? '1', 10) || 1);
  const data = slice((page - 1) * perPage, perPage);
  const lastPage = Math.max(1, Math.ceil(total / perPage));
  if (style === 'link') {
    const link = (target: number) => `<${linkTo({ page: String(target) })}>`;
    const parts = [`${link(lastPage)}; rel="last"`];
    if (page < lastPage) parts.unshift(`${link(page + 1)}; rel="next"`);
    return { body: data, headers: { link: parts.join(', ') }, lastModified: newest(data) };
  }
  return {
    body: { data, meta: { page, per_page: perPage, total, last_page: lastPage } },
    headers: {},
    lastModified: newest(data),
  };
}
