// A LISTEN connection that stays listening: its own client (a pooled one would be handed to
// others), reconnected with backoff and jitter whenever the server ends it (restart, failover,
// a terminated backend). Notifications sent while it was away are lost, so every reconnect is
// reported to the owner, who then looks for work it may have missed.
import pg from 'pg';
import type { Logger } from '../observability/logger.ts';

export interface NotificationListenerOptions {
  databaseUrl: string;
  channel: string;
  /** How the connection shows in pg_stat_activity. */
  applicationName: string;
  logger: Logger;
  onNotification(): void;
  /** Called after every reconnect, and after a first connect that took retries: notifications may have been missed. */
  onReconnect(): void;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 2_000;

export class NotificationListener {
  readonly #options: NotificationListenerOptions;
  #client: pg.Client | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #failures = 0;
  #connectedOnce = false;
  #closed = false;

  constructor(options: NotificationListenerOptions) {
    this.#options = options;
  }

  /** Whether the connection is up and listening. */
  get listening(): boolean {
    return this.#client !== undefined;
  }

  /**
   * Connects and listens. Never rejects: when the database cannot be reached now, the listener
   * keeps trying in the background while its owner polls.
   */
  async start(): Promise<void> {
    this.#closed = false;
    await this.#connect();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const client = this.#client;
    this.#client = undefined;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
    }
  }

  async #connect(): Promise<void> {
    const { databaseUrl, channel, applicationName, logger } = this.#options;
    const client = new pg.Client({
      connectionString: databaseUrl,
      application_name: applicationName,
      keepAlive: true,
    });
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      if (this.#client === client) this.#client = undefined;
      client.end().catch(() => {});
      if (this.#closed) return;
      logger.warn({ err: error, channel }, 'database listener lost its connection; reconnecting');
      this.#scheduleRetry();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', () => this.#options.onNotification());
    try {
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      if (!lost) {
        lost = true;
        client.removeAllListeners('end');
        await client.end().catch(() => {});
        if (!this.#closed) {
          logger.warn({ err: error, channel }, 'database listener could not connect; retrying');
          this.#scheduleRetry();
        }
      }
      return;
    }
    if (this.#closed || lost) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
    const recovered = this.#connectedOnce || this.#failures > 0;
    this.#failures = 0;
    this.#connectedOnce = true;
    if (recovered) {
      logger.info({ channel }, 'database listener reconnected');
      this.#options.onReconnect();
    }
  }

  #scheduleRetry(): void {
    if (this.#closed || this.#retryTimer) return;
    const base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.#failures);
    this.#failures += 1;
    const delay = base * (0.8 + Math.random() * 0.4);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#connect();
    }, delay);
    this.#retryTimer.unref();
  }
}
