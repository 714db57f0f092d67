// Phone systems push call events to the hub over real HTTP: Placetel (hex HMAC-SHA256) and
// sipgate (RSA-SHA256, later events subscribed through the XML answer to newCall). Each call
// becomes one call record, matched to the CRM customer whose phone number called.
// Both connectors only receive: the hub never pulls from them, so full and incremental syncs,
// rate limits and resync signals do not apply. What applies is covered here: a bad signature
// (their "auth failure") is refused with 401 and lands nothing, and a replayed event is a duplicate.
import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PlacetelSandbox, startPlacetelSandbox } from '../sandbox/phone/placetel.ts';
import { type SipgateSandbox, startSipgateSandbox } from '../sandbox/phone/sipgate.ts';
import { allRecords, createIntegration } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
let placetel: PlacetelSandbox;
let sipgate: SipgateSandbox;
const hotelAdler = { id: 'K-4711', name: 'Hotel Adler München', phone: '+4989123456' };

beforeAll(async () => {
  hub = await startTestHub({}, { listen: true });
  placetel = await startPlacetelSandbox();
  sipgate = await startSipgateSandbox();
  await seedCustomer();
});

afterAll(async () => {
  await hub.close();
  await placetel.close();
  await sipgate.close();
});

/** A CRM customer with a phone number, pushed through a webhook-only integration. */
async function seedCustomer() {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const id = await createIntegration(hub, {
    name: 'CRM customers',
    connector: 'webhook',
    config: { signature: { scheme: 'standard-webhooks' }, entities: { customer: { idField: 'id' } } },
    credentials: { webhookSecret: secret },
    entities: ['customer'],
    schedule: { enabled: false },
  });
  const body = JSON.stringify(hotelAdler);
  const messageId = `msg_${randomUUID()}`;
  const at = new Date();
  const response = await fetch(`${hub.hub.url}/webhooks/${id}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': messageId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(messageId, at, body),
    },
    body,
  });
  expect(response.status).toBe(202);
  await waitFor(async () => (await allRecords(hub, id, 'customer')).length === 1);
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The calls of an integration once every stored webhook is processed. */
async function settledCalls(integrationId: string) {
  await waitFor(async () => {
    const { rows } = await hub.db.query<{ open: number }>(
      `SELECT count(*)::int AS open FROM inbound_webhooks WHERE integration_id = $1 AND state <> 'processed'`,
      [integrationId],
    );
    return rows[0]?.open === 0;
  });
  return allRecords(hub, integrationId, 'call');
}

describe('Placetel call events', () => {
  let integrationId: string;
  const webhookUrl = () => `${hub.hub.url}/webhooks/${integrationId}`;

  beforeAll(async () => {
    integrationId = await createIntegration(hub, {
      name: 'Placetel Zentrale',
      connector: 'placetel',
      config: {},
      credentials: { webhookSecret: placetel.secret },
      entities: ['call'],
      schedule: { enabled: false },
    });
  });

  it('turns an answered incoming call into one call record matched to the customer', async () => {
    const deliveries = await placetel.placeCall(webhookUrl(), {
      from: hotelAdler.phone,
      to: '+4930555000',
      direction: 'in',
      outcome: 'accepted',
      peer: '777xxx1@fpbx.de',
      talkSeconds: 127,
    });
    expect(deliveries.map((delivery) => [delivery.event, delivery.status])).toEqual([
      ['IncomingCall', 202],
      ['CallAccepted', 202],
      ['HungUp', 202],
    ]);
    const calls = await settledCalls(integrationId);
    expect(calls).toHaveLength(1);
    expect(calls[0].canonicalType).toBe('call');
    expect(calls[0].data).toMatchObject({
      provider: 'placetel',
      direction: 'in',
      from: '+4989123456',
      to: '+4930555000',
      status: 'completed',
      durationSeconds: 127,
      answeredBy: '777xxx1@fpbx.de',
    });
    expect(calls[0].data.contacts).toEqual([
      expect.objectContaining({
        externalId: hotelAdler.id,
        canonicalType: 'customer',
        name: hotelAdler.name,
      }),
    ]);
    const events = await hub.db.query<{ type: string }>(
      `SELECT type FROM outbox_events WHERE integration_id = $1 AND type LIKE 'call.%' ORDER BY position`,
      [integrationId],
    );
    expect(events.rows.map((row) => row.type)).toEqual(['call.created', 'call.updated', 'call.updated']);
  });

  it('records a missed call from an unknown number, and ignores a replayed event', async () => {
    const deliveries = await placetel.placeCall(webhookUrl(), {
      from: '0171 2345678',
      to: '+4930555000',
      direction: 'in',
      outcome: 'missed',
    });
    const [, hungUp] = deliveries;
    const replay = await placetel.resend(webhookUrl(), hungUp?.body ?? '');
    expect(replay.status).toBe(200);
    expect(JSON.parse(replay.responseBody)).toEqual({ duplicate: true });
    const missed = (await settledCalls(integrationId)).find((call) => call.data.from === '+491712345678');
    expect(missed.data).toMatchObject({ status: 'missed', answeredAt: null, contacts: [] });
  });

  it('refuses tampered events with 401 and lands nothing', async () => {
    const before = (await settledCalls(integrationId)).length;
    const deliveries = await placetel.placeCall(
      webhookUrl(),
      { from: hotelAdler.phone, to: '+4930555000', direction: 'in', outcome: 'accepted' },
      { tamper: true },
    );
    expect(deliveries.every((delivery) => delivery.status === 401)).toBe(true);
    expect(await settledCalls(integrationId)).toHaveLength(before);
    expect(hub.logs.join('')).not.toContain(placetel.secret);
  });
});

describe('sipgate call events', () => {
  let integrationId: string;
  const webhookUrl = () => `${hub.hub.url}/webhooks/${integrationId}`;

  beforeAll(async () => {
    integrationId = await createIntegration(hub, {
      name: 'sipgate Vertrieb',
      connector: 'sipgate',
      config: { signingPublicKey: sipgate.publicKey },
      credentials: {},
      entities: ['call'],
      schedule: { enabled: false },
    });
  });

  it('subscribes answer and hangup through the XML answer, and lands the whole call', async () => {
    const deliveries = await sipgate.placeCall(webhookUrl(), {
      from: hotelAdler.phone,
      to: '+4921155500',
      direction: 'in',
      outcome: 'accepted',
    });
    expect(deliveries.map((delivery) => delivery.event)).toEqual(['newCall', 'answer', 'hangup']);
    expect(deliveries[0]?.responseBody).toContain(`onAnswer="${webhookUrl()}"`);
    const [call] = await settledCalls(integrationId);
    expect(call.data).toMatchObject({
      provider: 'sipgate',
      from: '+4989123456',
      to: '+4921155500',
      status: 'completed',
      answeredBy: '4921155500',
    });
    expect(call.data.durationSeconds).toBeGreaterThanOrEqual(0);
    expect(call.data.contacts.map((contact: { externalId: string }) => contact.externalId)).toEqual([
      hotelAdler.id,
    ]);
  });

  it('records a busy outgoing call to the customer', async () => {
    await sipgate.placeCall(webhookUrl(), {
      from: '+4921155500',
      to: hotelAdler.phone,
      direction: 'out',
      outcome: 'busy',
    });
    const busy = (await settledCalls(integrationId)).find((call) => call.data.direction === 'out');
    expect(busy.data).toMatchObject({ status: 'busy', to: '+4989123456' });
    expect(busy.data.contacts[0]).toMatchObject({ externalId: hotelAdler.id });
  });

  it('refuses a forged newCall, so the call is never subscribed', async () => {
    const before = (await settledCalls(integrationId)).length;
    const deliveries = await sipgate.placeCall(
      webhookUrl(),
      { from: hotelAdler.phone, to: '+4921155500', direction: 'in', outcome: 'accepted' },
      { tamper: true },
    );
    expect(deliveries.map((delivery) => [delivery.event, delivery.status])).toEqual([['newCall', 401]]);
    expect(await settledCalls(integrationId)).toHaveLength(before);
  });

  it('ignores a replayed hangup, so the call is recorded once', async () => {
    const deliveries = await sipgate.placeCall(webhookUrl(), {
      from: '+4940777888',
      to: '+4921155500',
      direction: 'in',
      outcome: 'missed',
    });
    const hangup = deliveries.find((delivery) => delivery.event === 'hangup');
    if (!hangup) throw new Error('no hangup was sent');
    const before = await settledCalls(integrationId);
    const stored = async () =>
      (await hub.db.query('SELECT 1 FROM inbound_webhooks WHERE integration_id = $1', [integrationId]))
        .rowCount;
    const storedBefore = await stored();
    const replay = await sipgate.resend(webhookUrl(), hangup.body);
    expect(replay.status).toBe(200);
    expect(JSON.parse(replay.responseBody)).toEqual({ duplicate: true });
    const after = await settledCalls(integrationId);
    expect(after).toHaveLength(before.length);
    const missed = after.filter((call) => call.data.from === '+4940777888');
    expect(missed).toHaveLength(1);
    expect(missed[0].data).toMatchObject({ status: 'missed' });
    expect(await stored()).toBe(storedBefore);
  });
});
