// The machine's PostgreSQL stopped and started again (3 s down) under load: a sync running on the
// worker, signed webhooks pouring into the API process, a CRM module publishing events, the relay
// delivering them and the dashboard's event stream following them. No hub process is restarted:
// each must reconnect by itself, be ready again, and lose nothing it acknowledged.
import { setTimeout as sleep } from 'node:timers/promises';
import { startRecordSource } from '../../../sandbox/recordSource/index.ts';
import { createPool, type Pool } from '../../../src/db/pool.ts';
import { checkDeliveries, outboxEvents } from '../../../test/support/deliveryChecks.ts';
import { startEventSink } from '../../../test/support/eventSink.ts';
import { orderWebhookIntegration, webhookSecret } from '../../../test/support/signedWebhooks.ts';
import { SOURCE_TOKEN, sourceIntegration } from '../../../test/support/syncSupport.ts';
import type { ScenarioContext } from '../../scenario.ts';
import { type ChaosHub, startCluster, until } from '../../support/chaosHub.ts';
import { readEventStream } from '../../support/eventStreamReader.ts';
import { startEventTrickle } from '../../support/eventTrickle.ts';
import { restartPostgres } from '../../support/postgresServer.ts';
import { subscribe } from '../../support/subscriptions.ts';
import { checkSyncedRecords } from '../../support/syncedRecords.ts';
import { startWebhookLoad } from '../../support/webhookLoad.ts';
import { is, measured, none, type ScenarioFigure, within } from './figures.ts';
import { createIntegration, startSync, waitForRun } from './hubRuns.ts';

const RECORDS = 20_000;
const PAGE_DELAY_MS = 40;
const DOWN_MS = 3_000;
const ENV = { HUB_SCHEDULER_INTERVAL_MS: '1000', HUB_DELIVERY_TIMEOUT_MS: '2000' };

export async function restartPostgresUnderLoad(context: ScenarioContext): Promise<ScenarioFigure[]> {
  const cluster = await startCluster(context, 'faults-inside-postgres');
  const db = createPool(cluster.database.url, 4);
  const source = await startRecordSource({ count: RECORDS, seed: 41, token: SOURCE_TOKEN });
  context.output.plant(SOURCE_TOKEN);
  const sink = await startEventSink();
  const secret = webhookSecret();
  context.output.plant(secret);
  try {
    const worker = await cluster.start('worker', { ...ENV, HUB_ROLE: 'worker' });
    const api = await cluster.start('api', { ...ENV, HUB_ROLE: 'api' });
    const hubs = [worker, api];
    await subscribe(context, api, { types: ['customer.*', 'order.*', 'chaos.*'], url: sink.url });
    const shop = await createIntegration(api, orderWebhookIntegration(secret));
    const erp = await createIntegration(
      api,
      sourceIntegration(source.url, {
        pagination: { style: 'cursor', pageSize: 200, nextCursorPath: 'next_cursor' },
      }),
    );
    const stream = readEventStream(api.url, cluster.adminToken, 'type=chaos.');
    source.onRequest(() => sleep(PAGE_DELAY_MS));
    const run = await startSync(api, erp, { full: true });
    const webhooks = startWebhookLoad({
      url: `${api.url}/webhooks/${shop}`,
      secret,
      connections: 4,
      prefix: 'P',
      pauseMs: 20,
    });
    const trickle = startEventTrickle(db, {
      type: 'chaos.published',
      subjects: 20,
      perWrite: 5,
      everyMs: 20,
    });
    const readiness = watchReadiness(hubs);
    try {
      await until(
        'the sync to be a fifth done',
        async () =>
          (await api.api('GET', `/api/v1/sync-runs/${run.id}`)).body.counts.created >= RECORDS / 5
            ? true
            : undefined,
        60_000,
      );
      context.progress('stopping PostgreSQL for 3 s under load');
      const restart = await restartPostgres(DOWN_MS);
      const readyAt = await readiness.readyAgain(restart.stoppedAt, 60_000);
      const readySeconds = Math.max(0, readyAt - restart.acceptingAt) / 1000;
      const startToReadySeconds = Math.round((readyAt - restart.startedAt) / 100) / 10;
      context.progress(`PostgreSQL accepts connections again; hubs ready ${readySeconds} s later`);
      await sleep(3_000);
      const published = await trickle.stop();
      await webhooks.stop();
      await webhooks.retryUntilAcknowledged(`${api.url}/webhooks/${shop}`, 60_000);

      const finished = await waitForRun(api, run.id, 120_000).catch(() => undefined);
      const messages = webhooks.messages();
      await until(
        'every webhook processed',
        async () => ((await processedCount(db, shop)) >= messages.length ? true : undefined),
        60_000,
      ).catch(() => undefined);
      const expected = await outboxEvents(db, ['customer.%', 'order.%', 'chaos.%']);
      await until(
        'every event delivered',
        async () => (checkDeliveries(sink.received, expected).lost === 0 ? true : undefined),
        60_000,
      ).catch(() => undefined);
      const chaosEvents = await outboxEvents(db, ['chaos.%']);
      await until(
        'the event stream to catch up',
        async () => (missedByStream(stream.ids, chaosEvents) === 0 ? true : undefined),
        20_000,
      ).catch(() => undefined);

      const delivered = checkDeliveries(sink.received, expected);
      const records = await checkSyncedRecords(
        db,
        erp,
        'customer',
        source.records().map((record) => record.id),
      );
      const stored = await storedMessageIds(db, shop);
      const counts = webhooks.counts();
      const acknowledgedLost = messages.filter(
        (item) =>
          item.answers.some((status) => status >= 200 && status < 300) &&
          !stored.processed.has(item.message.id),
      ).length;
      const stopped = hubs.filter(
        (hub) => hub.process.child.exitCode !== null || hub.process.child.signalCode !== null,
      );
      return [
        measured('postgres: down for', Math.round((restart.startedAt - restart.stoppedAt) / 100) / 10, 's'),
        within('postgres: accepting connections to every hub ready (/readyz 200)', readySeconds, 60),
        measured('postgres: start of the server to every hub ready', startToReadySeconds, 's'),
        none('postgres: hub processes that crashed or were restarted', stopped.length),
        is('postgres: sync run state', finished?.state ?? 'unfinished', 'succeeded'),
        measured('postgres: executions of the run', finished?.attempts ?? 0),
        none('postgres: records lost', records.lost),
        none('postgres: records duplicated', records.duplicated + records.eventsRepeated),
        measured('postgres: webhooks acknowledged', counts.messages),
        measured('postgres: webhook attempts answered 5xx while it was down', counts.serverErrors),
        none('postgres: acknowledged webhooks lost or unprocessed', acknowledgedLost),
        none('postgres: webhooks stored twice', stored.copies),
        measured('postgres: events a module published meanwhile', published.written),
        measured('postgres: event writes that failed while it was down', published.failedWrites),
        none('postgres: events lost at the subscriber', delivered.lost),
        none('postgres: subjects out of order at the subscriber', delivered.subjectsOutOfOrder),
        none('postgres: events missed by the live event stream', missedByStream(stream.ids, chaosEvents)),
      ];
    } finally {
      readiness.stop();
      await stream.close();
      await trickle.stop();
      await webhooks.stop();
      await webhooks.close();
    }
  } finally {
    await db.end();
    await sink.close();
    await source.close();
    await cluster.close();
  }
}

/** Polls every hub's /readyz, remembering when each was last seen turning ready. */
function watchReadiness(hubs: ChaosHub[]) {
  const readySince = new Map<ChaosHub, number | undefined>();
  let stopped = false;
  const poll = (async () => {
    while (!stopped) {
      await Promise.all(
        hubs.map(async (hub) => {
          const ready = await fetch(`${hub.url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
            (response) => response.status === 200,
            () => false,
          );
          if (!ready) readySince.set(hub, undefined);
          else if (readySince.get(hub) === undefined) readySince.set(hub, Date.now());
        }),
      );
      await sleep(100);
    }
  })();
  return {
    /** When the last hub turned ready again after `downAt`. */
    async readyAgain(downAt: number, timeoutMs: number): Promise<number> {
      const times = await until(
        'every hub ready again',
        async () => {
          const since = hubs.map((hub) => readySince.get(hub));
          return since.every((at) => at !== undefined && at > downAt) ? (since as number[]) : undefined;
        },
        timeoutMs,
      );
      return Math.max(...times);
    },
    stop() {
      stopped = true;
      return poll;
    },
  };
}

function missedByStream(read: string[], events: Map<string, number>): number {
  const seen = new Set(read);
  let missed = 0;
  for (const id of events.keys()) if (!seen.has(id)) missed += 1;
  return missed;
}

async function processedCount(db: Pool, integrationId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM inbound_webhooks WHERE integration_id = $1 AND state = 'processed'",
    [integrationId],
  );
  return rows[0]?.n ?? 0;
}

async function storedMessageIds(
  db: Pool,
  integrationId: string,
): Promise<{ processed: Set<string>; copies: number }> {
  const { rows } = await db.query<{ messageId: string; processed: boolean; copies: number }>(
    `SELECT message_id AS "messageId", bool_and(state = 'processed') AS processed, count(*)::int AS copies
       FROM inbound_webhooks WHERE integration_id = $1 GROUP BY message_id`,
    [integrationId],
  );
  return {
    processed: new Set(rows.filter((row) => row.processed).map((row) => row.messageId)),
    copies: rows.reduce((sum, row) => sum + row.copies - 1, 0),
  };
}
