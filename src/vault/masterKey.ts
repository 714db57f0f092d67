// The master key protects the data keys (envelope encryption). It comes from HUB_MASTER_KEY or,
// when that is unset, from a file generated once in HUB_DATA_DIR with mode 0600.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, type HubConfig } from '../config.ts';

export interface MasterKey {
  id: string;
  key: Buffer;
}

export interface MasterKeys {
  current: MasterKey;
  previous: MasterKey | undefined;
  /** Where the generated key lives, when it was not given in the environment. */
  file: string | undefined;
}

/** A stable, non-secret fingerprint that says which master key wrapped a data key. */
export function masterKeyId(key: Buffer): string {
  return `mk_${createHash('sha256').update('integration-hub master key id\0').update(key).digest('hex').slice(0, 16)}`;
}

const toMasterKey = (key: Buffer): MasterKey => ({ id: masterKeyId(key), key });

export async function loadMasterKeys(config: Pick<HubConfig, 'masterKey' | 'previousMasterKey' | 'dataDir'>) {
  if (config.masterKey) {
    return {
      current: toMasterKey(config.masterKey),
      previous: config.previousMasterKey ? toMasterKey(config.previousMasterKey) : undefined,
      file: undefined,
    } satisfies MasterKeys;
  }
  const file = path.join(config.dataDir, 'master.key');
  const previousFile = `${file}.previous`;
  const current = existsSync(file) ? await readKeyFile(file) : await generateKeyFile(file);
  const previous =
    config.previousMasterKey ?? (existsSync(previousFile) ? await readKeyFile(previousFile) : undefined);
  return {
    current: toMasterKey(current),
    previous: previous ? toMasterKey(previous) : undefined,
    file,
  } satisfies MasterKeys;
}

/** For `keys rotate-master` with a generated key: the new key becomes current, the old one previous. */
export async function replaceGeneratedMasterKey(file: string): Promise<Buffer> {
  await rename(file, `${file}.previous`);
  return generateKeyFile(file);
}

async function readKeyFile(file: string): Promise<Buffer> {
  const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
  if (key.length !== 32)
    throw new ConfigError(`HUB_DATA_DIR: ${file} does not hold a base64 key of 32 bytes`);
  return key;
}

async function generateKeyFile(file: string): Promise<Buffer> {
  await mkdir(path.dirname(file), { recursive: true });
  const key = randomBytes(32);
  await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
