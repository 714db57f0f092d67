// The integration as the API shows it: credentials masked, and only a bare mask for viewers.
import { hasRole, type Principal } from '../access/principal.ts';
import type { IntegrationView } from './integrationSchema.ts';
import type { StoredIntegration } from './integrationsTable.ts';
import { MASK } from './maskSecret.ts';

export function toIntegrationView(stored: StoredIntegration, viewer: Principal): IntegrationView {
  const showHints = hasRole(viewer, 'operator');
  return {
    id: stored.id,
    name: stored.name,
    connector: stored.connector,
    type: stored.type,
    status: stored.status,
    statusReason: stored.statusReason,
    config: stored.config,
    credentials: Object.fromEntries(
      Object.entries(stored.credentialsHint).map(([key, hint]) => [key, showHints ? hint : MASK]),
    ),
    endpoints: stored.endpoints,
    rateLimits: stored.rateLimits,
    retryPolicy: stored.retryPolicy,
    schedule: stored.schedule,
    twoWay: stored.twoWay,
    entities: stored.entities,
    mapping: stored.mapping,
    version: stored.version,
    createdAt: stored.createdAt.toISOString(),
    updatedAt: stored.updatedAt.toISOString(),
  };
}
