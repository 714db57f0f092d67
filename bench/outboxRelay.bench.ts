// Outbox to subscriber: events committed in transactions reach an HTTP subscriber (signed per
// Standard Webhooks) through the relay. Three figures: the throughput of a backlog of 30,000
// events over 200 subjects, from the first commit to the last delivery, one event per request;
// the latency from commit to arrival while events are written at 1,000/s; and the throughput of
// the same backlog to a subscription that takes batches of 100. The subscriber runs in its own
// process, as a CRM module would. Each ceiling is that subscriber hammered with the same signed
// requests straight from this process, without the database.
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Agent, request } from 'undici';
import { loadConfig } from '../src/config.ts';
import { StandardWebhookSigner } from '../src/connectors/sdk/signatures/standardWebhookSigner.ts';
import type { Pool } from '../src/db/pool.ts';
import { appendEvents, type HubEvent } from '../src/events/outbox.ts';
import { startHub } from '../src/hub.ts';
import { createLogger } from '../src/observability/logger.ts';
import { benchDatabase } from './support.ts';

const BACKLOG = 30_000;
const SUBJECTS = 200;
const BATCH_SIZE = 100;

export async function outboxRelayBenchmark() {
  const database = await benchDatabase();
  const sink = await startSink();
  const { arrivals } = sink;
  const sinkUrl = `http://127.0.0.1:${sink.port}/events`;
  const token = `hub_bench_${randomBytes(16).toString('hex')}`;
  const hub = await startHub(
    loadConfig({
      DATABASE_URL: database.url,
      // The bench's sources and subscribers listen on loopback.
      HUB_ALLOWED_NETWORKS: '127.0.0.0/8,::1/128',
      HUB_MASTER_KEY: randomBytes(32).toString('base64'),
      HUB_ADMIN_TOKEN: token,
      HUB_RELAY_POLL_MS: '200',
      HUB_DB_POOL_SIZE: '20',
      PORT: '0',
    }),
    { logger: createLogger('warn') },
  );
  try {
    const subscribe = (types: string[], batchSize: number) =>
      fetch(`${hub.url}/api/v1/subscriptions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Bench module (${batchSize})`, types, url: sinkUrl, batchSize }),
      }).then((response) => response.json() as Promise<{ secret: string }>);
    const single = await subscribe(['bench.order.*'], 1);
    const batched = await subscribe(['bench.batch.*'], BATCH_SIZE);

    const ceiling = await directPosts(sinkUrl, single.secret, 20_000, 1);
    const eventsPerSecond = await backlogThroughput(database.pool, arrivals, 'bench.order.synced');

    // Latency at a steady 1,000 events/s: 10 events every 10 ms for 5 s, each its own commit time.
    const committedAt = new Map<string, number>();
    const rateStarted = now();
    for (let tick = 0; tick < 500; tick += 1) {
      const due = rateStarted + tick * 10;
      const wait = due - now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const batch = Array.from({ length: 10 }, (_, k) => benchEvent(BACKLOG + tick * 10 + k));
      const written = await appendEvents(database.pool, batch);
      const at = now();
      for (const id of written) committedAt.set(id, at);
    }
    const achievedRate = Math.round(5000 / ((now() - rateStarted) / 1000));
    await until(
      () => [...committedAt.keys()].every((id) => arrivals.has(id)),
      60_000,
      () => arrivals.size >= BACKLOG + committedAt.size,
    );
    const latencies = [...committedAt].map(([id, at]) => (arrivals.get(id) ?? at) - at).sort((a, b) => a - b);
    const quantile = (q: number) =>
      Math.round((latencies[Math.floor(q * (latencies.length - 1))] ?? 0) * 10) / 10;

    const batchCeiling = await directPosts(sinkUrl, batched.secret, 100_000, BATCH_SIZE);
    const batchedPerSecond = await backlogThroughput(database.pool, arrivals, 'bench.batch.order.synced');
    return [
      {
        bench: 'outbox-relay-throughput',
        events: BACKLOG,
        subjects: SUBJECTS,
        eventsPerSecond,
        ceiling: ceiling.perSecond,
        ceilingWhat: 'the same signed POSTs to the same subscriber straight from this process, no database',
        ratio: Math.round((eventsPerSecond / ceiling.perSecond) * 100) / 100,
        goal: '>= 5000 events/s',
      },
      {
        bench: 'outbox-relay-latency',
        writtenPerSecond: achievedRate,
        p50Ms: quantile(0.5),
        p99Ms: quantile(0.99),
        maxMs: quantile(1),
        goal: 'p99 < 100 ms at 1000 events/s',
      },
      {
        bench: 'outbox-relay-batched-throughput',
        events: BACKLOG,
        subjects: SUBJECTS,
        batchSize: BATCH_SIZE,
        eventsPerSecond: batchedPerSecond,
        ceiling: batchCeiling.perSecond,
        ceilingWhat: `signed batches of ${BATCH_SIZE} events to the same subscriber straight from this process, no database`,
        ratio: Math.round((batchedPerSecond / batchCeiling.perSecond) * 100) / 100,
        goal: '>= 5000 events/s',
      },
    ];
  } finally {
    await hub.stop();
    await sink.stop();
    await database.close();
  }
}

/** A backlog written in transactions of 500, delivered as fast as the relay can: events/s. */
async function backlogThroughput(pool: Pool, arrivals: Map<string, number>, type: string) {
  const ids: string[] = [];
  const before = arrivals.size;
  const started = now();
  for (let n = 0; n < BACKLOG; n += 500) {
    const batch: HubEvent[] = [];
    for (let k = n; k < n + 500; k += 1) batch.push(benchEvent(k, type));
    ids.push(...(await appendEvents(pool, batch)));
  }
  await until(
    () => ids.every((id) => arrivals.has(id)),
    120_000,
    () => arrivals.size >= before + BACKLOG,
  );
  const lastArrival = Math.max(...ids.map((id) => arrivals.get(id) ?? 0));
  return Math.round(BACKLOG / ((lastArrival - started) / 1000));
}

function benchEvent(n: number, type = 'bench.order.synced'): HubEvent {
  return {
    type,
    source: 'urn:bench',
    subject: `order/${n % SUBJECTS}`,
    data: { orderId: `A-${n}`, customer: 'Hotel Adler München', total: 412.5, currency: 'EUR', n },
  };
}

/**
 * Signed POSTs of like bodies with 64 in flight, one event each or batches of `batchSize`: what the
 * subscriber and HTTP allow at most, in events/s.
 */
async function directPosts(url: string, secret: string, events: number, batchSize: number) {
  const agent = new Agent({ connections: 64 });
  const signer = new StandardWebhookSigner(secret);
  const requests = Math.ceil(events / batchSize);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < requests) {
        const n = next++;
        const id = `direct-${n}`;
        const bodyOf = (k: number) => ({ id: `direct-${n}-${k}`, data: benchEvent(n * batchSize + k).data });
        const body =
          batchSize === 1
            ? JSON.stringify({ id, data: benchEvent(n).data })
            : JSON.stringify(Array.from({ length: batchSize }, (_, k) => bodyOf(k)));
        const timestamp = Math.floor(Date.now() / 1000);
        const response = await request(url, {
          method: 'POST',
          dispatcher: agent,
          body,
          headers: {
            'content-type': batchSize === 1 ? 'application/json' : 'application/cloudevents-batch+json',
            'webhook-id': id,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': signer.sign(id, timestamp, body),
          },
        });
        await response.body.dump();
      }
    }),
  );
  await agent.close();
  return { perSecond: Math.round((requests * batchSize) / ((performance.now() - started) / 1000)) };
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable with the sink's process. */
function now(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * The subscriber's process, and every event id it has seen with when it first arrived (the
 * ceiling's own POSTs are not kept).
 */
async function startSink(): Promise<{ port: number; arrivals: Map<string, number>; stop(): Promise<void> }> {
  const child: ChildProcess = fork(path.join(import.meta.dirname, 'load/subscriberSink.ts'), {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const arrivals = new Map<string, number>();
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.on('message', (message: { port?: number; arrived?: [string, number][] }) => {
      if (message.port) resolve(message.port);
      for (const [id, at] of message.arrived ?? [])
        if (!id.startsWith('direct-') && !arrivals.has(id)) arrivals.set(id, at);
    });
  });
  return {
    port,
    arrivals,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.disconnect();
      }),
  };
}

/**
 * Waits until `check` holds. The cheap `likely` (a count) gates the full check, so waiting does not
 * take the relay's CPU.
 */
async function until(check: () => boolean, timeoutMs: number, likely: () => boolean) {
  const deadline = Date.now() + timeoutMs;
  while (!(likely() && check())) {
    if (Date.now() > deadline) throw new Error('the relay did not deliver every event in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
