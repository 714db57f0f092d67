// Claiming deliveries, straight against the database: a claim takes the lowest due deliveries in
// order, a subject waits while an earlier delivery of it is claimed, and the relay's lanes split
// the subjects between them without overlap.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.ts';
import { createPool, type Pool } from '../src/db/pool.ts';
import { appendEvents, type HubEvent } from '../src/events/outbox.ts';
import { type ClaimedDelivery, claimDeliveries, markDelivered } from '../src/events/relay/deliveriesTable.ts';
import { sequenceEvents } from '../src/events/relay/sequencer.ts';
import { createTestDatabase, type TestDatabase } from './support/testDatabase.ts';

let database: TestDatabase;
let pool: Pool;
const scope = { kinds: ['http'], handlers: [] };

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createPool(database.url, 4);
  await migrate(pool);
});

afterAll(async () => {
  await pool.end();
  await database.drop();
});

/** A subscription of its own type prefix, and that many events over the given subjects. */
async function subscriptionWithEvents(subjects: (string | undefined)[], perSubject: number) {
  const prefix = `c${randomUUID().slice(0, 8)}`;
  const id = randomUUID();
  await pool.query(
    `INSERT INTO event_subscriptions (id, name, kind, types, type_patterns, url, retry_schedule)
     VALUES ($1, 'Claims', 'http', $2, $3, 'http://127.0.0.1:9/events', '{1,5}')`,
    [id, [`${prefix}.*`], [`${prefix}.%`]],
  );
  const events: HubEvent[] = [];
  for (let round = 0; round < perSubject; round += 1)
    for (const subject of subjects)
      events.push({ type: `${prefix}.changed`, source: 'urn:test', subject, data: { round } });
  await appendEvents(pool, events);
  await sequenceEvents(pool);
  return id;
}

const mine = (claimed: ClaimedDelivery[], subscriptionId: string) =>
  claimed.filter((delivery) => delivery.subscriptionId === subscriptionId);

describe('claiming deliveries', () => {
  it('takes the lowest due deliveries in order, and holds back a subject behind its claimed delivery', async () => {
    const id = await subscriptionWithEvents(['order/1', 'order/2', 'order/3'], 4);
    const first = mine(await claimDeliveries(pool, scope, 5, 30_000), id);
    const seqs = first.map((delivery) => delivery.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(first.map((delivery) => delivery.subject)).toEqual([
      'order/1',
      'order/2',
      'order/3',
      'order/1',
      'order/2',
    ]);

    // Every subject has a claimed delivery now: nothing more is due until they are recorded.
    expect(mine(await claimDeliveries(pool, scope, 100, 30_000), id)).toEqual([]);

    await markDelivered(
      pool,
      first.map((delivery) => ({ subscriptionId: id, seq: delivery.seq, status: 204, durationMs: 1 })),
    );
    const next = mine(await claimDeliveries(pool, scope, 100, 30_000), id);
    expect(next).toHaveLength(7);
    expect(next[0]?.seq).toBeGreaterThan(Math.max(...seqs));
  });

  it('splits the subjects between lanes: each subject in one lane, every delivery in exactly one', async () => {
    const subjects = [...Array.from({ length: 12 }, (_, n) => `hotel/${n}`), undefined, undefined];
    const id = await subscriptionWithEvents(subjects, 3);
    const lanes = [0, 1].map(async (index) =>
      mine(await claimDeliveries(pool, { ...scope, lane: { index, of: 2 } }, 1_000, 30_000), id),
    );
    const [laneZero, laneOne] = await Promise.all(lanes);
    if (!laneZero || !laneOne) throw new Error('both lanes claim');

    expect(laneZero.length + laneOne.length).toBe(subjects.length * 3);
    const seqsZero = new Set(laneZero.map((delivery) => delivery.seq));
    expect(laneOne.filter((delivery) => seqsZero.has(delivery.seq))).toEqual([]);
    const subjectsOf = (claimed: ClaimedDelivery[]) =>
      new Set(claimed.flatMap((delivery) => (delivery.subject ? [delivery.subject] : [])));
    const zeroSubjects = subjectsOf(laneZero);
    expect([...subjectsOf(laneOne)].filter((subject) => zeroSubjects.has(subject))).toEqual([]);
    // Both lanes get a share: twelve subjects do not all hash to one of two lanes.
    expect(zeroSubjects.size).toBeGreaterThan(0);
    expect(zeroSubjects.size).toBeLessThan(12);
  });
});
