// The event schema registry on a real hub: shipped schemas, publishing CRM events validated
// against them, `dataschema` on what GET /events returns, and compatibility modes on new versions.
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmEvents } from './support/crmEventSamples.ts';
import { restIntegration, startTestHub, type TestHub } from './support/testHub.ts';

let t: TestHub;
let operator: string;
const moduleName = 'leads-module';

beforeAll(async () => {
  t = await startTestHub();
  const created = await t.request({
    method: 'POST',
    url: '/api/v1/api-keys',
    body: { name: moduleName, role: 'operator' },
  });
  expect(created.status).toBe(201);
  operator = created.body.token;
});
afterAll(async () => {
  await t?.close();
});

const publish = (body: unknown, token = operator) =>
  t.request({ method: 'POST', url: '/api/v1/events', body, token });
const register = (type: string, body: unknown) =>
  t.request({ method: 'POST', url: `/api/v1/schemas/${type}/versions`, body });
const schemaOf = async (type: string, version: number | 'latest' = 1) =>
  (await t.request({ method: 'GET', url: `/api/v1/schemas/${type}/versions/${version}` })).body;

/** The events of a type once the relay has numbered them (GET /events shows numbered ones). */
async function eventsOf(type: string, count: number) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const page = await t.request({ method: 'GET', url: `/api/v1/events?type=${type}&limit=1000` });
    const items = page.body.items.filter((event: { type: string }) => event.type === type);
    if (items.length >= count || Date.now() > deadline) return items;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('shipped schemas', () => {
  it('lists the integration, record and CRM event types as version 1', async () => {
    const list = await t.request({ method: 'GET', url: '/api/v1/schemas' });
    expect(list.status).toBe(200);
    const byType = new Map(list.body.items.map((item: { type: string }) => [item.type, item]));
    for (const type of [
      'integration.connected',
      'integration.sync_completed',
      'integration.webhook_failed',
      'email.sent',
      'customer.created',
      'calendarEvent.deleted',
      ...Object.keys(crmEvents),
    ]) {
      expect(byType.get(type), type).toMatchObject({ latestVersion: 1, compatibility: 'BACKWARD' });
    }
    expect(byType.get('customer.updated')).toMatchObject({ writtenBy: 'hub' });
    expect(byType.get('credit.checked')).toMatchObject({
      writtenBy: 'modules',
      dataschema: '/api/v1/schemas/credit.checked/versions/1',
    });
  });

  it('serves a version as the schema document itself, and registering at start again changes nothing', async () => {
    const response = await t.request({ method: 'GET', url: '/api/v1/schemas/credit.checked/versions/1' });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/schema\+json/);
    expect(response.body.properties.result.enum).toEqual(['approved', 'declined', 'review']);
    await t.hub.context.schemas.registerShipped();
    const versions = await t.request({ method: 'GET', url: '/api/v1/schemas/credit.checked' });
    expect(versions.body.versions.map((each: { version: number }) => each.version)).toEqual([1]);
    const missing = await t.request({ method: 'GET', url: '/api/v1/schemas/credit.checked/versions/9' });
    expect(missing.status).toBe(404);
  });
});

describe('publishing', () => {
  it('writes valid CRM events to the outbox, with source, trace id and dataschema', async () => {
    for (const [type, data] of Object.entries(crmEvents)) {
      const response = await publish({ type, subject: `test/${type}`, data });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      expect(response.body).toMatchObject({
        specversion: '1.0',
        type,
        source: `urn:integration-hub:modules/${moduleName}`,
        dataschema: `/api/v1/schemas/${type}/versions/1`,
        data,
      });
      const stored = await t.db.query('SELECT trace_id FROM outbox_events WHERE id = $1', [response.body.id]);
      expect(stored.rows[0]?.trace_id).toBe(response.headers['x-trace-id']);
    }
    for (const type of Object.keys(crmEvents)) {
      const [event] = await eventsOf(type, 1);
      expect(event).toMatchObject({ type, dataschema: `/api/v1/schemas/${type}/versions/1` });
      expect(event.position).toBeGreaterThan(0);
      const served = await t.request({ method: 'GET', url: event.dataschema });
      expect(served.status).toBe(200);
    }
  });

  it('keeps a source the module gives', async () => {
    const response = await publish({
      type: 'order.synced',
      source: 'urn:crm:orders',
      data: crmEvents['order.synced'],
    });
    expect(response.body.source).toBe('urn:crm:orders');
  });

  it('refuses invalid data with 400, naming each field, and writes nothing', async () => {
    const before = await t.db.query(
      "SELECT count(*)::int AS n FROM outbox_events WHERE type = 'credit.checked'",
    );
    const { customerId: _dropped, ...rest } = crmEvents['credit.checked'];
    const response = await publish({
      type: 'credit.checked',
      data: { ...rest, result: 'maybe', limit: 'a lot', checkedAt: 'yesterday' },
    });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.code).toBe('EVENT_DATA_INVALID');
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'data.customerId', message: 'is required' },
        { field: 'data.result', message: 'must be one of "approved", "declined", "review"' },
        { field: 'data.limit', message: 'must be number,null' },
        { field: 'data.checkedAt', message: 'must match format "date-time"' },
      ]),
    );
    const nested = await publish({
      type: 'sample.status.changed',
      data: { ...crmEvents['sample.status.changed'], products: [{ quantity: -1 }] },
    });
    expect(nested.body.errors.map((error: { field: string }) => error.field)).toEqual(
      expect.arrayContaining(['data.products[0].sku', 'data.products[0].quantity']),
    );
    const after = await t.db.query(
      "SELECT count(*)::int AS n FROM outbox_events WHERE type = 'credit.checked'",
    );
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('refuses unknown types (422), types the hub writes itself, and viewers', async () => {
    const unknown = await publish({ type: 'nothing.known', data: {} });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({ code: 'UNKNOWN_EVENT_TYPE', errors: [{ field: 'type' }] });
    const reserved = await publish({ type: 'customer.created', data: {} });
    expect(reserved.status).toBe(422);
    expect(reserved.body.code).toBe('EVENT_TYPE_RESERVED');
    const missingData = await publish({ type: 'credit.checked' });
    expect(missingData.status).toBe(400);
    expect(missingData.body.errors).toEqual([{ field: 'data', message: 'is required' }]);
    const viewer = await t.request({
      method: 'POST',
      url: '/api/v1/api-keys',
      body: { name: 'reader', role: 'viewer' },
    });
    expect((await publish({ type: 'credit.checked', data: {} }, viewer.body.token)).status).toBe(403);
  });
});

describe('events the hub writes', () => {
  it('carry the dataschema of the version the hub writes, and their data conforms to it', async () => {
    const integration = await t.request({
      method: 'POST',
      url: '/api/v1/integrations',
      body: restIntegration(),
    });
    expect(integration.status).toBe(201);
    expect((await t.request({ method: 'POST', url: '/api/v1/reports/daily', body: {} })).status).toBe(200);
    const [report] = await eventsOf('integration.daily_report', 1);
    expect(report.dataschema).toBe('/api/v1/schemas/integration.daily_report/versions/1');
    const ajv = (formats as unknown as (ajv: Ajv) => Ajv)(new Ajv({ allErrors: true }));
    const validate = ajv.compile(await schemaOf('integration.daily_report'));
    expect(validate(report.data), JSON.stringify(validate.errors)).toBe(true);

    await t.db.query(
      `INSERT INTO outbox_events (id, type, source, data)
       VALUES (gen_random_uuid(), 'customer.updated', 'urn:test', '{"integrationId": "x"}')`,
    );
    const [record] = await eventsOf('customer.updated', 1);
    expect(record.dataschema).toBe('/api/v1/schemas/customer.updated/versions/1');
  });
});

describe('new versions and compatibility', () => {
  it('rejects BACKWARD-breaking changes to credit.checked with 409 naming the field', async () => {
    const v1 = await schemaOf('credit.checked');
    const requiredAdded = {
      ...v1,
      properties: { ...v1.properties, creditLimit: { type: 'number' } },
      required: [...v1.required, 'creditLimit'],
    };
    const response = await register('credit.checked', { schema: requiredAdded });
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('SCHEMA_INCOMPATIBLE');
    expect(response.body.errors).toEqual([
      {
        field: 'data.creditLimit',
        message: 'added as required without a default: data written by version 1 lacks it (BACKWARD)',
      },
    ]);
    expect(response.body.detail).toContain('data.creditLimit: added as required');

    const narrowed = { ...v1, properties: { ...v1.properties, limit: { type: 'number', minimum: 0 } } };
    const narrowing = await register('credit.checked', { schema: narrowed });
    expect(narrowing.status).toBe(409);
    expect(narrowing.body.errors).toEqual([
      {
        field: 'data.limit',
        message:
          'type narrowed from number|null to number: data written by version 1 may hold null (BACKWARD)',
      },
    ]);

    const result = { ...v1.properties.result, enum: ['approved', 'declined'] };
    const enumNarrowed = await register('credit.checked', {
      schema: { ...v1, properties: { ...v1.properties, result } },
    });
    expect(enumNarrowed.status).toBe(409);
    expect(enumNarrowed.body.errors[0]).toMatchObject({ field: 'data.result' });
    expect(enumNarrowed.body.errors[0].message).toMatch(/"review" removed/);
  });

  it('accepts an optional field as version 2, idempotently, and publishes against either version', async () => {
    const v1 = await schemaOf('credit.checked');
    const v2 = { ...v1, properties: { ...v1.properties, creditLimit: { type: 'number', minimum: 0 } } };
    const created = await register('credit.checked', { schema: v2 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ version: 2, compatibility: 'BACKWARD' });
    expect(created.headers.location).toBe('/api/v1/schemas/credit.checked/versions/2');
    const again = await register('credit.checked', { schema: v2 });
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(2);
    expect((await schemaOf('credit.checked', 'latest')).properties.creditLimit).toEqual({
      type: 'number',
      minimum: 0,
    });

    const data = { ...crmEvents['credit.checked'], creditLimit: 30000 };
    expect((await publish({ type: 'credit.checked', data })).body.dataschema).toBe(
      '/api/v1/schemas/credit.checked/versions/2',
    );
    const pinned = await publish({ type: 'credit.checked', data, dataschemaVersion: 1 });
    expect(pinned.body.dataschema).toBe('/api/v1/schemas/credit.checked/versions/1');
    const absent = await publish({ type: 'credit.checked', data, dataschemaVersion: 9 });
    expect(absent.status).toBe(422);
    expect(absent.body.errors).toEqual([
      { field: 'dataschemaVersion', message: 'credit.checked has versions 1 to 2' },
    ]);
    const audit = await t.request({ method: 'GET', url: '/api/v1/audit?action=event_schema.*' });
    expect(audit.body.items.map((entry: { target: { id: string } }) => entry.target.id)).toContain(
      'credit.checked/2',
    );
  });

  it('FORWARD: consumers of the previous version must read the new one', async () => {
    const status = (values: string[]) => ({
      type: 'object',
      properties: {
        id: { type: 'string' },
        status: { type: 'string', enum: values },
        note: { type: 'string' },
      },
      required: ['id', 'status'],
    });
    const first = await register('test.forward', {
      schema: status(['open', 'done']),
      compatibility: 'FORWARD',
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ version: 1, compatibility: 'FORWARD' });
    const widened = await register('test.forward', { schema: status(['open', 'done', 'held']) });
    expect(widened.status).toBe(409);
    expect(widened.body.errors).toEqual([
      {
        field: 'data.status',
        message: 'enum value "held" added: version 1 cannot read it when version 2 writes it (FORWARD)',
      },
    ]);
    const narrowed = await register('test.forward', { schema: status(['open']) });
    expect(narrowed.status).toBe(201);
  });

  it('FULL: both directions; a field changing type breaks both', async () => {
    const schema = (code: object) => ({ type: 'object', properties: { code }, required: ['code'] });
    expect(
      (await register('test.full', { schema: schema({ type: 'string' }), compatibility: 'FULL' })).status,
    ).toBe(201);
    const changed = await register('test.full', { schema: schema({ type: 'integer' }) });
    expect(changed.status).toBe(409);
    expect(changed.body.errors.map((error: { message: string }) => error.message)).toEqual([
      'type narrowed from string to integer: data written by version 1 may hold string (FULL)',
      'type widened from string to integer: version 1 cannot read integer written by version 2 (FULL)',
    ]);
    const described = schema({ type: 'string', description: 'the code' });
    expect((await register('test.full', { schema: described })).status).toBe(201);
  });

  it('BACKWARD_TRANSITIVE checks every earlier version; the dry run says so first', async () => {
    const base = { type: 'object', properties: { name: { type: 'string' } } };
    const withCode = (code: object) => ({
      ...base,
      properties: { ...base.properties, code },
      required: ['code'],
    });
    expect((await register('test.transitive', { schema: base })).status).toBe(201);
    expect(
      (await register('test.transitive', { schema: withCode({ type: 'string', default: 'X' }) })).status,
    ).toBe(201);
    const v3 = withCode({ type: 'string' });
    const dryRun = (compatibility?: string) =>
      t.request({
        method: 'POST',
        url: '/api/v1/schemas/test.transitive/compatibility-check',
        body: { schema: v3, ...(compatibility ? { compatibility } : {}) },
        token: operator,
      });
    expect((await dryRun()).body).toEqual({
      compatible: true,
      compatibility: 'BACKWARD',
      checkedAgainst: [2],
      errors: [],
    });
    const transitive = await dryRun('BACKWARD_TRANSITIVE');
    expect(transitive.body).toMatchObject({ compatible: false, checkedAgainst: [1, 2] });
    expect(transitive.body.errors).toEqual([
      {
        field: 'data.code',
        message:
          'added as required without a default: data written by version 1 lacks it (BACKWARD_TRANSITIVE)',
      },
    ]);
    const mode = await t.request({
      method: 'PUT',
      url: '/api/v1/schemas/test.transitive/compatibility',
      body: { compatibility: 'BACKWARD_TRANSITIVE' },
    });
    expect(mode.body).toMatchObject({ type: 'test.transitive', compatibility: 'BACKWARD_TRANSITIVE' });
    expect((await register('test.transitive', { schema: v3 })).status).toBe(409);
    const versions = await t.request({ method: 'GET', url: '/api/v1/schemas/test.transitive' });
    expect(versions.body.versions.map((each: { version: number }) => each.version)).toEqual([1, 2]);
  });

  it('NONE accepts anything', async () => {
    const mode = await t.request({
      method: 'PUT',
      url: '/api/v1/schemas/test.forward/compatibility',
      body: { compatibility: 'NONE' },
    });
    expect(mode.status).toBe(200);
    const anything = await register('test.forward', { schema: { type: 'array', items: { type: 'number' } } });
    expect(anything.status).toBe(201);
    expect(anything.body).toMatchObject({ version: 3, compatibility: 'NONE' });
  });
});

describe('guards', () => {
  it('refuses schemas that are not valid JSON Schema, naming the part', async () => {
    const badType = await register('test.bad', {
      schema: { type: 'object', properties: { a: { type: 'strin' } } },
    });
    expect(badType.status).toBe(422);
    expect(badType.body.code).toBe('INVALID_SCHEMA');
    expect(badType.body.errors[0].field).toBe('schema.properties.a.type');
    const misspelt = await register('test.bad', { schema: { type: 'object', requird: ['a'] } });
    expect(misspelt.status).toBe(422);
    expect(misspelt.body.errors[0].message).toMatch(/requird/);
    expect((await t.request({ method: 'GET', url: '/api/v1/schemas/test.bad' })).status).toBe(404);
  });

  it('keeps the hub’s own types and other roles out, and versions immutable', async () => {
    const owned = await register('integration.connected', { schema: { type: 'object' } });
    expect(owned.status).toBe(409);
    expect(owned.body.code).toBe('SCHEMA_OWNED_BY_HUB');
    const asOperator = await t.request({
      method: 'POST',
      url: '/api/v1/schemas/credit.checked/versions',
      body: { schema: { type: 'object' } },
      token: operator,
    });
    expect(asOperator.status).toBe(403);
    await expect(
      t.db.query(`UPDATE event_schemas SET schema = '{}' WHERE type = 'credit.checked' AND version = 1`),
    ).rejects.toThrow(/immutable/);
    const badName = await t.request({ method: 'GET', url: '/api/v1/schemas/no%20dots' });
    expect(badName.status).toBe(400);
  });
});
