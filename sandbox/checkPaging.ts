// Starts every record-holding sandbox with many records (100,000 by default) and reads its first
// and last page through the sandbox's own paging, printing one JSON line per sandbox with the
// times it took:  node sandbox/checkPaging.ts [--records 100000]
// Cursor-paged APIs (Salesforce, monday, Google, Graph) have no way to the last page but through
// all of them: their whole walk is timed.
import { parseArgs } from 'node:util';
import type { OutgoingRequest } from '../src/connectors/sdk/auth/authProvider.ts';
import { digestAuth } from '../src/connectors/sdk/auth/digestAuth.ts';
import { startGoogleSandbox } from './google/server.ts';
import { startGraphSandbox } from './graph/server.ts';
import { startKlentySandbox } from './klenty/server.ts';
import { startMondaySandbox } from './monday/server.ts';
import { startRecordSource } from './recordSource/server.ts';
import { startSalesforceSandbox } from './salesforce/server.ts';
import { startSoapSandbox } from './soap/server.ts';
import { startXentralSandbox } from './xentral/server.ts';

const { values } = parseArgs({ options: { records: { type: 'string', default: '100000' } } });
const records = Number(values.records);

interface Timings {
  startMs: number;
  firstPageMs: number;
  lastPageMs: number;
  requests: number;
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, Math.round(performance.now() - started)];
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(what);
}

// biome-ignore lint/suspicious/noExplicitAny: answers of every vendor's shape
async function json(url: string, init: RequestInit = {}): Promise<any> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: HTTP ${response.status}`);
  return response.json();
}

async function refreshGrant(
  tokenUrl: string,
  client: { clientId: string; clientSecret: string },
  token: string,
) {
  const answer = await json(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: token,
      client_id: client.clientId,
      client_secret: client.clientSecret,
    }),
  });
  return answer.access_token as string;
}

/** Follows a cursor-paged list to its end; `next` reads a page and says where the next one is. */
async function walk(
  first: () => Promise<{ count: number; next: string | undefined }>,
  next: (cursor: string) => Promise<{ count: number; next: string | undefined }>,
): Promise<{ firstPageMs: number; lastPageMs: number; requests: number }> {
  const [page, firstPageMs] = await timed(first);
  let { count, next: cursor } = page;
  let requests = 1;
  const [, restMs] = await timed(async () => {
    while (cursor) {
      const answer = await next(cursor);
      count += answer.count;
      cursor = answer.next;
      requests += 1;
    }
  });
  check(count === records, `walked ${count} records, expected ${records}`);
  return { firstPageMs, lastPageMs: restMs, requests };
}

const checks: Record<string, () => Promise<Timings>> = {
  async xentral() {
    const [target, startMs] = await timed(() => startXentralSandbox({ customers: records }));
    try {
      const auth = { authorization: `Bearer ${target.token}` };
      const list = (page: number) =>
        json(`${target.url}/api/v1/customers?page[size]=50&page[number]=${page}`, { headers: auth });
      const [first, firstPageMs] = await timed(() => list(1));
      check(first.data.length === 50 && first.meta.totalCount === records, 'first page');
      const lastPage = Math.ceil(records / 50);
      const [last, lastPageMs] = await timed(() => list(lastPage));
      check(last.data.length === records - (lastPage - 1) * 50 && !last.links.next, 'last page');
      return { startMs, firstPageMs, lastPageMs, requests: 2 };
    } finally {
      await target.close();
    }
  },
  async 'xentral-legacy'() {
    const [target, startMs] = await timed(() => startXentralSandbox({ customers: records }));
    try {
      const auth = digestAuth(target.legacyAccount.username, target.legacyAccount.password);
      type Page = { data: unknown[]; pagination: { items_total: number; page_last: number } };
      const list = async (page: number): Promise<Page> => {
        const request: OutgoingRequest = {
          method: 'GET',
          url: new URL(`${target.url}/api/v1/adressen?page=${page}&items=1000`),
          headers: {},
        };
        for (;;) {
          await auth.apply(request);
          const response = await fetch(request.url, { headers: request.headers });
          if (response.status !== 401) return (await response.json()) as Page;
          const challenge = { 'www-authenticate': response.headers.get('www-authenticate') ?? '' };
          check(
            (await auth.onUnauthorized?.({ status: 401, headers: challenge }, request)) === true,
            'digest',
          );
        }
      };
      const [first, firstPageMs] = await timed(() => list(1));
      check(first.data.length === 1000 && first.pagination.items_total === records, 'first page');
      const lastPage = first.pagination.page_last;
      const [last, lastPageMs] = await timed(() => list(lastPage));
      check(last.data.length === records - (lastPage - 1) * 1000, 'last page');
      return { startMs, firstPageMs, lastPageMs, requests: 2 };
    } finally {
      await target.close();
    }
  },
  async salesforce() {
    const [target, startMs] = await timed(() => startSalesforceSandbox({ accounts: records }));
    try {
      const token = await refreshGrant(`${target.url}/services/oauth2/token`, target.client, target.grant());
      const auth = { authorization: `Bearer ${token}` };
      const batch = async (path: string) => {
        const answer = await json(`${target.url}${path}`, { headers: auth });
        return { count: answer.records.length as number, next: answer.nextRecordsUrl as string | undefined };
      };
      const soql = encodeURIComponent('SELECT Id, Name FROM Account ORDER BY Id ASC');
      return { startMs, ...(await walk(() => batch(`/services/data/v65.0/query?q=${soql}`), batch)) };
    } finally {
      await target.close();
    }
  },
  async klenty() {
    const [target, startMs] = await timed(() => startKlentySandbox({ prospects: records }));
    try {
      const list = (start: number) =>
        json(`${target.baseUrl}/prospects?start=${start}&limit=100`, {
          headers: { 'x-API-key': target.apiKey },
        });
      const [first, firstPageMs] = await timed(() => list(0));
      const [last, lastPageMs] = await timed(() => list(records - 100));
      check(first.length === 100 && last.length === 100 && (await list(records)).length === 0, 'pages');
      return { startMs, firstPageMs, lastPageMs, requests: 3 };
    } finally {
      await target.close();
    }
  },
  async monday() {
    const [target, startMs] = await timed(() => startMondaySandbox({ items: records }));
    try {
      const query = async (body: object) =>
        json(target.endpoint, {
          method: 'POST',
          headers: {
            authorization: target.token,
            'content-type': 'application/json',
            'API-Version': '2025-04',
          },
          body: JSON.stringify(body),
        });
      const page = (answer: { items: unknown[]; cursor: string | null }) => ({
        count: answer.items.length,
        next: answer.cursor ?? undefined,
      });
      return {
        startMs,
        ...(await walk(
          async () =>
            page(
              (
                await query({
                  query:
                    'query ($boardId: [ID!], $limit: Int!) { boards(ids: $boardId) { items_page(limit: $limit) { cursor items { id } } } }',
                  variables: { boardId: [target.boardId], limit: 500 },
                })
              ).data.boards[0].items_page,
            ),
          async (cursor) =>
            page(
              (
                await query({
                  query:
                    'query ($cursor: String!, $limit: Int!) { next_items_page(cursor: $cursor, limit: $limit) { cursor items { id } } }',
                  variables: { cursor, limit: 500 },
                })
              ).data.next_items_page,
            ),
        )),
      };
    } finally {
      await target.close();
    }
  },
  async google() {
    const [target, startMs] = await timed(() => startGoogleSandbox({ events: records }));
    try {
      const token = await refreshGrant(target.tokenUrl, target.client, target.grant());
      const events = `${target.url}/calendar/v3/calendars/${encodeURIComponent(target.calendarId)}/events?maxResults=2500`;
      const list = async (pageToken?: string) => {
        const answer = await json(`${events}${pageToken ? `&pageToken=${pageToken}` : ''}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        check(answer.nextPageToken !== undefined || answer.nextSyncToken !== undefined, 'no token');
        return { count: answer.items.length as number, next: answer.nextPageToken as string | undefined };
      };
      return { startMs, ...(await walk(() => list(), list)) };
    } finally {
      await target.close();
    }
  },
  async graph() {
    const [target, startMs] = await timed(() => startGraphSandbox({ events: records, messages: records }));
    try {
      const token = await refreshGrant(
        `${target.url}/common/oauth2/v2.0/token`,
        target.client,
        target.grant(),
      );
      const headers = { authorization: `Bearer ${token}`, prefer: 'odata.maxpagesize=1000' };
      const read = async (url: string) => {
        const answer = await json(url, { headers });
        check(answer['@odata.nextLink'] !== undefined || answer['@odata.deltaLink'] !== undefined, 'no link');
        return {
          count: answer.value.length as number,
          next: answer['@odata.nextLink'] as string | undefined,
        };
      };
      return { startMs, ...(await walk(() => read(`${target.url}/v1.0/me/calendarView/delta`), read)) };
    } finally {
      await target.close();
    }
  },
  async 'record-source'() {
    const [source, startMs] = await timed(() => startRecordSource({ count: records }));
    try {
      const list = (offset: number) => json(`${source.url}/customers?offset=${offset}&limit=1000`);
      const [first, firstPageMs] = await timed(() => list(0));
      check(first.data.length === 1000 && first.total === records, 'first page');
      const [last, lastPageMs] = await timed(() => list(records - 1000));
      check(last.data.length === 1000 && (await list(records)).data.length === 0, 'last page');
      return { startMs, firstPageMs, lastPageMs, requests: 3 };
    } finally {
      await source.close();
    }
  },
  async soap() {
    const [erp, startMs] = await timed(() => startSoapSandbox({ kunden: records, artikel: records }));
    try {
      const call = async (operation: string, args: Record<string, number>) => {
        const body = Object.entries(args)
          .map(([name, value]) => `<w:${name}>${value}</w:${name}>`)
          .join('');
        const response = await fetch(erp.endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'text/xml; charset=utf-8',
            soapaction: `"http://warenwirtschaft.example/soap/${operation}"`,
            authorization: `Basic ${Buffer.from(`${erp.username}:${erp.password}`).toString('base64')}`,
          },
          body: `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:w="http://warenwirtschaft.example/soap"><soapenv:Body><w:${operation}>${body}</w:${operation}></soapenv:Body></soapenv:Envelope>`,
        });
        check(response.ok, `${operation}: HTTP ${response.status}`);
        return response.text();
      };
      const count = (xml: string, element: string) =>
        xml.match(new RegExp(`<(?:\\w+:)?${element}>`, 'g'))?.length ?? 0;
      const [first, firstPageMs] = await timed(() => call('GetKunden', { page: 1, pageSize: 500 }));
      check(count(first, 'Kunde') === 500 && first.includes(`Gesamt>${records}<`), 'first page');
      const [last, lastPageMs] = await timed(() =>
        call('GetKunden', { page: Math.ceil(records / 500), pageSize: 500 }),
      );
      check(count(last, 'Kunde') === records - (Math.ceil(records / 500) - 1) * 500, 'last page');
      const articles = await call('GetArtikel', { offset: records - 500, limit: 500 });
      check(count(articles, 'Artikel') === 500, 'last articles');
      return { startMs, firstPageMs, lastPageMs, requests: 3 };
    } finally {
      await erp.close();
    }
  },
};

let failed = false;
for (const [sandbox, run] of Object.entries(checks)) {
  try {
    const timings = await run();
    process.stdout.write(`${JSON.stringify({ sandbox, records, ok: true, ...timings })}\n`);
  } catch (error) {
    failed = true;
    process.stdout.write(
      `${JSON.stringify({ sandbox, records, ok: false, error: (error as Error).message })}\n`,
    );
  }
}
process.exit(failed ? 1 : 0);
