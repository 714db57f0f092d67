// Bearer API tokens: 32 random bytes shown once at creation; only a SHA-256 hash is stored.
// A plain hash is enough: the tokens are random and long, so there is nothing to guess.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Queryable } from '../db/pool.ts';
import { HubError } from '../errors.ts';
import type { Principal, Role } from './principal.ts';

const TOKEN_PREFIX = 'hub_';

export interface ApiTokenRow {
  id: string;
  name: string;
  role: Role;
  tokenPrefix: string;
  createdBy: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const columns = `id, name, role, token_prefix AS "tokenPrefix", created_by AS "createdBy", created_at AS "createdAt",
  expires_at AS "expiresAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`;

export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export async function insertApiToken(
  db: Queryable,
  input: { name: string; role: Role; token: string; createdBy: string | null; expiresAt?: Date | null },
): Promise<ApiTokenRow> {
  try {
    const result = await db.query<ApiTokenRow>(
      `INSERT INTO api_tokens (id, name, role, token_hash, token_prefix, created_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${columns}`,
      [
        randomUUID(),
        input.name,
        input.role,
        hashToken(input.token),
        input.token.slice(0, 8),
        input.createdBy,
        input.expiresAt ?? null,
      ],
    );
    return result.rows[0]!;
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw new HubError('conflict', 'NAME_TAKEN', 'name: a live token already has this name', {
        fields: [{ field: 'name', message: 'is already taken' }],
      });
    }
    throw error;
  }
}

export async function principalForToken(db: Queryable, token: string): Promise<Principal | undefined> {
  const result = await db.query<{ id: string; name: string; role: Role; stale: boolean }>(
    `SELECT id, name, role, (last_used_at IS NULL OR last_used_at < now() - interval '1 minute') AS stale
     FROM api_tokens
     WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
    [hashToken(token)],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  // last_used_at is for people ("used 3 minutes ago"), so a write a minute per token is plenty.
  if (row.stale) await db.query('UPDATE api_tokens SET last_used_at = now() WHERE id = $1', [row.id]);
  return { kind: 'token', id: row.id, name: row.name, role: row.role };
}

export async function listApiTokens(db: Queryable): Promise<ApiTokenRow[]> {
  const result = await db.query<ApiTokenRow>(`SELECT ${columns} FROM api_tokens ORDER BY created_at DESC`);
  return result.rows;
}

export async function revokeApiToken(db: Queryable, id: string): Promise<ApiTokenRow | undefined> {
  const result = await db.query<ApiTokenRow>(
    `UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING ${columns}`,
    [id],
  );
  return result.rows[0];
}

export function toApiTokenView(row: ApiTokenRow) {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    tokenPrefix: `${row.tokenPrefix}…`,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}
