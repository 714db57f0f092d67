// End-to-end sync throughput: a record source in a second process serves German customer
// records in pages; the hub fetches, maps, compares by hash, upserts and writes outbox events.
// The ceiling is the same rows (canonical records and their outbox events) written straight into
// PostgreSQL with batched INSERT … ON CONFLICT from this process: no fetching, mapping or checks. A second, unchanged sync shows what the hash check saves.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateCustomers } from '../sandbox/recordSource/customers.ts';
import { systemPrincipal } from '../src/access/principal.ts';
import { loadConfig } from '../src/config.ts';
import type { Pool } from '../src/db/pool.ts';
import { type RunningHub, startHub } from '../src/hub.ts';
import { compileMapping, entityMappingSchema } from '../src/mapping/index.ts';
import { createLogger } from '../src/observability/logger.ts';
import { mapBatch } from '../src/sync/mapBatch.ts';
import type { SyncRun } from '../src/sync/syncRunsTable.ts';
import { customerMapping } from '../test/support/syncSupport.ts';
import { benchDatabase } from './support.ts';

const PAGE_SIZE = 1000;

export async function syncBenchmark() {
  const lines: Record<string, unknown>[] = [];
  for (const count of [10_000, 100_000]) lines.push(...(await measure(count)));
  return lines;
}

async function measure(count: number) {
  const database = await benchDatabase();
  const source = await startSourceProcess(count);
  let hub: RunningHub | undefined;
  try {
    hub = await startHub(
      loadConfig({
        DATABASE_URL: database.url,
        // The bench's sources and subscribers listen on loopback.
        HUB_ALLOWED_NETWORKS: '127.0.0.0/8,::1/128',
        HUB_DATA_DIR: await mkdtemp(path.join(tmpdir(), 'hub-bench-')),
        HUB_MASTER_KEY: randomBytes(32).toString('base64'),
        HUB_ADMIN_TOKEN: `hub_bench_${randomBytes(16).toString('hex')}`,
        HUB_LOG_LEVEL: 'warn',
      }),
      { logger: createLogger('warn'), listen: false },
    );
    const create = (name: string, conditional: boolean) =>
      hub!.context.integrations.create(
        {
          name,
          connector: 'rest',
          entities: ['customer'],
          config: {
            baseUrl: source.url,
            auth: { kind: 'none' },
            timeoutMs: 30_000,
            resources: {
              customer: {
                path: '/customers',
                recordsPath: 'data',
                pagination: { style: 'cursor', pageSize: PAGE_SIZE, nextCursorPath: 'next_cursor' },
                conditional,
              },
            },
          },
          rateLimits: { requestsPerMinute: 1_000_000 },
          schedule: { enabled: false },
          mapping: { customer: customerMapping },
        },
        { actor: systemPrincipal },
      );
    const integration = await create(`bench-${count}`, false);
    const first = await timedRun(hub, integration.id);
    // An unchanged resync comes minutes later in practice, after autovacuum has visited the new
    // rows; doing that here, outside the timing, keeps the second figure from measuring autovacuum.
    await database.pool.query('VACUUM ANALYZE synced_records, outbox_events');
    const second = await timedRun(hub, integration.id);
    // The same with conditional requests (ETag): from the second resync on, pages the source
    // answers 304 for were stored before the last complete sync and are not even mapped.
    const cached = await create(`bench-${count}-conditional`, true);
    const cachedFirst = await timedRun(hub, cached.id);
    await database.pool.query('VACUUM ANALYZE synced_records, outbox_events');
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    await timedRun(hub, cached.id);
    const cachedSteady = await timedRun(hub, cached.id);
    const ceiling = await ceilingInsert(database.pool, count);
    const label = count >= 100_000 ? '100k' : '10k';
    const firstRate = Math.round(count / (first.seconds || 1e-9));
    return [
      {
        bench: `sync-${label}`,
        records: count,
        recordsPerSecond: firstRate,
        seconds: round(first.seconds),
        peakRssMiB: first.peakRssMiB,
        rssBeforeMiB: first.rssBeforeMiB,
        heapRetainedMiB: first.retainedMiB,
        created: first.run.created,
        ceiling: ceiling.recordsPerSecond,
        ceilingWhat:
          'the rows the hub writes (records and their outbox events), already mapped, in batched INSERT … ON CONFLICT transactions straight into PostgreSQL',
        ratio: round(firstRate / ceiling.recordsPerSecond),
      },
      {
        bench: `sync-${label}-unchanged`,
        records: count,
        recordsPerSecond: Math.round(count / (second.seconds || 1e-9)),
        seconds: round(second.seconds),
        peakRssMiB: second.peakRssMiB,
        heapRetainedMiB: second.retainedMiB,
        unchanged: second.run.unchanged,
        speedUpOverFirst: round(first.seconds / second.seconds),
      },
      {
        bench: `sync-${label}-unchanged-conditional`,
        records: count,
        firstSeconds: round(cachedFirst.seconds),
        seconds: round(cachedSteady.seconds),
        recordsPerSecond: Math.round(count / (cachedSteady.seconds || 1e-9)),
        notModifiedPages: cachedSteady.run.progress.customer?.notModifiedPages ?? 0,
        unchanged: cachedSteady.run.unchanged,
        speedUpOverFirst: round(cachedFirst.seconds / cachedSteady.seconds),
      },
    ];
  } finally {
    await hub?.stop();
    source.process.kill('SIGTERM');
    await database.close();
  }
}

async function timedRun(hub: RunningHub, integrationId: string) {
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const started = performance.now();
  const { run: queued } = await hub.context.sync.requestSync(
    integrationId,
    { full: true },
    systemPrincipal,
    randomBytes(16).toString('hex'),
  );
  let run: SyncRun = await hub.context.sync.run(queued.id);
  while (!['succeeded', 'partial', 'failed'].includes(run.state)) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    run = await hub.context.sync.run(queued.id);
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  if (run.state !== 'succeeded') throw new Error(`bench run ended ${run.state}: ${run.error}`);
  // What the run left behind on the heap once garbage is collected: flat means nothing grows with the count.
  global.gc?.();
  const retainedMiB = global.gc ? mib(process.memoryUsage().heapUsed - heapBefore) : undefined;
  return { run, seconds, peakRssMiB: mib(peak), rssBeforeMiB: mib(rssBefore), retainedMiB };
}

async function ceilingInsert(pool: Pool, count: number) {
  const mapping = compileMapping(entityMappingSchema.parse(customerMapping));
  const raw = generateCustomers(count);
  const mapped = mapBatch(
    raw.map((record) => ({ externalId: record.id, data: record })),
    mapping,
  ).records;
  const integrationId = randomUUID();
  await pool.query(
    `INSERT INTO integration_configs (id, name, connector, type, status, config, rate_limits, retry_policy, schedule)
     VALUES ($1, $2, 'rest', 'REST', 'inactive', '{}', '{}', '{}', '{}')`,
    [integrationId, `ceiling-${integrationId}`],
  );
  const started = performance.now();
  for (let offset = 0; offset < mapped.length; offset += PAGE_SIZE) {
    const page = mapped.slice(offset, offset + PAGE_SIZE);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO synced_records (integration_id, entity, external_id, canonical_type, data, content_hash)
         SELECT $1, 'customer', id, 'customer', data, hash FROM unnest($2::text[], $3::jsonb[], $4::text[]) AS t(id, data, hash)
         ON CONFLICT (integration_id, entity, external_id) DO UPDATE SET data = excluded.data,
           content_hash = excluded.content_hash, updated_at = now()`,
        [
          integrationId,
          page.map((record) => record.externalId),
          page.map((record) => record.json),
          page.map((record) => record.hash),
        ],
      );
      await client.query(
        `INSERT INTO outbox_events (id, type, source, subject, data, integration_id)
         SELECT id, 'customer.created', 'bench', subject, data, $1 FROM unnest($2::uuid[], $3::text[], $4::jsonb[])
           AS t(id, subject, data)`,
        [
          integrationId,
          page.map(() => randomUUID()),
          page.map((record) => `customer/${record.externalId}`),
          page.map((record) => record.json),
        ],
      );
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { recordsPerSecond: Math.round(count / seconds) };
}

async function startSourceProcess(count: number): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      'sandbox/recordSource/main.ts',
      '--count',
      String(count),
      '--port',
      '0',
      '--page-size-max',
      String(PAGE_SIZE),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/[^\s]+)/.exec(output);
      if (match?.[1]) resolve(match[1].replace(/\/$/, ''));
    });
    child.on('exit', (code) => reject(new Error(`record source exited with ${code}`)));
  });
  return { url, process: child };
}

const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);
const round = (n: number) => Math.round(n * 100) / 100;
