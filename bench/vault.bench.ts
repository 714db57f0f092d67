// Sealing and opening credentials through the vault, against bare AES-256-GCM as the ceiling.
import { randomBytes } from 'node:crypto';
import { decrypt, encrypt } from '../src/vault/aesGcm.ts';
import { masterKeyId } from '../src/vault/masterKey.ts';
import { Vault } from '../src/vault/vault.ts';
import { benchDatabase, opsPerSecond } from './support.ts';

export async function vaultBenchmark() {
  const database = await benchDatabase();
  try {
    const key = randomBytes(32);
    const vault = new Vault(database.pool, {
      current: { id: masterKeyId(key), key },
      previous: undefined,
      file: undefined,
    });
    const credentials = { apiKey: randomBytes(24).toString('base64'), username: 'einkauf@kantine.example' };
    const sealed = await vault.seal(database.pool, credentials, 'bench');
    const plaintext = Buffer.from(JSON.stringify(credentials));
    const box = encrypt(key, plaintext, 'bench');
    const ceilingOpen = await opsPerSecond(() => JSON.parse(decrypt(key, box, 'bench').toString()));
    const open = await opsPerSecond(() => vault.open(sealed.ciphertext, 'bench'));
    return [
      {
        bench: 'vault-open',
        opsPerSecond: open,
        ceiling: ceilingOpen,
        ceilingWhat: 'bare AES-256-GCM decrypt + JSON.parse',
        ratio: round(open / ceilingOpen),
      },
    ];
  } finally {
    await database.close();
  }
}

const round = (n: number) => Math.round(n * 100) / 100;
