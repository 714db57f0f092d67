// Follows the outbox for live readers (the dashboard's event stream): one LISTEN connection and
// one poll timer per process however many readers there are, each reader moving through the
// events in `seq` order from its own position. Runs only while someone follows.
import { NotificationListener } from '../db/notificationListener.ts';
import type { Pool } from '../db/pool.ts';
import type { Logger } from '../observability/logger.ts';
import { type CloudEvent, listEvents, newestPosition } from './outbox.ts';
import { sequenceEvents } from './relay/sequencer.ts';

export type PositionedEvent = CloudEvent & { position: number };

export interface TailFilter {
  typePrefix?: string | undefined;
  integrationId?: string | undefined;
}

export interface OutboxTailDependencies {
  pool: Pool;
  databaseUrl: string;
  logger: Logger;
}

interface Follower {
  position: number;
  filter: TailFilter;
  deliver(events: PositionedEvent[]): void;
}

const PAGE = 200;

export class OutboxTail {
  readonly #deps: OutboxTailDependencies;
  readonly #pollMs: number;
  readonly #followers = new Set<Follower>();
  #listener: NotificationListener | undefined;
  #timer: NodeJS.Timeout | undefined;
  #pass: Promise<void> | undefined;
  #again = false;

  constructor(deps: OutboxTailDependencies, options: { pollMs: number }) {
    this.#deps = deps;
    this.#pollMs = options.pollMs;
  }

  /** Delivers every matching event after `after`, as it is committed, until the returned stop. */
  follow(after: number, filter: TailFilter, deliver: (events: PositionedEvent[]) => void): () => void {
    const follower: Follower = { position: after, filter, deliver };
    this.#followers.add(follower);
    this.#start();
    this.wake();
    return () => {
      this.#followers.delete(follower);
      if (this.#followers.size === 0) this.#stop();
    };
  }

  /** Reads now; a wake during a pass runs one more pass after it. */
  wake(): void {
    if (this.#pass) {
      this.#again = true;
      return;
    }
    this.#pass = this.#catchUpAll().finally(() => {
      this.#pass = undefined;
      if (this.#again && this.#followers.size > 0) {
        this.#again = false;
        this.wake();
      }
    });
  }

  async close(): Promise<void> {
    this.#followers.clear();
    this.#stop();
    await this.#pass;
  }

  async #catchUpAll(): Promise<void> {
    try {
      // An API-only process has no relay, so it numbers what was committed itself.
      await sequenceEvents(this.#deps.pool);
      const newest = await newestPosition(this.#deps.pool);
      for (const follower of [...this.#followers]) await this.#catchUp(follower, newest);
    } catch (error) {
      this.#deps.logger.warn({ err: error }, 'outbox tail pass failed; the next poll retries');
    }
  }

  async #catchUp(follower: Follower, newest: number): Promise<void> {
    while (follower.position < newest && this.#followers.has(follower)) {
      const events = await listEvents(this.#deps.pool, {
        afterPosition: follower.position,
        typePrefix: follower.filter.typePrefix,
        integrationId: follower.filter.integrationId,
        limit: PAGE,
      });
      const last = events.at(-1)?.position ?? follower.position;
      if (events.length > 0) follower.deliver(events);
      // Numbers become visible in order, so nothing matching is left at or below `newest`.
      follower.position = events.length < PAGE ? Math.max(last, newest) : last;
    }
  }

  #start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.wake(), this.#pollMs);
    this.#timer.unref();
    // Without the listener the poll still finds every event, only later; it reconnects by itself.
    this.#listener = new NotificationListener({
      databaseUrl: this.#deps.databaseUrl,
      channel: 'hub_outbox',
      applicationName: 'integration-hub-event-stream',
      logger: this.#deps.logger,
      onNotification: () => this.wake(),
      onReconnect: () => this.wake(),
    });
    void this.#listener.start();
  }

  #stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    const listener = this.#listener;
    this.#listener = undefined;
    void listener?.close();
  }
}
