// Retention: delivered events and their delivery log, processed webhooks and integration log lines
// older than the retention are deleted; what still waits for someone (a dead delivery, a dead
// webhook) stays, the newest event stays, and the relay numbers and delivers on afterwards.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents, type HubEvent } from '../src/events/outbox.ts';
import { pruneHistory } from '../src/retention/pruneHistory.ts';
import { type EventSink, startEventSink, waitUntil } from './support/eventSink.ts';
import { orderWebhookIntegration, signedOrderWebhook, webhookSecret } from './support/signedWebhooks.ts';
import { createIntegration } from './support/syncSupport.ts';
import { startTestHub, type TestHub } from './support/testHub.ts';

let hub: TestHub;
let sink: EventSink;

beforeAll(async () => {
  hub = await startTestHub({ HUB_RELAY_POLL_MS: '100', HUB_DELIVERY_TIMEOUT_MS: '2000' });
  sink = await startEventSink();
});

afterAll(async () => {
  await hub.close();
  await sink.close();
});

const event = (type: string, subject: string): HubEvent => ({ type, source: 'urn:test', subject, data: {} });

async function subscribe(types: string[], retrySchedule?: number[]) {
  const created = await hub.request({
    method: 'POST',
    url: '/api/v1/subscriptions',
    body: { name: 'Retention', types, url: sink.url, ...(retrySchedule ? { retrySchedule } : {}) },
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

const deliveryStates = async (ids: string[]) =>
  (
    await hub.db.query<{ eventId: string; state: string }>(
      'SELECT event_id AS "eventId", state FROM event_deliveries WHERE event_id = ANY($1::uuid[]) ORDER BY seq',
      [ids],
    )
  ).rows;

const stillThere = async (table: string, column: string, values: string[]) =>
  (
    await hub.db.query(`SELECT ${column}::text AS value FROM ${table} WHERE ${column}::text = ANY($1)`, [
      values,
    ])
  ).rows.map((row) => row.value as string);

describe('pruning old history', () => {
  it('deletes what is done and older than the retention, keeps what still waits, and the relay carries on', async () => {
    const p = `r${randomUUID().slice(0, 8)}`;
    const done = await subscribe([`${p}.done`, `${p}.latest`, `${p}.after`]);
    await subscribe([`${p}.stuck`], []);
    sink.answer = (delivery) => ({ status: delivery.event.type === `${p}.stuck` ? 500 : 204 });

    // Webhooks: one processed long ago, one processed today, one dead letter from long ago.
    const secret = webhookSecret();
    const shop = await createIntegration(hub, orderWebhookIntegration(secret));
    const messages = ['A-1', 'A-2', 'A-3'].map((orderNo) => signedOrderWebhook(secret, orderNo));
    for (const message of messages) {
      const sent = await hub.request({
        method: 'POST',
        url: `/webhooks/${shop}`,
        body: message.body,
        headers: message.headers,
        token: null,
      });
      expect(sent.status).toBeLessThan(300);
    }
    const [oldWebhook, recentWebhook, deadWebhook] = messages.map((message) => message.id) as [
      string,
      string,
      string,
    ];
    await waitUntil(
      async () =>
        (await hub.db.query("SELECT count(*)::int AS n FROM inbound_webhooks WHERE state = 'processed'"))
          .rows[0].n === 3,
      15_000,
      'the three webhooks processed',
    );

    const doneIds = await appendEvents(hub.db, [
      event(`${p}.done`, 'd/1'),
      event(`${p}.done`, 'd/2'),
      event(`${p}.done`, 'd/3'),
    ]);
    const [stuckId] = await appendEvents(hub.db, [event(`${p}.stuck`, 's/1')]);
    const [latestId] = await appendEvents(hub.db, [event(`${p}.latest`, 'l/1')]);
    await waitUntil(
      async () => {
        const states = await deliveryStates([...doneIds, stuckId as string, latestId as string]);
        return states.length === 5 && states.every((row) => row.state !== 'pending');
      },
      15_000,
      'every delivery delivered or dead',
    );
    expect((await deliveryStates([stuckId as string]))[0]?.state).toBe('dead');

    // Forty days pass for everything so far, except the recent webhook.
    await hub.db.query(`UPDATE outbox_events SET time = time - interval '40 days'`);
    await hub.db.query(
      `UPDATE event_deliveries SET delivered_at = delivered_at - interval '40 days', created_at = created_at - interval '40 days'`,
    );
    await hub.db.query(
      `UPDATE inbound_webhooks SET processed_at = processed_at - interval '40 days' WHERE message_id = $1`,
      [oldWebhook],
    );
    await hub.db.query(
      `UPDATE inbound_webhooks SET state = 'dead', processed_at = NULL, received_at = received_at - interval '40 days'
        WHERE message_id = $1`,
      [deadWebhook],
    );
    const oldLog = randomUUID();
    const newLog = randomUUID();
    await hub.db.query(
      `INSERT INTO integration_logs (id, integration_id, event_type, status, created_at)
       VALUES ($1, $3, 'sync', 'success', now() - interval '40 days'), ($2, $3, 'sync', 'success', now())`,
      [oldLog, newLog, shop],
    );
    const newest = (await hub.db.query('SELECT max(seq)::int AS seq FROM outbox_events')).rows[0]
      .seq as number;

    const pruned = await pruneHistory(hub.db, 30);
    expect(pruned.deliveries).toBe(3);
    expect(pruned.events).toBeGreaterThanOrEqual(3);
    expect(pruned.webhooks).toBe(1);
    expect(pruned.integrationLogs).toBe(1);

    expect(await stillThere('outbox_events', 'id', doneIds)).toEqual([]);
    expect(await deliveryStates(doneIds)).toEqual([]);
    expect(await stillThere('outbox_events', 'id', [stuckId as string])).toEqual([stuckId]);
    expect(await deliveryStates([stuckId as string])).toEqual([{ eventId: stuckId, state: 'dead' }]);
    const kept = await hub.db.query('SELECT id FROM outbox_events WHERE seq = $1', [newest]);
    expect(kept.rowCount).toBe(1);
    expect(
      await stillThere(
        'inbound_webhooks',
        'message_id',
        messages.map((m) => m.id),
      ),
    ).toEqual(expect.arrayContaining([recentWebhook, deadWebhook]));
    expect(await stillThere('inbound_webhooks', 'message_id', [oldWebhook])).toEqual([]);
    expect(await stillThere('integration_logs', 'id', [oldLog, newLog])).toEqual([newLog]);
    expect(await pruneHistory(hub.db, 30)).toEqual({
      events: 0,
      deliveries: 0,
      webhooks: 0,
      integrationLogs: 0,
    });

    // Numbering goes on from the newest event, and deliveries with it.
    const [afterId] = await appendEvents(hub.db, [event(`${p}.after`, 'd/1')]);
    await waitUntil(
      () => sink.received.some((delivery) => delivery.event.id === afterId),
      10_000,
      'the new event',
    );
    const after = await hub.db.query<{ seq: number }>(
      'SELECT seq::int AS seq FROM outbox_events WHERE id = $1',
      [afterId],
    );
    expect(after.rows[0]?.seq).toBe(newest + 1);
    const log = await hub.request({ method: 'GET', url: `/api/v1/subscriptions/${done}/deliveries` });
    expect(log.body.items.map((item: { eventId: string }) => item.eventId).sort()).toEqual(
      [latestId, afterId].sort(),
    );
  });
});
