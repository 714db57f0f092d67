// Telling a lost database connection (a restarted or failed-over server, a terminated backend)
// from every other failure, and waiting until the database answers again. Work interrupted by
// such a loss is not the work's fault: it is resumed once the database is back instead of being
// counted as a failed attempt.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Queryable } from './pool.ts';

/**
 * SQLSTATEs of a connection the server ended or refused: class 08 (connection exception),
 * admin_shutdown (57P01), crash_shutdown (57P02), cannot_connect_now (57P03, starting up or
 * shutting down).
 */
const lostStates = /^(08...|57P0[123])$/;

/** What pg and pg-pool say when the socket under a client is gone. */
const lostMessages = [
  'Connection terminated',
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'timeout exceeded when trying to connect',
];

/**
 * True when `error`, or an error it was caused by, says the connection to PostgreSQL was lost.
 * Socket errors alone (ECONNREFUSED, ECONNRESET) say nothing about which server was lost; the
 * caller that sees one checks the database with `databaseAnswers`.
 */
export function isConnectionLoss(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const { code, severity } = current as { code?: unknown; severity?: unknown };
    if (typeof severity === 'string' && typeof code === 'string' && lostStates.test(code)) return true;
    if (lostMessages.includes(current.message)) return true;
    current = current.cause;
  }
  return false;
}

/** Whether the database answers a query now. */
export async function databaseAnswers(db: Queryable): Promise<boolean> {
  return db.query('SELECT 1').then(
    () => true,
    () => false,
  );
}

/**
 * Whether `error` came from losing the database: a loss pg names as such, or any failure while
 * the database does not answer.
 */
export async function lostTheDatabase(db: Queryable, error: unknown): Promise<boolean> {
  return isConnectionLoss(error) || !(await databaseAnswers(db));
}

/**
 * Waits until the database answers, trying every `intervalMs` (doubling up to 2 s); false when it
 * still does not after `timeoutMs`, or when `signal` aborts.
 */
export async function waitForDatabase(
  db: Queryable,
  options: { timeoutMs: number; signal?: AbortSignal | undefined; intervalMs?: number },
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  let interval = options.intervalMs ?? 250;
  for (;;) {
    if (options.signal?.aborted) return false;
    if (await databaseAnswers(db)) return true;
    if (Date.now() + interval > deadline) return false;
    await sleep(interval, undefined, { signal: options.signal }).catch(() => {});
    interval = Math.min(2_000, interval * 2);
  }
}

/**
 * Runs `work`, and when it fails because the database was lost, waits for the database and runs
 * it again, until `timeoutMs` has passed: the bookkeeping after a loss (giving claims and leases
 * back) must not be undone by a second loss right behind the first.
 */
export async function retryThroughLoss<T>(
  db: Queryable,
  work: () => Promise<T>,
  options: { timeoutMs: number; signal?: AbortSignal | undefined },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      const timeoutMs = deadline - Date.now();
      if (timeoutMs <= 0 || options.signal?.aborted || !(await lostTheDatabase(db, error))) throw error;
      if (!(await waitForDatabase(db, { timeoutMs, signal: options.signal }))) throw error;
    }
  }
}
