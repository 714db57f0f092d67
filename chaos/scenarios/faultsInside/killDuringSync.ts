// kill -9 of the worker in the middle of a big sync from the record source: a second worker (and
// the killed one, restarted) take the run over from its last committed page once its lease runs
// out. Checked against the source's own data: no record lost, none twice, no record event repeated
// under a new id, and every record event at the subscriber.
import { setTimeout as sleep } from 'node:timers/promises';
import { startRecordSource } from '../../../sandbox/recordSource/index.ts';
import { createPool } from '../../../src/db/pool.ts';
import { checkDeliveries, outboxEvents } from '../../../test/support/deliveryChecks.ts';
import { startEventSink } from '../../../test/support/eventSink.ts';
import { SOURCE_TOKEN, sourceIntegration } from '../../../test/support/syncSupport.ts';
import type { ScenarioContext } from '../../scenario.ts';
import { startCluster, until } from '../../support/chaosHub.ts';
import { subscribe } from '../../support/subscriptions.ts';
import { checkSyncedRecords } from '../../support/syncedRecords.ts';
import { is, measured, none, type ScenarioFigure, within } from './figures.ts';
import { createIntegration, startSync, waitForRun } from './hubRuns.ts';

const RECORDS = 15_000;
const PAGE_SIZE = 200;
/** Each page takes this long at the source, so the run lasts long enough to be killed in. */
const PAGE_DELAY_MS = 20;
const WORKER_ENV = { HUB_SCHEDULER_INTERVAL_MS: '1000' };

export async function killDuringSync(context: ScenarioContext): Promise<ScenarioFigure[]> {
  const cluster = await startCluster(context, 'faults-inside-sync');
  const source = await startRecordSource({ count: RECORDS, seed: 31, token: SOURCE_TOKEN });
  context.output.plant(SOURCE_TOKEN);
  const sink = await startEventSink();
  const db = createPool(cluster.database.url, 2);
  try {
    const first = await cluster.start('worker-1', WORKER_ENV);
    await subscribe(context, first, { types: ['customer.*'], url: sink.url });
    const integrationId = await createIntegration(
      first,
      sourceIntegration(source.url, {
        pagination: { style: 'cursor', pageSize: PAGE_SIZE, nextCursorPath: 'next_cursor' },
      }),
    );
    source.onRequest(() => sleep(PAGE_DELAY_MS));
    const run = await startSync(first, integrationId, { full: true });
    // The second worker starts only once the first holds the run, so the kill hits the run.
    await until(
      'the run to start on worker-1',
      async () =>
        (await first.api('GET', `/api/v1/sync-runs/${run.id}`)).body.state === 'running' ? true : undefined,
      30_000,
    );
    const second = await cluster.start('worker-2', WORKER_ENV);
    await until(
      'a third of the records',
      async () =>
        (await first.api('GET', `/api/v1/sync-runs/${run.id}`)).body.counts.created >= RECORDS / 3
          ? true
          : undefined,
      60_000,
    );
    await first.kill();
    const killedAt = Date.now();
    const atKill = await syncedCount(db, integrationId);
    context.progress(
      `worker-1 killed with ${atKill} of ${RECORDS} records synced; waiting for the take-over`,
    );
    // A supervisor would bring the killed worker back; both now compete for the stalled run.
    await cluster.start('worker-1-restarted', WORKER_ENV);

    const finished = await waitForRun(second, run.id, 120_000);
    const recoverySeconds = (Date.now() - killedAt) / 1000;
    const expected = await outboxEvents(db, ['customer.%']);
    await until(
      'every record event at the subscriber',
      async () => (checkDeliveries(sink.received, expected).lost === 0 ? true : undefined),
      60_000,
    ).catch(() => undefined);
    const delivered = checkDeliveries(sink.received, expected);
    const records = await checkSyncedRecords(
      db,
      integrationId,
      'customer',
      source.records().map((record) => record.id),
    );
    return [
      measured(
        'sync: records synced when the worker was killed',
        atKill,
        `of ${RECORDS.toLocaleString('en-US')}`,
      ),
      within('sync: kill to run finished on another worker (lease 20 s)', recoverySeconds, 60),
      is('sync: run state after the take-over', finished.state, 'succeeded'),
      {
        figure: 'sync: executions of the run (the kill cut one short)',
        value: finished.attempts,
        goal: '>= 2',
        pass: finished.attempts >= 2,
      },
      none('sync: records lost', records.lost),
      none('sync: records duplicated', records.duplicated),
      none('sync: record events repeated under a new id', records.eventsRepeated),
      none('sync: record events lost at the subscriber', delivered.lost),
      measured('sync: record events delivered again with the same id', delivered.repeated),
    ];
  } finally {
    await db.end();
    await sink.close();
    await source.close();
    await cluster.close();
  }
}

async function syncedCount(db: ReturnType<typeof createPool>, integrationId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM synced_records WHERE integration_id = $1',
    [integrationId],
  );
  return rows[0]?.n ?? 0;
}
