// The mapping of one entity of an integration: its own, else the connector's default, else none.
import type { ConnectorCatalog } from '../connectors/catalog.ts';
import { ConnectorError } from '../connectors/sdk/connectorError.ts';
import {
  type CompiledMapping,
  compileMapping,
  entityMappingSchema,
  identityMapping,
} from '../mapping/index.ts';
import type { StoredIntegration } from '../registry/integrationsTable.ts';

export interface ResolvedMapping {
  mapping: CompiledMapping;
  canonicalType: string;
  spec: unknown;
}

export function resolveEntityMapping(
  catalog: ConnectorCatalog,
  integration: StoredIntegration,
  entity: string,
): ResolvedMapping {
  const connector = catalog.get(integration.connector);
  const fallbackType = connector.canonicalEntity?.(entity) ?? entity;
  const raw = integration.mapping[entity] ?? connector.defaultMapping?.[entity];
  if (raw === undefined) return { mapping: identityMapping, canonicalType: fallbackType, spec: undefined };
  const parsed = entityMappingSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConnectorError('config', `mapping.${entity}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  return { mapping: compileMapping(parsed.data), canonicalType: parsed.data.target, spec: raw };
}
