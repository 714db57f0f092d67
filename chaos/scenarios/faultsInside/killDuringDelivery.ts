// kill -9 of the process whose relay is delivering a backlog of events to an HTTP subscriber.
// After a restart every event arrives; an event comes twice only with its own id, and only if
// the killed relay had it in flight; each subject's events arrive in order.
import { createPool } from '../../../src/db/pool.ts';
import { checkDeliveries, outboxEvents } from '../../../test/support/deliveryChecks.ts';
import { startEventSink } from '../../../test/support/eventSink.ts';
import { writeNumberedEvents } from '../../../test/support/numberedEvents.ts';
import type { ScenarioContext } from '../../scenario.ts';
import { startCluster, until } from '../../support/chaosHub.ts';
import { subscribe } from '../../support/subscriptions.ts';
import { measured, none, type ScenarioFigure, within } from './figures.ts';

const EVENTS = 4_000;
const SUBJECTS = 80;
/** How long the subscriber takes per delivery, so the backlog lasts long enough to be killed in. */
const ANSWER_DELAY_MS = 10;
// Claims of a killed relay expire after twice the delivery timeout plus 5 s.
const RELAY_ENV = { HUB_DELIVERY_TIMEOUT_MS: '2000', HUB_RELAY_POLL_MS: '200' };

export async function killDuringDelivery(context: ScenarioContext): Promise<ScenarioFigure[]> {
  const cluster = await startCluster(context, 'faults-inside-relay');
  const db = createPool(cluster.database.url, 2);
  const sink = await startEventSink();
  try {
    const first = await cluster.start('relay-1', RELAY_ENV);
    await subscribe(context, first, { types: ['chaos.relay'], url: sink.url });
    sink.answer = () => ({ status: 204, delayMs: ANSWER_DELAY_MS });
    await writeNumberedEvents(db, 'chaos.relay', EVENTS, SUBJECTS);
    await until(
      'a fifth of the events delivered',
      async () => (sink.received.length >= EVENTS / 5 ? true : undefined),
      60_000,
    );
    await first.kill();
    const killedAt = Date.now();
    const beforeKill = new Set(sink.received.map((delivery) => delivery.event.id));
    context.progress(`relay-1 killed after ${beforeKill.size} of ${EVENTS} events delivered`);

    await cluster.start('relay-2', RELAY_ENV);
    const expected = await outboxEvents(db, ['chaos.relay']);
    await until(
      'every event after the restart',
      async () => (checkDeliveries(sink.received, expected).lost === 0 ? true : undefined),
      90_000,
    ).catch(() => undefined);
    const recoverySeconds = (Date.now() - killedAt) / 1000;
    const report = checkDeliveries(sink.received, expected);
    // A repeat is only right for an event the killed relay had sent but not yet recorded.
    const seen = new Set<string>();
    let repeatedAfterRestart = 0;
    for (const { event } of sink.received) {
      if (seen.has(event.id) && !beforeKill.has(event.id)) repeatedAfterRestart += 1;
      seen.add(event.id);
    }
    // Each written event carries its number: two ids with one number would be a copy under a new id.
    const ids = new Set(sink.received.map((delivery) => delivery.event.id));
    const numbers = new Set(sink.received.map((delivery) => delivery.event.data.n));
    return [
      measured(
        'delivery: events delivered when the relay was killed',
        beforeKill.size,
        `of ${EVENTS.toLocaleString('en-US')}`,
      ),
      within('delivery: kill to every event delivered (claims expire after 9 s)', recoverySeconds, 60),
      none('delivery: events lost', report.lost),
      measured('delivery: events delivered again with the same id (in flight at the kill)', report.repeated),
      none('delivery: events repeated that were not in flight at the kill', repeatedAfterRestart),
      none('delivery: copies under a new id', ids.size - numbers.size + report.unexpected),
      none('delivery: subjects out of order', report.subjectsOutOfOrder),
    ];
  } finally {
    await sink.close();
    await db.end();
    await cluster.close();
  }
}
