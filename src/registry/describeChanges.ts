// The "what changed" of an audit entry. Credentials appear only as the names of the fields
// that were set or removed, never as values.
import type { StoredIntegration } from './integrationsTable.ts';

const auditedFields = [
  'name',
  'status',
  'statusReason',
  'config',
  'endpoints',
  'rateLimits',
  'retryPolicy',
  'schedule',
  'twoWay',
  'entities',
  'mapping',
] as const;

export function describeCreation(created: StoredIntegration): Record<string, unknown> {
  const after = Object.fromEntries(auditedFields.map((field) => [field, created[field]]));
  return {
    after: { ...after, connector: created.connector },
    credentials: { set: Object.keys(created.credentialsHint) },
  };
}

export function describeUpdate(
  before: StoredIntegration,
  after: StoredIntegration,
  credentialChanges: { set: string[]; removed: string[] },
): Record<string, unknown> {
  const changedFields = auditedFields.filter(
    (field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]),
  );
  const changes: Record<string, unknown> = {
    before: Object.fromEntries(changedFields.map((field) => [field, before[field]])),
    after: Object.fromEntries(changedFields.map((field) => [field, after[field]])),
  };
  if (credentialChanges.set.length || credentialChanges.removed.length)
    changes.credentials = credentialChanges;
  return changes;
}
