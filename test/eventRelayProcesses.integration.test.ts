// The event relay across real hub processes on one PostgreSQL: a relay killed with SIGKILL in
// the middle of deliveries loses nothing (repeats carry the same event id and only follow the
// crash), and two relays at once lose nothing and keep each subject's order.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventSink, startEventSink, waitUntil } from './support/eventSink.ts';
import { freePort, type HubProcess, spawnHub, waitUntilReady } from './support/hubProcess.ts';
import { writeNumberedEvents } from './support/numberedEvents.ts';
import { createTestDatabase, type TestDatabase } from './support/testDatabase.ts';

const adminToken = `hub_test_admin_${randomBytes(16).toString('hex')}`;
const masterKey = randomBytes(32).toString('base64');

let database: TestDatabase;
let db: pg.Pool;
let sink: EventSink;
const hubs: HubProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = new pg.Pool({ connectionString: database.url, max: 4 });
  sink = await startEventSink();
});

afterAll(async () => {
  for (const hub of hubs) if (hub.child.exitCode === null) hub.child.kill('SIGKILL');
  await Promise.all(hubs.map((hub) => hub.exited));
  await sink.close();
  await db.end();
  await database.drop();
});

async function startProcess(): Promise<HubProcess> {
  const hub = spawnHub({
    DATABASE_URL: database.url,
    PORT: String(await freePort()),
    HUB_MASTER_KEY: masterKey,
    HUB_ADMIN_TOKEN: adminToken,
    HUB_RELAY_POLL_MS: '100',
    // Claims of a killed relay expire after twice this plus 5 s.
    HUB_DELIVERY_TIMEOUT_MS: '1000',
    HUB_LOG_LEVEL: 'warn',
  });
  hubs.push(hub);
  await waitUntilReady(hub);
  return hub;
}

async function subscribe(hub: HubProcess, types: string[]): Promise<string> {
  const response = await fetch(`${hub.url}/api/v1/subscriptions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'CRM', types, url: sink.url, retrySchedule: [1, 1, 1, 1, 1, 1] }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

function writeEvents(type: string, count: number, subjects: number): Promise<string[]> {
  return writeNumberedEvents(db, type, count, subjects);
}

function ofType(type: string) {
  return sink.received.filter((delivery) => delivery.event.type === type);
}

/** Each subject's deliveries in arrival order, first arrivals only, are numbered 0, 1, 2, … */
function expectOrderPerSubject(type: string) {
  const firstSeen = new Set<string>();
  const bySubject = new Map<string, number[]>();
  for (const delivery of ofType(type)) {
    if (firstSeen.has(delivery.event.id)) continue;
    firstSeen.add(delivery.event.id);
    const list = bySubject.get(delivery.event.subject ?? '') ?? [];
    list.push(delivery.event.data.inSubject as number);
    bySubject.set(delivery.event.subject ?? '', list);
  }
  for (const list of bySubject.values()) expect(list).toEqual(list.map((_, index) => index));
}

describe('the event relay across processes', () => {
  it('loses nothing when the relay is killed mid-delivery; repeats carry the same id', async () => {
    const first = await startProcess();
    await subscribe(first, ['crash.*']);
    sink.answer = () => ({ status: 204, delayMs: 20 });
    const ids = await writeEvents('crash.test', 400, 40);
    await waitUntil(() => ofType('crash.test').length >= 60, 20_000, 'deliveries to start');
    first.child.kill('SIGKILL');
    await first.exited;
    const beforeCrash = new Set(ofType('crash.test').map((delivery) => delivery.event.id));

    await startProcess();
    await waitUntil(
      () => new Set(ofType('crash.test').map((delivery) => delivery.event.id)).size === ids.length,
      60_000,
      'every event after the restart',
    );
    sink.answer = () => ({ status: 204 });
    const received = ofType('crash.test').map((delivery) => delivery.event.id);
    expect(new Set(received)).toEqual(new Set(ids));
    const seen = new Set<string>();
    for (const id of received) {
      // A repeat is an event the killed relay had already delivered (its claim was not settled).
      if (seen.has(id)) expect(beforeCrash.has(id)).toBe(true);
      seen.add(id);
    }
    expectOrderPerSubject('crash.test');
  });

  it('lets two relays share the work without losing an event or breaking a subject’s order', async () => {
    const running = hubs.filter((hub) => hub.child.exitCode === null && hub.child.signalCode === null);
    const one = running[0] ?? (await startProcess());
    await startProcess();
    await subscribe(one, ['pair.*']);
    sink.answer = () => ({ status: 204, delayMs: 2 });
    const ids = await writeEvents('pair.test', 1_000, 25);
    await waitUntil(() => ofType('pair.test').length >= ids.length, 60_000, 'all events');
    sink.answer = () => ({ status: 204 });
    const received = ofType('pair.test').map((delivery) => delivery.event.id);
    expect(new Set(received)).toEqual(new Set(ids));
    // Without a crash nothing is delivered twice.
    expect(received).toHaveLength(ids.length);
    expectOrderPerSubject('pair.test');
  });
});
