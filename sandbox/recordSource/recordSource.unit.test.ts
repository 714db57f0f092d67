import { afterEach, describe, expect, it } from 'vitest';
import { generateCustomers } from './customers.ts';
import { type RecordSource, startRecordSource } from './server.ts';

let source: RecordSource | undefined;
afterEach(async () => {
  await source?.close();
  source = undefined;
});

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${source?.url}${path}`, { headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

describe('the record source', () => {
  it('generates the same realistic records from the same seed', () => {
    const [a, b] = [generateCustomers(1000, 3), generateCustomers(1000, 3)];
    expect(a).toEqual(b);
    expect(generateCustomers(1000, 4)[0]).not.toEqual(a[0]);
    expect(a[0]?.kreditlimit).toMatch(/^\d{1,3}(\.\d{3})*,\d{2}$/);
    expect(a[0]?.kunde_seit).toMatch(/^\d{2}\.\d{2}\.\d{4}$/);
    expect(a[0]?.adresse.plz).toMatch(/^\d{5}$/);
  });

  it('pages by cursor without skipping a record that changes mid-walk, and shows tombstones to change feeds', async () => {
    source = await startRecordSource({ count: 250 });
    const seen: string[] = [];
    let cursor = '';
    let page = 0;
    do {
      const answer = await get(`/customers?limit=100&cursor=${cursor}`);
      seen.push(...answer.body.data.map((record: { id: string }) => record.id));
      cursor = answer.body.next_cursor ?? '';
      if (page++ === 0) {
        source.update('C000050', { firma: 'Neu' });
        source.remove('C000010');
      }
    } while (cursor);
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    const changes = await get('/customers?updated_since=2026-06-01T00:00:00.000Z&limit=100&cursor=');
    expect(
      changes.body.data.map((record: { id: string; deleted?: boolean }) => [
        record.id,
        record.deleted ?? false,
      ]),
    ).toEqual([
      ['C000050', false],
      ['C000010', true],
    ]);
  });

  it('answers 304 to a matching ETag, 429 with Retry-After over its limit, and 401 without the token', async () => {
    source = await startRecordSource({
      count: 10,
      token: 'secret-token',
      rateLimit: { limit: 2, windowMs: 60_000 },
    });
    const auth = { authorization: 'Bearer secret-token' };
    expect((await get('/customers', {})).status).toBe(401);
    const first = await get('/customers?page=1&per_page=5', auth);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag') ?? '';
    expect((await get('/customers?page=1&per_page=5', { ...auth, 'if-none-match': etag })).status).toBe(304);
    const limited = await get('/customers?page=1&per_page=5', auth);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('injects every kind of fault it is asked for', async () => {
    source = await startRecordSource({ count: 10 });
    source.setFaults({ rate: 1, kinds: ['503', 'reset', 'malformed', 'timeout'], timeoutMs: 2_000, seed: 3 });
    const outcomes = new Set<string>();
    for (let i = 0; i < 20; i++) {
      try {
        const response = await fetch(`${source.url}/customers`, { signal: AbortSignal.timeout(300) });
        const text = await response.text();
        outcomes.add(response.status === 200 ? (isJson(text) ? 'ok' : 'malformed') : String(response.status));
      } catch (error) {
        outcomes.add((error as Error).name === 'TimeoutError' ? 'timeout' : 'reset');
      }
    }
    expect([...outcomes].sort()).toEqual(['503', 'malformed', 'reset', 'timeout']);
    source.setFaults(null);
    await source.setOutage(true);
    expect((await get('/health')).status).toBe(503);
    await source.setOutage(false);
    expect((await get('/health')).status).toBe(200);
  });
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
