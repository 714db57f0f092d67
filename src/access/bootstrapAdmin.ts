// The first admin token: HUB_ADMIN_TOKEN when set (idempotent across restarts), otherwise one
// generated when no admin token exists yet, returned so main can print it once.

import { recordAudit } from '../audit/recordAudit.ts';
import type { Pool } from '../db/pool.ts';
import { withTransaction } from '../db/pool.ts';
import { generateToken, hashToken, insertApiToken } from './apiTokens.ts';
import { systemPrincipal } from './principal.ts';

const BOOTSTRAP_LOCK = 727_003;

export async function bootstrapAdminToken(
  pool: Pool,
  configured: string | undefined,
): Promise<string | undefined> {
  return withTransaction(pool, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK]);
    if (configured) {
      const known = await tx.query('SELECT 1 FROM api_tokens WHERE token_hash = $1', [hashToken(configured)]);
      if (known.rowCount) return undefined;
      await tx.query(
        "UPDATE api_tokens SET revoked_at = now() WHERE name = 'bootstrap-admin' AND revoked_at IS NULL",
      );
      await create(tx, configured, 'HUB_ADMIN_TOKEN');
      return undefined;
    }
    const admins = await tx.query(
      "SELECT 1 FROM api_tokens WHERE role = 'admin' AND revoked_at IS NULL LIMIT 1",
    );
    if (admins.rowCount) return undefined;
    const token = generateToken();
    await create(tx, token, 'generated at first start');
    return token;
  });
}

async function create(tx: Parameters<typeof insertApiToken>[0], token: string, source: string) {
  const row = await insertApiToken(tx, {
    name: 'bootstrap-admin',
    role: 'admin',
    token,
    createdBy: 'system',
  });
  await recordAudit(tx, systemPrincipal, {
    action: 'api_token.create',
    targetType: 'api_token',
    targetId: row.id,
    changes: { after: { name: row.name, role: row.role, source } },
  });
}
