// The event relay, run by every worker process: it numbers committed outbox events and fans them
// out (sequencer.ts), claims due deliveries, and hands them to their transport one by one, or in
// batches to a subscription that takes them (deliveryAttempts.ts). It is woken by
// LISTEN/NOTIFY on every outbox insert, with polling as the floor. Several relays may run at
// once; claims keep a subject's events in order across them. A relay killed mid-delivery leaves
// its claims to expire; the events are then delivered again, with the same id.
//
// Within one relay, deliveries run in lanes, each serving its own share of the subjects (by a
// hash): while one lane waits on the database to claim or to record outcomes, the others keep
// sending. With one lane the relay sat idle for a quarter of the time at full load.
import { retryThroughLoss } from '../../db/connectionLoss.ts';
import { NotificationListener } from '../../db/notificationListener.ts';
import { type Pool, withTransaction } from '../../db/pool.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Vault } from '../../vault/vault.ts';
import { type CloudEvent, toCloudEvent } from '../outbox.ts';
import {
  findSubscriptions,
  recordSubscriptionHealth,
  type SubscriptionRow,
} from '../subscriptions/subscriptionsTable.ts';
import type { AttemptResult, Transport } from '../transports/transport.ts';
import {
  type ClaimedDelivery,
  claimDeliveries,
  type DeliveryOutcome,
  markAttemptFailed,
  markDelivered,
  releaseDeliveries,
} from './deliveriesTable.ts';
import { DeliveryAttempts, type LoadedEvent } from './deliveryAttempts.ts';
import { sequenceEvents } from './sequencer.ts';
import { findRowsByKey } from './stablePlans.ts';

export interface RelayDependencies {
  pool: Pool;
  databaseUrl: string;
  vault: Vault;
  logger: Logger;
  transports: Record<SubscriptionRow['kind'], Transport>;
  /** In-process handler names this process serves. */
  handlers: () => string[];
}

export interface RelayOptions {
  /** Lanes that claim and deliver side by side, each for its share of the subjects. */
  lanes: number;
  batchSize: number;
  /** Deliveries in flight at once, per lane. */
  concurrency: number;
  deliveryTimeoutMs: number;
  pollIntervalMs: number;
}

interface DeliveryQueue {
  subscription: SubscriptionRow;
  deliveries: ClaimedDelivery[];
  /** Events per attempt: 1, or the subscription's batch size where its transport takes batches. */
  batchSize: number;
}

interface Attempted {
  delivery: ClaimedDelivery;
  subscription: SubscriptionRow;
  result: AttemptResult | 'released';
  durationMs: number;
}

export class EventRelay {
  readonly #deps: RelayDependencies;
  readonly #options: RelayOptions;
  #listener: NotificationListener | undefined;
  #running = false;
  #stopping = new AbortController();
  #loops: Promise<void>[] = [];
  readonly #sequencer = new Wakeup();
  readonly #lanes: Wakeup[];
  readonly #attempts: DeliveryAttempts;

  constructor(deps: RelayDependencies, options: RelayOptions) {
    this.#deps = deps;
    this.#options = options;
    this.#lanes = Array.from({ length: Math.max(1, options.lanes) }, () => new Wakeup());
    this.#attempts = new DeliveryAttempts(deps);
  }

  async start(): Promise<void> {
    this.#running = true;
    this.#stopping = new AbortController();
    await this.#listen();
    this.#loops = [
      this.#loop(this.#sequencer, () => this.#sequence()),
      ...this.#lanes.map((lane, index) => this.#loop(lane, () => this.#dispatch(index))),
    ];
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#stopping.abort();
    for (const wakeup of [this.#sequencer, ...this.#lanes]) wakeup.wake();
    await Promise.all(this.#loops);
    await this.#listener?.close();
    await Promise.all(Object.values(this.#deps.transports).map((transport) => transport.close()));
  }

  /** Runs `work` again at once while it finds some, else after the poll interval or a wake-up. */
  async #loop(wakeup: Wakeup, work: () => Promise<number>): Promise<void> {
    while (this.#running) {
      try {
        wakeup.woken = false;
        if ((await work()) > 0) continue;
      } catch (error) {
        this.#deps.logger.warn({ err: error }, 'event relay pass failed; retrying');
      }
      if (!wakeup.woken && this.#running) await wakeup.sleep(this.#options.pollIntervalMs);
    }
  }

  /**
   * Numbers new events, then wakes the lanes to deliver them: also when it found none, as it was
   * woken for a reason (another relay may have numbered them first).
   */
  async #sequence(): Promise<number> {
    try {
      return (await sequenceEvents(this.#deps.pool)).sequenced;
    } finally {
      for (const lane of this.#lanes) lane.wake();
    }
  }

  async #listen(): Promise<void> {
    const wake = () => this.#sequencer.wake();
    // A lost listener only costs latency (polling carries on); it reconnects by itself, and what
    // was committed while it was away is looked for at once.
    this.#listener = new NotificationListener({
      databaseUrl: this.#deps.databaseUrl,
      channel: 'hub_outbox',
      applicationName: 'integration-hub-relay',
      logger: this.#deps.logger,
      onNotification: wake,
      onReconnect: wake,
    });
    await this.#listener.start();
  }

  /** Claims what is due in one lane's share of the subjects, delivers it and records the outcomes. */
  async #dispatch(lane: number): Promise<number> {
    const { pool } = this.#deps;
    const claimMs = this.#options.deliveryTimeoutMs * 2 + 5_000;
    const claimedUntil = Date.now() + claimMs;
    const claimed = await claimDeliveries(
      pool,
      {
        kinds: Object.keys(this.#deps.transports),
        handlers: this.#deps.handlers(),
        lane: { index: lane, of: this.#lanes.length },
      },
      this.#options.batchSize,
      claimMs,
    );
    if (claimed.length === 0) return 0;
    const [events, subscriptions] = await Promise.all([
      this.#events(claimed.map((delivery) => delivery.seq)),
      findSubscriptions(pool, [...new Set(claimed.map((delivery) => delivery.subscriptionId))]),
    ]);
    const byId = new Map(subscriptions.map((subscription) => [subscription.id, subscription]));
    const attempted: Attempted[] = [];
    await runLimited(this.#queues(claimed, byId), this.#options.concurrency, async (queue) => {
      const { subscription, deliveries, batchSize } = queue;
      let failed = false;
      for (let start = 0; start < deliveries.length; start += batchSize) {
        const chunk = deliveries
          .slice(start, start + batchSize)
          .filter((delivery) => events.has(delivery.seq));
        if (chunk.length === 0) continue;
        // Behind a failure, or when an attempt could outlast the claim (a slow subscriber and a
        // long queue): given back, so no other relay can send a subject's later event meanwhile.
        if (failed || Date.now() + this.#options.deliveryTimeoutMs > claimedUntil) {
          for (const delivery of chunk)
            attempted.push({ delivery, subscription, result: 'released', durationMs: 0 });
          continue;
        }
        const started = performance.now();
        const attempt = (chunk[0] as ClaimedDelivery).attempts + 1;
        const loaded = chunk.map((delivery) => events.get(delivery.seq) as LoadedEvent);
        const result =
          batchSize > 1
            ? await this.#attempts.batch(loaded, subscription, attempt)
            : await this.#attempts.single(loaded[0] as LoadedEvent, subscription, attempt);
        const durationMs = Math.round(performance.now() - started);
        for (const delivery of chunk) attempted.push({ delivery, subscription, result, durationMs });
        if (!result.ok) failed = true;
      }
    });
    await this.#settleOnceReachable(attempted, claimedUntil);
    return claimed.length;
  }

  /**
   * What goes out one after another: a subject's deliveries to one subscription, different
   * subjects side by side; or, for a subscription that takes batches, all its deliveries of this
   * claim, in order, in batches.
   */
  #queues(claimed: ClaimedDelivery[], subscriptions: Map<string, SubscriptionRow>): DeliveryQueue[] {
    const queues = new Map<string, DeliveryQueue>();
    for (const delivery of claimed) {
      const subscription = subscriptions.get(delivery.subscriptionId);
      if (!subscription) continue;
      const batchSize = this.#deps.transports[subscription.kind].deliverBatch ? subscription.batchSize : 1;
      const key =
        batchSize > 1 ? subscription.id : `${subscription.id}\u0000${delivery.subject ?? delivery.eventId}`;
      const queue = queues.get(key) ?? { subscription, deliveries: [], batchSize };
      queue.deliveries.push(delivery);
      queues.set(key, queue);
    }
    return [...queues.values()];
  }

  /**
   * Records what was attempted. When the database is lost meanwhile, the outcomes wait in memory
   * until it answers again, as long as the claims hold: the events went out, and letting the
   * claims expire would only send them again.
   */
  async #settleOnceReachable(attempted: Attempted[], claimedUntil: number): Promise<void> {
    await retryThroughLoss(this.#deps.pool, () => this.#settle(attempted), {
      timeoutMs: claimedUntil - Date.now(),
      signal: this.#stopping.signal,
    }).catch((error: unknown) => {
      this.#deps.logger.warn({ err: error }, 'event relay could not record its deliveries');
      throw error;
    });
  }

  async #settle(attempted: Attempted[]): Promise<void> {
    const delivered: DeliveryOutcome[] = [];
    const failed: (DeliveryOutcome & { retryAt: Date | null })[] = [];
    const released: ClaimedDelivery[] = [];
    const health: { id: string; succeeded: boolean; gone: boolean }[] = [];
    const retryTimes = new Map<AttemptResult, Map<number, Date | null>>();
    for (const { delivery, subscription, result, durationMs } of attempted) {
      if (result === 'released') {
        released.push(delivery);
        continue;
      }
      const outcome = {
        subscriptionId: delivery.subscriptionId,
        seq: delivery.seq,
        status: result.status,
        durationMs,
      };
      health.push({ id: subscription.id, succeeded: result.ok, gone: !result.ok && result.gone === true });
      if (result.ok) {
        delivered.push(outcome);
        continue;
      }
      // A batch's events are tried again together: one time for all, jitter and all.
      const again = delivery.attempts;
      const times = retryTimes.get(result) ?? new Map<number, Date | null>();
      retryTimes.set(result, times);
      if (!times.has(again))
        times.set(again, retryAt(subscription, delivery.attempts + 1, result.retryAfterMs));
      failed.push({ ...outcome, error: result.error, retryAt: times.get(again) ?? null });
    }
    // One transaction, so a settle cut off half-way is simply written again.
    await withTransaction(this.#deps.pool, async (tx) => {
      await findRowsByKey(tx);
      await markDelivered(tx, delivered);
      await markAttemptFailed(tx, failed);
      await releaseDeliveries(tx, released);
      await recordSubscriptionHealth(tx, health);
    });
  }

  async #events(seqs: number[]): Promise<Map<number, LoadedEvent>> {
    const { rows } = await this.#deps.pool.query<
      Parameters<typeof toCloudEvent>[0] & {
        traceId: string | null;
        traceparent: string | null;
        tracestate: string | null;
      }
    >(
      `SELECT seq AS position, id, type, source, subject, time, data, dataschema, trace_id AS "traceId",
              traceparent, tracestate
         FROM outbox_events WHERE seq = ANY($1::bigint[])`,
      [seqs],
    );
    const events = new Map<number, LoadedEvent>();
    for (const row of rows) {
      const { position, ...event } = toCloudEvent(row) as CloudEvent & { position: number };
      events.set(Number(position), {
        event: { ...event, traceId: row.traceId ?? undefined },
        trace: { traceparent: row.traceparent, tracestate: row.tracestate },
      });
    }
    return events;
  }
}

/**
 * When the next attempt is due: the subscription's schedule with ±20 % jitter, never before the
 * subscriber's Retry-After; null once the schedule is spent (the delivery is dead-lettered).
 */
export function retryAt(
  subscription: Pick<SubscriptionRow, 'retrySchedule'>,
  attempts: number,
  retryAfterMs?: number,
): Date | null {
  const seconds = subscription.retrySchedule[attempts - 1];
  if (seconds === undefined) return null;
  const delay = seconds * 1000 * (0.8 + Math.random() * 0.4);
  return new Date(Date.now() + Math.max(delay, retryAfterMs ?? 0));
}

/** A loop's sleep between polls, which a notification or another loop can cut short. */
class Wakeup {
  woken = false;
  #resolve: (() => void) | undefined;

  wake(): void {
    this.woken = true;
    this.#resolve?.();
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#resolve = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#resolve = done;
    });
  }
}

async function runLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(workers);
}
