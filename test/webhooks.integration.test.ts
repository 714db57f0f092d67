// Inbound webhooks through the webhook-only connector: verified on the raw body (Standard
// Webhooks, a configured HMAC), stored before the 2xx, deduplicated, processed into records with
// their events, refused with 401 when tampered or stale, parked as dead letters and replayed.
// The webhook connector only receives: the hub never pulls from the sender, so full and
// incremental syncs, rate limits and resync signals do not apply. What applies is covered here:
// a bad signature (its "auth failure") is refused and stores nothing, and a repeat is a duplicate.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allRecords, createIntegration } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
const secret = `whsec_${randomBytes(24).toString('base64')}`;
const hmacSecret = `hmac-${randomBytes(12).toString('hex')}`;

beforeAll(async () => {
  hub = await startTestHub();
});

afterAll(async () => {
  await hub.close();
});

function orderSystem(overrides: Record<string, unknown> = {}) {
  return createIntegration(hub, {
    name: `Shop ${randomUUID().slice(0, 8)}`,
    connector: 'webhook',
    config: {
      signature: { scheme: 'standard-webhooks' },
      entities: {
        order: {
          when: { field: 'type', equals: 'order.changed' },
          recordsPath: 'data',
          idField: 'orderNo',
          deletedWhen: { field: 'status', equals: 'storniert' },
        },
      },
      ...overrides,
    },
    credentials: { webhookSecret: secret },
    entities: ['order'],
    schedule: { enabled: false },
  });
}

function signed(payload: unknown, options: { id?: string; at?: Date; body?: string } = {}) {
  const id = options.id ?? `msg_${randomUUID()}`;
  const at = options.at ?? new Date();
  const body = JSON.stringify(payload);
  const signature = new Webhook(secret).sign(id, at, body);
  return {
    body: options.body ?? body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    },
  };
}

async function post(integrationId: string, message: { body: string; headers: Record<string, string> }) {
  return hub.request({
    method: 'POST',
    url: `/webhooks/${integrationId}`,
    token: null,
    body: message.body,
    headers: message.headers,
  });
}

async function waitForWebhook(webhookId: string, states: string[], timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await hub.request({ method: 'GET', url: `/api/v1/webhooks/${webhookId}` });
    if (states.includes(found.body?.state)) return found.body;
    if (Date.now() > deadline) throw new Error(`webhook ${webhookId} stayed ${found.body?.state}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function storedCount(integrationId: string): Promise<number> {
  const { rows } = await hub.db.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM inbound_webhooks WHERE integration_id = $1',
    [integrationId],
  );
  return rows[0]?.count ?? 0;
}

const order = (orderNo: string, status = 'offen') => ({
  type: 'order.changed',
  data: [{ orderNo, customer: 'Gasthaus Zur Mühle', total: 412.5, status }],
});

describe('inbound webhooks, Standard Webhooks', () => {
  it('stores a verified webhook before the 2xx, lands its records with events, and ignores a repeat', async () => {
    const id = await orderSystem();
    const message = signed(order('A-1001'));
    const accepted = await post(id, message);
    expect(accepted.status).toBe(202);
    expect(accepted.body.duplicate).toBe(false);
    const processed = await waitForWebhook(accepted.body.id, ['processed']);
    expect(processed.outcome.records.order).toMatchObject({ created: 1 });
    expect(processed.headers['webhook-id']).toBe(message.headers['webhook-id']);
    expect(processed.headers['webhook-signature']).toBeUndefined();

    const [record] = await allRecords(hub, id, 'order');
    expect(record.externalId).toBe('A-1001');
    expect(record.data.customer).toBe('Gasthaus Zur Mühle');
    const events = await hub.db.query(
      `SELECT type, subject FROM outbox_events WHERE integration_id = $1 AND type LIKE 'order.%'`,
      [id],
    );
    expect(events.rows).toEqual([{ type: 'order.created', subject: 'order/A-1001' }]);

    const repeat = await post(id, message);
    expect(repeat.status).toBe(200);
    expect(repeat.body.duplicate).toBe(true);
    expect(await storedCount(id)).toBe(1);

    const cancelled = await post(id, signed(order('A-1001', 'storniert')));
    const gone = await waitForWebhook(cancelled.body.id, ['processed']);
    expect(gone.outcome.records.order).toMatchObject({ deleted: 1 });
    expect(await allRecords(hub, id, 'order')).toHaveLength(0);
  });

  it('refuses tampered, stale and unsigned webhooks with 401 and stores nothing', async () => {
    const id = await orderSystem();
    const tampered = signed(order('A-2001'));
    tampered.body = tampered.body.replace('412.5', '1.0');
    const refused = await post(id, tampered);
    expect(refused.status).toBe(401);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.body.detail).toBe('the webhook signature could not be verified');

    const stale = await post(id, signed(order('A-2002'), { at: new Date(Date.now() - 10 * 60_000) }));
    expect(stale.status).toBe(401);
    expect(stale.body.code ?? stale.body.detail).toMatch(/STALE|too old/);

    const future = await post(id, signed(order('A-2003'), { at: new Date(Date.now() + 10 * 60_000) }));
    expect(future.status).toBe(401);

    const unsigned = await post(id, {
      body: JSON.stringify(order('A-2004')),
      headers: { 'content-type': 'application/json' },
    });
    expect(unsigned.status).toBe(401);

    expect(await storedCount(id)).toBe(0);
    const logged = hub.logs.filter((line) => line.includes('webhook refused') && line.includes(id));
    expect(logged.length).toBe(4);
    expect(hub.logs.join('')).not.toContain(secret);
  });

  it('refuses bodies that are too large or not JSON with 4xx', async () => {
    const id = await orderSystem();
    const huge = signed({ type: 'order.changed', data: [], padding: 'x'.repeat(1_100_000) });
    const tooLarge = await post(id, huge);
    expect(tooLarge.status).toBe(413);
    const broken = signed({}, { body: '{"type": "order.changed", "data": [' });
    // The signature covers the broken body, so only the parse can refuse it.
    broken.headers['webhook-signature'] = new Webhook(secret).sign(
      broken.headers['webhook-id'],
      new Date(Number(broken.headers['webhook-timestamp']) * 1000),
      broken.body,
    );
    const malformed = await post(id, broken);
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors).toEqual([{ field: 'body', message: 'is not valid JSON' }]);
    expect(await storedCount(id)).toBe(0);
  });

  it('parks a webhook it cannot map as a dead letter, and replays it once the mapping is fixed', async () => {
    const id = await orderSystem();
    const accepted = await post(id, signed({ type: 'order.changed', data: [{ number: 'B-7', total: 9.9 }] }));
    expect(accepted.status).toBe(202);
    const dead = await waitForWebhook(accepted.body.id, ['dead']);
    expect(dead.lastError).toMatch(/has no id/);
    const failedEvents = await hub.db.query(
      `SELECT data FROM outbox_events WHERE integration_id = $1 AND type = 'integration.webhook_failed'`,
      [id],
    );
    expect(failedEvents.rows[0]?.data).toMatchObject({ webhookId: accepted.body.id });
    const listed = await hub.request({
      method: 'GET',
      url: `/api/v1/integrations/${id}/webhooks?state=dead`,
    });
    expect(listed.body.counts.dead).toBe(1);

    const current = await hub.request({ method: 'GET', url: `/api/v1/integrations/${id}` });
    const fixed = await hub.request({
      method: 'PATCH',
      url: `/api/v1/integrations/${id}`,
      headers: { 'content-type': 'application/merge-patch+json', 'if-match': current.headers.etag as string },
      body: JSON.stringify({ config: { entities: { order: { idField: 'number' } } } }),
    });
    expect(fixed.status).toBe(200);
    const replayed = await hub.request({ method: 'POST', url: `/api/v1/integrations/${id}/webhooks/replay` });
    expect(replayed.body).toEqual({ replayed: 1 });
    const processed = await waitForWebhook(accepted.body.id, ['processed']);
    expect(processed.outcome.records.order).toMatchObject({ created: 1 });
    expect((await allRecords(hub, id, 'order')).map((record) => record.externalId)).toEqual(['B-7']);
  });
});

describe('inbound webhooks, a configured HMAC scheme', () => {
  const scheme = {
    scheme: 'hmac',
    header: 'X-Shop-Signature',
    algorithm: 'sha256',
    encoding: 'hex',
    prefix: 'sha256=',
    signedContent: '{timestamp}.{body}',
    timestampHeader: 'X-Shop-Timestamp',
    idHeader: 'X-Shop-Delivery',
  };

  function hmacSigned(payload: unknown, at = new Date()) {
    const body = JSON.stringify(payload);
    const timestamp = String(Math.floor(at.getTime() / 1000));
    const signature = createHmac('sha256', hmacSecret).update(`${timestamp}.${body}`).digest('hex');
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'x-shop-signature': `sha256=${signature}`,
        'x-shop-timestamp': timestamp,
        'x-shop-delivery': randomUUID(),
      },
    };
  }

  it('verifies the configured header, prefix, encoding and signed content', async () => {
    const id = await createIntegration(hub, {
      name: `HMAC shop ${randomUUID().slice(0, 8)}`,
      connector: 'webhook',
      config: { signature: scheme, entities: { order: { recordsPath: 'data', idField: 'orderNo' } } },
      credentials: { webhookSecret: hmacSecret },
      entities: ['order'],
      schedule: { enabled: false },
    });
    const accepted = await post(id, hmacSigned(order('H-1')));
    expect(accepted.status).toBe(202);
    await waitForWebhook(accepted.body.id, ['processed']);

    const wrongSecret = hmacSigned(order('H-2'));
    wrongSecret.headers['x-shop-signature'] =
      `sha256=${createHmac('sha256', 'other').update(wrongSecret.body).digest('hex')}`;
    expect((await post(id, wrongSecret)).status).toBe(401);
    const old = hmacSigned(order('H-3'), new Date(Date.now() - 3_600_000));
    expect((await post(id, old)).status).toBe(401);
    expect((await allRecords(hub, id, 'order')).map((record) => record.externalId)).toEqual(['H-1']);
  });

  it('names a bad signature setting', async () => {
    const refused = await hub.request({
      method: 'POST',
      url: '/api/v1/integrations',
      body: {
        name: 'Bad HMAC',
        connector: 'webhook',
        config: {
          signature: { ...scheme, timestampHeader: undefined },
          entities: { order: { idField: 'orderNo' } },
        },
        credentials: { webhookSecret: hmacSecret },
        entities: ['order'],
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toContainEqual({
      field: 'config.signature.timestampHeader',
      message: 'signedContent uses {timestamp}: timestampHeader is required',
    });
  });
});
