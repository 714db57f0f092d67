// The hub's database, whichever it is: the external server of DATABASE_URL or the embedded one.
import type { HubConfig } from '../config.ts';
import { ConfigError } from '../config.ts';
import type { Logger } from '../observability/logger.ts';
import { type EmbeddedDatabase, startEmbeddedPostgres } from './embeddedPostgres.ts';
import { createPool, describeDatabaseUrl, type Pool } from './pool.ts';

export interface OpenDatabase {
  pool: Pool;
  /** The connection string, for components that keep their own pool (the job queue). */
  url: string;
  close(): Promise<void>;
}

export async function openDatabase(
  config: Pick<HubConfig, 'databaseUrl' | 'dataDir' | 'dbPoolSize'>,
  logger: Logger,
  options: { attach?: boolean } = {},
): Promise<OpenDatabase> {
  let embedded: EmbeddedDatabase | undefined;
  if (!config.databaseUrl) embedded = await startEmbeddedPostgres(config.dataDir, logger, options);
  const url = config.databaseUrl ?? embedded!.url;
  const pool = createPool(url, config.dbPoolSize);
  const close = async () => {
    await pool.end().catch(() => {});
    await embedded?.stop();
  };
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await close();
    const reason = (error as Error).message || (error as { code?: string }).code || 'unknown error';
    throw new ConfigError(`DATABASE_URL: cannot connect to ${describeDatabaseUrl(url)}: ${reason}`);
  }
  return { pool, url, close };
}
