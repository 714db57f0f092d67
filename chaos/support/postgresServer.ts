// The machine's PostgreSQL server, restarted for real (every database on it, every connection):
// stopped, kept down for a pause, started again, and waited for until it accepts connections.
// Whatever happens, it is left running.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface PostgresRestart {
  /** When the stop was asked for, and when the server accepted connections again (epoch ms). */
  stoppingAt: number;
  stoppedAt: number;
  startedAt: number;
  acceptingAt: number;
}

/** The Debian cluster of the server: its version (the one directory under /etc/postgresql) and name. */
export function machineCluster(): { version: string; name: string } {
  const versions = readdirSync('/etc/postgresql');
  if (versions.length !== 1)
    throw new Error(`expected one PostgreSQL version in /etc/postgresql: ${versions}`);
  const version = versions[0] as string;
  const names = readdirSync(`/etc/postgresql/${version}`);
  return { version, name: names.includes('main') ? 'main' : (names[0] as string) };
}

function pgCtlCluster(action: 'stop' | 'start' | 'status') {
  const { version, name } = machineCluster();
  return run('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, action], { timeout: 60_000 });
}

/** Stops the server (fast: sessions are ended), waits `pauseMs`, starts it and waits until it accepts connections. */
export async function restartPostgres(pauseMs: number): Promise<PostgresRestart> {
  const stoppingAt = Date.now();
  try {
    await pgCtlCluster('stop');
    const stoppedAt = Date.now();
    await sleep(pauseMs);
    const startedAt = Date.now();
    await pgCtlCluster('start');
    const acceptingAt = await waitUntilAccepting(60_000);
    return { stoppingAt, stoppedAt, startedAt, acceptingAt };
  } finally {
    await ensurePostgresRunning();
  }
}

/** Starts the server if it is down; resolves once it accepts connections. */
export async function ensurePostgresRunning(): Promise<void> {
  const running = await pgCtlCluster('status').then(
    () => true,
    () => false,
  );
  if (!running) await pgCtlCluster('start');
  await waitUntilAccepting(60_000);
}

async function waitUntilAccepting(timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2_000 });
    client.on('error', () => {});
    const accepted = await client
      .connect()
      .then(() => client.query('SELECT 1'))
      .then(
        () => true,
        () => false,
      );
    await client.end().catch(() => {});
    if (accepted) return Date.now();
    if (Date.now() > deadline) throw new Error('PostgreSQL does not accept connections again');
    await sleep(50);
  }
}
