// Pagination helpers for the styles APIs use: page number, offset, cursor, next URL in the body,
// and the RFC 8288 Link header. A page's position is plain JSON (PageState), so a sync can store
// it as its checkpoint and resume exactly there after a crash.
import { z } from 'zod';
import type { ConnectorHttpClient, HttpResponse } from './httpClient.ts';
import { readPath } from './readPath.ts';

export const paginationSchema = z.discriminatedUnion('style', [
  z.strictObject({ style: z.literal('none') }),
  z.strictObject({
    style: z.literal('page'),
    pageParam: z.string().default('page'),
    sizeParam: z.string().default('per_page'),
    pageSize: z.number().int().min(1).max(10_000).default(100),
    firstPage: z.number().int().min(0).default(1),
    /** Where the body says how many pages there are; without it, a short page is the last. */
    lastPagePath: z.string().optional(),
  }),
  z.strictObject({
    style: z.literal('offset'),
    offsetParam: z.string().default('offset'),
    limitParam: z.string().default('limit'),
    pageSize: z.number().int().min(1).max(10_000).default(100),
    totalPath: z.string().optional(),
  }),
  z.strictObject({
    style: z.literal('cursor'),
    cursorParam: z.string().default('cursor'),
    limitParam: z.string().default('limit'),
    pageSize: z.number().int().min(1).max(10_000).default(100),
    nextCursorPath: z.string().default('next_cursor'),
  }),
  z.strictObject({
    style: z.literal('nextUrl'),
    nextUrlPath: z.string().default('next'),
    limitParam: z.string().optional(),
    pageSize: z.number().int().min(1).max(10_000).optional(),
  }),
  z.strictObject({
    style: z.literal('linkHeader'),
    pageParam: z.string().optional(),
    sizeParam: z.string().optional(),
    pageSize: z.number().int().min(1).max(10_000).optional(),
  }),
]);
export type Pagination = z.output<typeof paginationSchema>;

/** Where the next page starts. `null` before the first page. */
export type PageState = { page: number } | { offset: number } | { cursor: string } | { url: string };

export interface PageRequest {
  path: string;
  query?: Record<string, string | number | boolean | undefined | null>;
  /** Where the records are in the body; empty for a bare array. */
  recordsPath?: string;
  conditional?: boolean;
  signal?: AbortSignal;
}

export interface Page {
  records: unknown[];
  /** Where the following page starts; null when this was the last one. */
  next: PageState | null;
  response: HttpResponse;
}

export async function fetchPage(
  client: ConnectorHttpClient,
  pagination: Pagination,
  request: PageRequest,
  state: PageState | null,
): Promise<Page> {
  const query = { ...request.query };
  let path = request.path;
  if (state && 'url' in state) {
    path = state.url;
    for (const key of Object.keys(query)) delete query[key];
  } else {
    switch (pagination.style) {
      case 'page':
        query[pagination.pageParam] = state && 'page' in state ? state.page : pagination.firstPage;
        query[pagination.sizeParam] = pagination.pageSize;
        break;
      case 'offset':
        query[pagination.offsetParam] = state && 'offset' in state ? state.offset : 0;
        query[pagination.limitParam] = pagination.pageSize;
        break;
      case 'cursor':
        if (state && 'cursor' in state) query[pagination.cursorParam] = state.cursor;
        query[pagination.limitParam] = pagination.pageSize;
        break;
      case 'nextUrl':
        if (pagination.limitParam && pagination.pageSize) query[pagination.limitParam] = pagination.pageSize;
        break;
      case 'linkHeader':
        if (pagination.pageParam) query[pagination.pageParam] = 1;
        if (pagination.sizeParam && pagination.pageSize) query[pagination.sizeParam] = pagination.pageSize;
        break;
      case 'none':
        break;
    }
  }
  const response = await client.request({
    path,
    query,
    conditional: request.conditional ?? false,
    parseJson: true,
    ...(request.signal ? { signal: request.signal } : {}),
  });
  const body = response.json<unknown>();
  const found = request.recordsPath ? readPath(body, request.recordsPath) : body;
  const records = Array.isArray(found) ? found : [];
  if (!Array.isArray(found) && found !== undefined && found !== null) {
    throw new TypeError(`the records at "${request.recordsPath ?? '(body)'}" are not an array`);
  }
  return { records, next: nextState(pagination, state, body, records.length, response, client), response };
}

function nextState(
  pagination: Pagination,
  state: PageState | null,
  body: unknown,
  count: number,
  response: HttpResponse,
  client: ConnectorHttpClient,
): PageState | null {
  switch (pagination.style) {
    case 'none':
      return null;
    case 'page': {
      const page = state && 'page' in state ? state.page : pagination.firstPage;
      const lastPage = pagination.lastPagePath ? Number(readPath(body, pagination.lastPagePath)) : undefined;
      if (count === 0) return null;
      if (lastPage !== undefined && Number.isFinite(lastPage))
        return page < lastPage ? { page: page + 1 } : null;
      return count < pagination.pageSize ? null : { page: page + 1 };
    }
    case 'offset': {
      const offset = (state && 'offset' in state ? state.offset : 0) + count;
      const total = pagination.totalPath ? Number(readPath(body, pagination.totalPath)) : undefined;
      if (count === 0) return null;
      if (total !== undefined && Number.isFinite(total)) return offset < total ? { offset } : null;
      return count < pagination.pageSize ? null : { offset };
    }
    case 'cursor': {
      const cursor = readPath(body, pagination.nextCursorPath);
      return typeof cursor === 'string' && cursor.length > 0 ? { cursor } : null;
    }
    case 'nextUrl': {
      const url = readPath(body, pagination.nextUrlPath);
      return typeof url === 'string' && url.length > 0 ? { url: client.resolve(url).toString() } : null;
    }
    case 'linkHeader': {
      const raw = response.headers.link;
      const next = parseLinkHeader(Array.isArray(raw) ? raw.join(', ') : (raw ?? '')).next;
      return next ? { url: client.resolve(new URL(next, response.url).toString()).toString() } : null;
    }
  }
}

/** RFC 8288 Link header → relation name to URL. */
export function parseLinkHeader(header: string): Record<string, string> {
  const links: Record<string, string> = {};
  for (const part of header.matchAll(/<([^>]*)>\s*((?:;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(part[2] ?? '')?.[1];
    if (!rel || !part[1]) continue;
    for (const name of rel.trim().split(/\s+/)) links[name.toLowerCase()] ??= part[1];
  }
  return links;
}

/** Every record of every page, for connectors and callers that do not checkpoint. */
export async function* paginate(
  client: ConnectorHttpClient,
  pagination: Pagination,
  request: PageRequest,
): AsyncGenerator<unknown[]> {
  let state: PageState | null = null;
  do {
    const page = await fetchPage(client, pagination, request, state);
    yield page.records;
    state = page.next;
  } while (state);
}
