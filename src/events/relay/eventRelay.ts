// The event relay, run by every worker process: it numbers committed outbox events and fans them
// out (sequencer.ts), claims due deliveries, and hands each to its transport. It is woken by
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
import {
  markSpanFailed,
  SpanKind,
  SpanStatusCode,
  startSpan,
  type TraceCarrier,
  withSpan,
} from '../../observability/tracing.ts';
import type { Vault } from '../../vault/vault.ts';
import { type CloudEvent, toCloudEvent } from '../outbox.ts';
import { subscriptionSecretAad } from '../subscriptions/subscriptionSecret.ts';
import {
  findSubscriptions,
  recordSubscriptionHealth,
  type SubscriptionRow,
} from '../subscriptions/subscriptionsTable.ts';
import type { AttemptResult, DeliveryTarget, OutboundEvent, Transport } from '../transports/transport.ts';
import {
  type ClaimedDelivery,
  claimDeliveries,
  type DeliveryOutcome,
  markAttemptFailed,
  markDelivered,
  releaseDeliveries,
} from './deliveriesTable.ts';
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

interface LoadedEvent {
  event: OutboundEvent;
  /** The W3C context of the span that wrote the event: the parent of its deliveries' spans. */
  trace: TraceCarrier;
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
  readonly #secrets = new Map<string, { updatedAt: number; secret: string }>();

  constructor(deps: RelayDependencies, options: RelayOptions) {
    this.#deps = deps;
    this.#options = options;
    this.#lanes = Array.from({ length: Math.max(1, options.lanes) }, () => new Wakeup());
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
    // A subject's deliveries go one after another; different subjects side by side.
    const groups = new Map<string, ClaimedDelivery[]>();
    for (const delivery of claimed) {
      const key = `${delivery.subscriptionId}\u0000${delivery.subject ?? delivery.eventId}`;
      const group = groups.get(key) ?? [];
      group.push(delivery);
      groups.set(key, group);
    }
    const attempted: Attempted[] = [];
    await runLimited([...groups.values()], this.#options.concurrency, async (group) => {
      let failed = false;
      for (const delivery of group) {
        const subscription = byId.get(delivery.subscriptionId);
        const loaded = events.get(delivery.seq);
        if (!subscription || !loaded) continue;
        if (failed) {
          attempted.push({ delivery, subscription, result: 'released', durationMs: 0 });
          continue;
        }
        const started = performance.now();
        const result = await this.#deliver(loaded, subscription, delivery.attempts + 1);
        attempted.push({
          delivery,
          subscription,
          result,
          durationMs: Math.round(performance.now() - started),
        });
        if (!result.ok) failed = true;
      }
    });
    await this.#settleOnceReachable(attempted, claimedUntil);
    return claimed.length;
  }

  /** One attempt, in an `event.deliver` span: the context transports pass on as `traceparent`. */
  async #deliver(
    { event, trace }: LoadedEvent,
    subscription: SubscriptionRow,
    attempt: number,
  ): Promise<AttemptResult> {
    const span = startSpan('event.deliver', {
      kind: SpanKind.PRODUCER,
      parent: trace,
      traceId: event.traceId,
      attributes: {
        'hub.subscription.id': subscription.id,
        'hub.subscription.kind': subscription.kind,
        'hub.delivery.attempt': attempt,
        'cloudevents.event_id': event.id,
        'cloudevents.event_type': event.type,
      },
    });
    try {
      const transport = this.#deps.transports[subscription.kind];
      const target: DeliveryTarget = {
        id: subscription.id,
        url: subscription.url,
        natsSubject: subscription.natsSubject,
        handler: subscription.handler,
        secret: await this.#secret(subscription),
      };
      const result = await withSpan(span, () => transport.deliver(event, target));
      if (result.status !== null) span.setAttribute('hub.delivery.status', result.status);
      span.setAttribute('hub.delivery.outcome', result.ok ? 'delivered' : result.gone ? 'gone' : 'failed');
      if (!result.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: result.error });
      return result;
    } catch (error) {
      markSpanFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
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
      if (result.ok) delivered.push(outcome);
      else
        failed.push({
          ...outcome,
          error: result.error,
          retryAt: retryAt(subscription, delivery.attempts + 1, result.retryAfterMs),
        });
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

  async #secret(subscription: SubscriptionRow): Promise<string | undefined> {
    if (!subscription.secretEncrypted) return undefined;
    const cached = this.#secrets.get(subscription.id);
    if (cached && cached.updatedAt === subscription.updatedAt.getTime()) return cached.secret;
    const secret = await this.#deps.vault.open<string>(
      subscription.secretEncrypted,
      subscriptionSecretAad(subscription.id),
    );
    this.#secrets.set(subscription.id, { updatedAt: subscription.updatedAt.getTime(), secret });
    return secret;
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
