// Bad input the fuzzing found answered wrongly, pinned: a URL the router cannot decode, NUL
// characters (which PostgreSQL stores neither as text nor in jsonb) in paths, queries and bodies,
// and what Node's HTTP parser refuses before the hub sees a request (headers too large, bytes that
// are not HTTP, request smuggling). Each is a 4xx problem+json naming what is wrong, and nothing
// is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubTables } from './support/attack/hubTables.ts';
import { sendOverSocket, socketCases } from './support/attack/rawHttp.ts';
import { restIntegration, startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub({}, { listen: true });
});

afterAll(async () => {
  await hub.close();
});

function expectProblem(response: Awaited<ReturnType<TestHub['request']>>, status: number) {
  expect(response.status).toBe(status);
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status, type: expect.any(String), detail: expect.any(String) });
}

describe('bad input found by fuzzing', () => {
  it('answers a URL that cannot be decoded with a problem, not fastify’s own JSON', async () => {
    const response = await hub.request({ method: 'GET', url: '/api/v1/connectors/%' });
    expectProblem(response, 400);
    expect(response.body.code).toBe('BAD_URL');
  });

  it('refuses NUL characters in path parameters, queries and bodies with 400 naming the field, writing nothing', async () => {
    const tables = await hubTables(hub.db);
    const before = await tables.fingerprint();
    const created = await hub.request({
      method: 'POST',
      url: '/api/v1/integrations',
      body: restIntegration(),
    });
    expect(created.status).toBe(201);
    const inPath = await hub.request({
      method: 'GET',
      url: `/api/v1/integrations/${created.body.id}/records/%00`,
    });
    expectProblem(inPath, 400);
    expect(inPath.body.errors).toEqual([{ field: 'path.entity', message: expect.stringContaining('NUL') }]);
    const inQuery = await hub.request({ method: 'GET', url: '/api/v1/audit?action=a%00b' });
    expectProblem(inQuery, 400);
    expect(inQuery.body.errors[0].field).toBe('query.action');
    const afterCreate = await tables.fingerprint();
    for (const [body, field] of [
      [restIntegration({ name: 'Mensa\u0000Nord' }), 'name'],
      [
        restIntegration({
          config: {
            baseUrl: 'https://erp.example.org',
            auth: { kind: 'apiKey' },
            headers: { 'x-a': 'a\u0000' },
          },
        }),
        'config.headers.x-a',
      ],
      [restIntegration({ mapping: { 'a\u0000': {} } }), 'mapping.a\u0000'],
    ] as const) {
      const response = await hub.request({ method: 'POST', url: '/api/v1/integrations', body });
      expectProblem(response, 400);
      expect(response.body.errors[0].field).toBe(field);
    }
    const published = await hub.request({
      method: 'POST',
      url: '/api/v1/events',
      body: { type: 'credit.checked', data: { customerId: 'c\u0000' } },
    });
    expectProblem(published, 400);
    expect(published.body.errors[0].field).toBe('data.customerId');
    expect(await tables.fingerprint()).toEqual(afterCreate);
    expect(afterCreate).not.toEqual(before);
  });

  it('refuses bodies nested deeper than 100 levels with a 400 before merging or validating them', async () => {
    const created = await hub.request({
      method: 'POST',
      url: '/api/v1/integrations',
      body: restIntegration(),
    });
    const deep = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const cases = [
      ['POST', '/api/v1/mapping/preview', `{"mapping":${deep(20_000)},"records":[]}`, 'application/json'],
      ['POST', '/api/v1/events', `{"type":"credit.checked","data":${deep(5_000)}}`, 'application/json'],
      // A merge patch this deep overflowed the stack of the merge (a 500) before.
      [
        'PATCH',
        `/api/v1/integrations/${created.body.id}`,
        `{"config":${deep(10_000)}}`,
        'application/merge-patch+json',
      ],
      ['PATCH', `/api/v1/integrations/${created.body.id}`, `{"config":${deep(10_000)}}`, 'application/json'],
    ] as const;
    for (const [method, url, body, contentType] of cases) {
      const response = await hub.request({
        method,
        url,
        body,
        headers: { 'content-type': contentType, 'if-match': '*' },
      });
      expectProblem(response, 400);
      expect(response.body.code, url).toBe('BODY_TOO_DEEP');
    }
    const after = await hub.request({ method: 'GET', url: `/api/v1/integrations/${created.body.id}` });
    expect(after.body.version).toBe(1);
    // 100 levels are still fine: the connector's own validation answers.
    const allowed = await hub.request({
      method: 'PATCH',
      url: `/api/v1/integrations/${created.body.id}`,
      body: `{"config":{"resources":${deep(90)}}}`,
      headers: { 'content-type': 'application/merge-patch+json', 'if-match': '*' },
    });
    expect(allowed.status).toBe(400);
    expect(allowed.body.code).toBe('VALIDATION_FAILED');
  });

  it('answers what Node refuses before routing as problem+json too', async () => {
    for (const entry of socketCases.filter((item) => item.expectStatus !== 413)) {
      const answer = await sendOverSocket(hub.hub.url, entry.bytes({ bodyLimit: 1_048_576 }));
      expect(answer.status, entry.label).toBe(entry.expectStatus);
      expect(answer.headers['content-type'], entry.label).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(answer.text)).toMatchObject({ status: entry.expectStatus });
    }
  });
});
