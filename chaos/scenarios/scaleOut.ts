// Scale-out: an API process and two workers on one PostgreSQL. Schedules every two seconds fire
// once across the workers; one integration's rate limit holds while a worker syncs and the API
// process proxies for it; a worker killed with SIGKILL in the middle of a big sync is taken over
// by the other; and the records per second of several syncs at once, with one worker and two.
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { type RecordSource, startRecordSource } from '../../sandbox/recordSource/index.ts';
import { SOURCE_TOKEN, sourceIntegration } from '../../test/support/syncSupport.ts';
import type { ChaosScenario } from '../scenario.ts';
import { type ChaosCluster, type ChaosHub, startCluster, until } from '../support/chaosHub.ts';
import { auditEvents } from '../support/eventAudit.ts';
import { createIntegration, startSync, waitForRun } from '../support/hubSyncs.ts';
import { RequestWindows } from '../support/requestWindows.ts';
import { type Round, scheduleFigures, throughputFigures } from './scaleOutFigures.ts';

type Row = Awaited<ReturnType<ChaosScenario['run']>>[number];

/** How long the schedules tick and the rate-limited integration is pressed. */
const PRESS_MS = 35_000;
const LIMIT_PER_MINUTE = 60;
const WORKER = { HUB_ROLE: 'worker', HUB_SCHEDULER_INTERVAL_MS: '300' };

export const scaleOut: ChaosScenario = {
  name: 'scale-out',
  description:
    'HUB_ROLE=api and two workers on one PostgreSQL: schedules, a shared rate limit, a killed worker, throughput',
  async run(context) {
    context.output.plant(SOURCE_TOKEN);
    const cluster = await startCluster(context, 'scale-out');
    const db = new pg.Pool({ connectionString: cluster.database.url, max: 2 });
    const sources: RecordSource[] = [];
    const source = async (count: number, seed: number) => {
      const started = await startRecordSource({ count, seed, token: SOURCE_TOKEN });
      sources.push(started);
      return started;
    };
    try {
      const [api, first, second] = await Promise.all([
        cluster.start('api', { HUB_ROLE: 'api' }),
        cluster.start('worker-1', WORKER),
        cluster.start('worker-2', WORKER),
      ]);
      if (!api || !first || !second) throw new Error('the processes did not start');
      context.progress('api, worker-1 and worker-2 ready');
      const pressed = await schedulesAndLimit(api, db, source);
      context.progress('schedules and the shared rate limit measured; now a worker is killed mid-sync');
      const { figures: killed, survivor } = await killedWorker(cluster, api, db, first, second, source);
      context.progress('throughput with one worker, then two');
      const speed = await throughput(cluster, api, survivor, source);
      return [...pressed, ...killed, ...speed];
    } finally {
      await db.end();
      await cluster.close();
      await Promise.all(sources.map((started) => started.close()));
    }
  },
};

async function schedulesAndLimit(
  api: ChaosHub,
  db: pg.Pool,
  source: (count: number, seed: number) => Promise<RecordSource>,
): Promise<Row[]> {
  const scheduled: string[] = [];
  const startedAt = new Date();
  for (let i = 0; i < 4; i++) {
    const origin = await source(30, 40 + i);
    const body = sourceIntegration(origin.url, { schedule: { enabled: true, cron: '*/2 * * * * *' } });
    scheduled.push(await createIntegration(api, body));
  }
  // 3,000 records in pages of 10 want 300 requests; the limit lets 60 through a minute.
  const limitedSource = await source(3_000, 50);
  const windows = new RequestWindows(limitedSource);
  const limited = await createIntegration(
    api,
    sourceIntegration(limitedSource.url, {
      pagination: { style: 'page', pageSize: 10, pageParam: 'page', sizeParam: 'per_page' },
      rateLimits: { requestsPerMinute: LIMIT_PER_MINUTE },
    }),
  );
  await startSync(api, limited, { full: true });
  // The API process calls the same source through the proxy while a worker syncs.
  const proxied = { answered: 0, refused: 0 };
  const pressUntil = startedAt.getTime() + PRESS_MS;
  while (Date.now() < pressUntil) {
    const answer = await api.api('GET', `/api/v1/proxy/${limited}/customers?page=1&per_page=1`);
    if (answer.status === 429) proxied.refused += 1;
    else proxied.answered += 1;
    await sleep(250);
  }
  const endedAt = new Date();
  const runs = await db.query<{ integrationId: string; queuedAt: Date; finishedAt: Date | null }>(
    `SELECT integration_id AS "integrationId", queued_at AS "queuedAt", finished_at AS "finishedAt" FROM sync_runs
      WHERE integration_id = ANY($1::uuid[]) AND trigger = 'schedule' AND queued_at < $2`,
    [scheduled, endedAt],
  );
  for (const id of [...scheduled, limited]) await api.api('DELETE', `/api/v1/integrations/${id}`);
  const seen = windows.perWindow(60_000)[0] ?? 0;
  return [
    ...scheduleFigures(runs.rows, scheduled, endedAt, 2_000),
    {
      figure: `requests the source saw in the first window of ${LIMIT_PER_MINUTE}/min (a worker's sync and the API's proxy, ${PRESS_MS / 1000} s)`,
      value: seen,
      unit: 'requests',
      goal: `<= ${LIMIT_PER_MINUTE}`,
      pass: seen <= LIMIT_PER_MINUTE && seen > 0,
    },
    {
      figure: 'proxy calls refused with 429 once the shared budget was spent',
      value: `${proxied.refused} of ${proxied.answered + proxied.refused}`,
    },
  ];
}

async function killedWorker(
  cluster: ChaosCluster,
  api: ChaosHub,
  db: pg.Pool,
  first: ChaosHub,
  second: ChaosHub,
  source: (count: number, seed: number) => Promise<RecordSource>,
): Promise<{ figures: Row[]; survivor: ChaosHub }> {
  // The run must be on the worker that is killed: the other is away while it is taken.
  await second.stop();
  const origin = await source(15_000, 60);
  // Slow pages, so the kill lands in the middle of the run.
  origin.onRequest(() => sleep(10));
  const id = await createIntegration(
    api,
    sourceIntegration(origin.url, {
      pagination: { style: 'cursor', pageSize: 100, nextCursorPath: 'next_cursor' },
    }),
  );
  const run = await startSync(api, id, { full: true });
  const survivor = await cluster.start('worker-3', WORKER);
  await until(
    'a third of the records',
    async () =>
      (await api.api('GET', `/api/v1/sync-runs/${run.id}`)).body.counts.created >= 5_000 ? true : undefined,
    60_000,
  );
  await first.kill();
  const killedAt = Date.now();
  const takenOver = await until(
    'the other worker to take the run over',
    async () => {
      const read = (await api.api('GET', `/api/v1/sync-runs/${run.id}`)).body;
      return read.attempts >= 2 && read.state === 'running' ? Date.now() : undefined;
    },
    90_000,
  );
  const done = await waitForRun(api, run.id, 90_000);
  const stored = await db.query<{ id: string }>(
    'SELECT external_id AS id FROM synced_records WHERE integration_id = $1 AND deleted_at IS NULL',
    [id],
  );
  const held = new Set(origin.records().map((record) => record.id));
  const lost = [...held].filter((recordId) => !stored.rows.some((row) => row.id === recordId)).length;
  const events = await auditEvents(db, id, new Set());
  await api.api('DELETE', `/api/v1/integrations/${id}`);
  return {
    survivor,
    figures: [
      {
        figure: 'run of 15,000 records, its worker killed (SIGKILL) at a third',
        value: `${done.state} after ${done.attempts} attempts`,
        goal: 'succeeded',
        pass: done.state === 'succeeded',
      },
      {
        figure: 'time for the other worker to take the run over (lease 20 s)',
        value: Number(((takenOver - killedAt) / 1000).toFixed(1)),
        unit: 's',
      },
      { figure: 'records lost by the kill', value: lost, unit: 'records', goal: '0', pass: lost === 0 },
      {
        figure: 'records announced twice after the kill',
        value: events.duplicated.length,
        unit: 'records',
        goal: '0',
        pass: events.duplicated.length === 0,
      },
    ],
  };
}

async function throughput(
  cluster: ChaosCluster,
  api: ChaosHub,
  survivor: ChaosHub,
  source: (count: number, seed: number) => Promise<RecordSource>,
): Promise<Row[]> {
  const origins = await Promise.all([0, 1, 2, 3].map((i) => source(8_000, 70 + i)));
  // One, two, two, one: the database grows with every round, and the order evens that out.
  const first = await syncAllAtOnce(api, origins, [survivor]);
  const other = await cluster.start('worker-4', WORKER);
  const second = await syncAllAtOnce(api, origins, [survivor, other]);
  const third = await syncAllAtOnce(api, origins, [survivor, other]);
  await other.stop();
  const fourth = await syncAllAtOnce(api, origins, [survivor]);
  await survivor.stop();
  return throughputFigures([first, fourth], [second, third], origins.length);
}

/**
 * Fresh integrations over the sources, full syncs started together: the records of them all and
 * the time from the first start to the last finish, and how many runs each worker finished (from
 * its own hub_sync_runs_total).
 */
async function syncAllAtOnce(api: ChaosHub, origins: RecordSource[], workers: ChaosHub[]): Promise<Round> {
  const ids: string[] = [];
  for (const origin of origins) {
    const body = sourceIntegration(origin.url, {
      pagination: { style: 'cursor', pageSize: 1_000, nextCursorPath: 'next_cursor' },
    });
    ids.push(await createIntegration(api, body));
  }
  const runs = await Promise.all(ids.map((id) => startSync(api, id, { full: true })));
  const done = await Promise.all(runs.map((run) => waitForRun(api, run.id, 120_000)));
  const failed = done.filter((run) => run.state !== 'succeeded');
  if (failed.length > 0)
    throw new Error(`throughput runs failed: ${failed.map((run) => run.error).join('; ')}`);
  const started = Math.min(...done.map((run) => Date.parse(run.startedAt)));
  const finished = Math.max(...done.map((run) => Date.parse(run.finishedAt)));
  const split = await Promise.all(
    workers.map(async (worker) => {
      const metrics = (await worker.api('GET', '/metrics')).text;
      return ids.filter((id) =>
        metrics.includes(`hub_sync_runs_total{integration="${id}",state="succeeded"}`),
      ).length;
    }),
  );
  return {
    records: done.reduce((sum, run) => sum + run.counts.created, 0),
    seconds: (finished - started) / 1000,
    split,
  };
}
