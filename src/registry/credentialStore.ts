// Reading and re-writing an integration's sealed credentials outside a user's edit: the code that
// calls the external system opens them, and an OAuth refresh stores rotated tokens. Neither bumps
// the integration's version, so a person's edit in flight is not refused because a token moved.
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/pool.ts';
import { notFound } from '../errors.ts';
import type { Vault } from '../vault/vault.ts';
import { maskCredentials } from './maskSecret.ts';

export const credentialsAad = (id: string) => `integration_configs.credentials:${id}`;

export async function openCredentials(
  vault: Vault,
  integration: { id: string; credentialsEncrypted: string | null },
): Promise<Record<string, string>> {
  if (!integration.credentialsEncrypted) return {};
  return vault.open<Record<string, string>>(integration.credentialsEncrypted, credentialsAad(integration.id));
}

/**
 * Runs `change` on the current credentials under the integration row's lock, which every hub
 * process takes, and commits what it returns before the caller may use it. A process that waited
 * for the lock sees the tokens another one just stored and can keep them instead of refreshing
 * again with a refresh token that rotation has already spent.
 */
export async function updateCredentialsLocked(
  pool: Pool,
  vault: Vault,
  integrationId: string,
  change: (current: Record<string, string>) => Promise<Record<string, string> | undefined>,
): Promise<Record<string, string>> {
  return withTransaction(pool, async (tx) => {
    const found = await tx.query<{ credentialsEncrypted: string | null }>(
      `SELECT credentials_encrypted AS "credentialsEncrypted" FROM integration_configs WHERE id = $1 FOR UPDATE`,
      [integrationId],
    );
    const row = found.rows[0];
    if (!row) throw notFound('integration', integrationId);
    const current = await openCredentials(vault, { id: integrationId, ...row });
    const next = await change(current);
    if (!next) return current;
    const sealed = await vault.seal(tx, next, credentialsAad(integrationId));
    await tx.query(
      `UPDATE integration_configs SET credentials_encrypted = $2, credentials_key_id = $3, credentials_hint = $4
        WHERE id = $1`,
      [integrationId, sealed.ciphertext, sealed.keyId, JSON.stringify(maskCredentials(next))],
    );
    return next;
  });
}
