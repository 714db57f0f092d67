// Losing the database connection under the hub's pool and its LISTEN connections, simulated for
// this test's database only: its backends are terminated (pg_terminate_backend), which is what a
// restarting server does to every connection it has.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseAnswers, isConnectionLoss, waitForDatabase } from '../src/db/connectionLoss.ts';
import { NotificationListener } from '../src/db/notificationListener.ts';
import { createPool, type Pool } from '../src/db/pool.ts';
import { createLogger } from '../src/observability/logger.ts';
import { waitUntil } from './support/eventSink.ts';
import { freePort } from './support/hubProcess.ts';
import { createTestDatabase, type TestDatabase } from './support/testDatabase.ts';

let database: TestDatabase;
let admin: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase();
  admin = new pg.Pool({ connectionString: database.url, max: 2 });
  admin.on('error', () => {});
});

afterAll(async () => {
  await admin.end();
  await database.drop();
});

/** Terminates the backends of this database named `applicationName`, or all but our own. */
async function terminate(applicationName?: string): Promise<number> {
  const { rows } = await admin.query<{ terminated: number }>(
    `SELECT count(pg_terminate_backend(pid))::int AS terminated FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid()
        AND ($1::text IS NULL OR application_name = $1)`,
    [applicationName ?? null],
  );
  return rows[0]?.terminated ?? 0;
}

describe('the pool', () => {
  let pool: Pool;
  beforeAll(() => {
    pool = createPool(`${database.url}?application_name=pool-under-test`, 2);
  });
  afterAll(() => pool.end());

  it('survives a connection lost between two statements of a transaction, and connects again', async () => {
    const client = await pool.connect();
    await client.query('BEGIN');
    await client.query('SELECT 1');
    expect(await terminate('pool-under-test')).toBe(1);
    // The server's goodbye reaches the client while no statement runs: unheard, it would be an
    // uncaught error that ends the process.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const failed = await client.query('SELECT 1').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(Error);
    expect(isConnectionLoss(failed)).toBe(true);
    client.release();
    expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('tells a lost connection from a failed statement', async () => {
    const client = await pool.connect();
    try {
      // Its failure is taken at once: the server's goodbye may arrive before `terminate` returns.
      const busy = client.query('SELECT pg_sleep(5)').then(
        () => undefined,
        (error: unknown) => error,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      await terminate('pool-under-test');
      const lost = await busy;
      expect(isConnectionLoss(lost)).toBe(true);
      // The loss seen through a wrapper (as a connector's error keeps its cause).
      expect(isConnectionLoss(new Error('batch failed', { cause: lost }))).toBe(true);
    } finally {
      client.release(true);
    }
    const syntax = await pool.query('SELEC 1').catch((error: unknown) => error);
    expect(isConnectionLoss(syntax)).toBe(false);
    const invalid = await pool.query("SELECT 'x'::uuid").catch((error: unknown) => error);
    expect(isConnectionLoss(invalid)).toBe(false);
  });

  it('waits for a database that answers, and gives up on one that does not', async () => {
    expect(await waitForDatabase(pool, { timeoutMs: 1_000 })).toBe(true);
    const nowhere = createPool(`postgres://postgres@127.0.0.1:${await freePort()}/none`, 1);
    try {
      expect(await databaseAnswers(nowhere)).toBe(false);
      const started = Date.now();
      expect(await waitForDatabase(nowhere, { timeoutMs: 600, intervalMs: 100 })).toBe(false);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await nowhere.end();
    }
  });
});

describe('a notification listener', () => {
  it('listens again after its connection is terminated, and says so to look for missed work', async () => {
    let notified = 0;
    let reconnected = 0;
    const listener = new NotificationListener({
      databaseUrl: database.url,
      channel: 'connection_loss_test',
      applicationName: 'listener-under-test',
      logger: createLogger('silent'),
      onNotification: () => {
        notified += 1;
      },
      onReconnect: () => {
        reconnected += 1;
      },
    });
    await listener.start();
    try {
      expect(listener.listening).toBe(true);
      await admin.query("SELECT pg_notify('connection_loss_test', '')");
      await waitUntil(() => notified === 1, 5_000, 'the first notification');

      for (let round = 1; round <= 2; round += 1) {
        expect(await terminate('listener-under-test')).toBe(1);
        await waitUntil(() => reconnected === round && listener.listening, 10_000, `reconnect ${round}`);
        await admin.query("SELECT pg_notify('connection_loss_test', '')");
        await waitUntil(() => notified === round + 1, 5_000, `a notification after reconnect ${round}`);
      }
      const { rows } = await admin.query<{ query: string }>(
        `SELECT query FROM pg_stat_activity WHERE application_name = 'listener-under-test'`,
      );
      expect(rows).toEqual([{ query: 'LISTEN "connection_loss_test"' }]);
    } finally {
      await listener.close();
    }
    await waitUntil(
      async () =>
        (await admin.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'listener-under-test'`))
          .rowCount === 0,
      5_000,
      'the listener to close its connection',
    );
  });
});
