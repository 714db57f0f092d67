// The credential vault: values are sealed with a data key (AES-256-GCM), data keys are wrapped
// by the master key. Ciphertext names its data key, so rotation can proceed while the hub runs.
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../config.ts';
import type { Queryable } from '../db/pool.ts';
import { HubError } from '../errors.ts';
import { decrypt, encrypt } from './aesGcm.ts';
import type { MasterKey, MasterKeys } from './masterKey.ts';

export interface Sealed {
  ciphertext: string;
  keyId: string;
}

interface DataKeyRow {
  id: string;
  wrapped_key: string;
  master_key_id: string;
}

const FORMAT = 'v1';

export class Vault {
  readonly #db: Queryable;
  #masterKeys: MasterKeys;
  readonly #dataKeys = new Map<string, Buffer>();

  constructor(db: Queryable, masterKeys: MasterKeys) {
    this.#db = db;
    this.#masterKeys = masterKeys;
  }

  get masterKeyId(): string {
    return this.#masterKeys.current.id;
  }

  /** Refuses to start when stored data keys were wrapped by a master key this process does not have. */
  async verifyMasterKey(): Promise<void> {
    const rows = await this.#db.query<DataKeyRow>(
      'SELECT id, wrapped_key, master_key_id FROM vault_data_keys',
    );
    for (const row of rows.rows) {
      if (!this.#masterKeyFor(row.master_key_id)) {
        throw new ConfigError(
          `HUB_MASTER_KEY: does not match the key that protects the stored credentials (expected ${row.master_key_id}, got ${this.masterKeyId})`,
        );
      }
      this.#unwrap(row);
    }
  }

  /** Seals a JSON value inside the caller's transaction, with the data key active at that moment. */
  async seal(tx: Queryable, value: unknown, additionalData: string): Promise<Sealed> {
    const key = await this.#activeDataKey(tx);
    const box = encrypt(key.secret, Buffer.from(JSON.stringify(value), 'utf8'), additionalData);
    return { ciphertext: [FORMAT, key.id, box.iv, box.ciphertext, box.tag].join('.'), keyId: key.id };
  }

  async open<T = unknown>(ciphertext: string, additionalData: string): Promise<T> {
    const [format, keyId, iv, sealed, tag] = ciphertext.split('.');
    if (format !== FORMAT || !keyId || !iv || !sealed || !tag) throw tampered();
    const key = await this.#dataKey(keyId);
    try {
      return JSON.parse(decrypt(key, { iv, ciphertext: sealed, tag }, additionalData).toString('utf8')) as T;
    } catch (cause) {
      throw tampered(cause);
    }
  }

  /** Creates a new active data key and marks the old one retiring; rotation then re-encrypts. */
  async activateNewDataKey(tx: Queryable): Promise<string> {
    await tx.query(
      "UPDATE vault_data_keys SET state = 'retiring', retired_at = now() WHERE state = 'active'",
    );
    const created = await this.#insertDataKey(tx, 'active');
    if (!created) throw new HubError('transient', 'VAULT_KEY_BUSY', 'another rotation is running; try again');
    return created.id;
  }

  /** Wraps every data key under the current master key; for master key rotation. */
  async rewrapDataKeys(tx: Queryable): Promise<number> {
    const rows = await tx.query<DataKeyRow>(
      'SELECT id, wrapped_key, master_key_id FROM vault_data_keys FOR UPDATE',
    );
    for (const row of rows.rows) {
      const secret = this.#unwrap(row);
      await tx.query('UPDATE vault_data_keys SET wrapped_key = $2, master_key_id = $3 WHERE id = $1', [
        row.id,
        this.#wrap(row.id, secret, this.#masterKeys.current),
        this.masterKeyId,
      ]);
    }
    return rows.rows.length;
  }

  async #activeDataKey(tx: Queryable): Promise<{ id: string; secret: Buffer }> {
    // FOR SHARE: a rotation that retires this key waits until the value sealed with it is committed,
    // so the rotation's sweep cannot miss it. A seal that waited on a rotation finds the old key
    // retired; the next statement sees the new one.
    for (let attempt = 0; attempt < 3; attempt++) {
      const found = await tx.query<DataKeyRow>(
        "SELECT id, wrapped_key, master_key_id FROM vault_data_keys WHERE state = 'active' FOR SHARE",
      );
      const row = found.rows[0];
      if (row) return { id: row.id, secret: this.#cached(row) };
      const created = await this.#insertDataKey(tx, 'active');
      if (created) return created;
    }
    throw new HubError('transient', 'VAULT_KEY_BUSY', 'no active data key could be settled; try again');
  }

  async #insertDataKey(tx: Queryable, state: 'active' | 'retiring') {
    const id = `dk_${randomBytes(8).toString('hex')}`;
    const secret = randomBytes(32);
    const inserted = await tx.query(
      `INSERT INTO vault_data_keys (id, wrapped_key, master_key_id, state) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [id, this.#wrap(id, secret, this.#masterKeys.current), this.masterKeyId, state],
    );
    if (inserted.rowCount === 0) return undefined;
    this.#dataKeys.set(id, secret);
    return { id, secret };
  }

  async #dataKey(id: string): Promise<Buffer> {
    const cached = this.#dataKeys.get(id);
    if (cached) return cached;
    const found = await this.#db.query<DataKeyRow>(
      'SELECT id, wrapped_key, master_key_id FROM vault_data_keys WHERE id = $1',
      [id],
    );
    const row = found.rows[0];
    if (!row) throw new HubError('permanent', 'VAULT_KEY_MISSING', `data key ${id} no longer exists`);
    return this.#cached(row);
  }

  #cached(row: DataKeyRow): Buffer {
    const cached = this.#dataKeys.get(row.id);
    if (cached) return cached;
    const secret = this.#unwrap(row);
    this.#dataKeys.set(row.id, secret);
    return secret;
  }

  #wrap(id: string, secret: Buffer, masterKey: MasterKey): string {
    const box = encrypt(masterKey.key, secret, `vault_data_keys:${id}`);
    return [box.iv, box.ciphertext, box.tag].join('.');
  }

  #unwrap(row: DataKeyRow): Buffer {
    const masterKey = this.#masterKeyFor(row.master_key_id);
    if (!masterKey) {
      throw new HubError(
        'permanent',
        'VAULT_MASTER_KEY_UNKNOWN',
        `data key ${row.id} is wrapped by ${row.master_key_id}`,
      );
    }
    const [iv, ciphertext, tag] = row.wrapped_key.split('.');
    try {
      return decrypt(
        masterKey.key,
        { iv: iv ?? '', ciphertext: ciphertext ?? '', tag: tag ?? '' },
        `vault_data_keys:${row.id}`,
      );
    } catch (cause) {
      throw new HubError('permanent', 'VAULT_TAMPERED', `data key ${row.id} failed authentication`, {
        cause,
      });
    }
  }

  #masterKeyFor(id: string): MasterKey | undefined {
    const { current, previous } = this.#masterKeys;
    if (current.id === id) return current;
    if (previous?.id === id) return previous;
    return undefined;
  }
}

function tampered(cause?: unknown): HubError {
  return new HubError(
    'permanent',
    'VAULT_TAMPERED',
    'stored secret failed authentication: it was altered or does not belong to this record',
    { cause },
  );
}
