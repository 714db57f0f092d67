// The plugin registry of connectors: each connector registers its definition once.
import { z } from 'zod';
import { HubError } from '../errors.ts';
import type { AnyConnectorDefinition } from './sdk/connectorDefinition.ts';

export class ConnectorCatalog {
  readonly #connectors = new Map<string, AnyConnectorDefinition>();

  register(definition: AnyConnectorDefinition): void {
    if (this.#connectors.has(definition.id))
      throw new Error(`connector ${definition.id} is registered twice`);
    this.#connectors.set(definition.id, definition);
  }

  list(): AnyConnectorDefinition[] {
    return [...this.#connectors.values()];
  }

  find(id: string): AnyConnectorDefinition | undefined {
    return this.#connectors.get(id);
  }

  get(id: string): AnyConnectorDefinition {
    const found = this.#connectors.get(id);
    if (!found) {
      throw new HubError(
        'validation',
        'UNKNOWN_CONNECTOR',
        `connector: "${id}" is not one of ${this.ids()}`,
        {
          fields: [{ field: 'connector', message: `unknown connector "${id}"` }],
        },
      );
    }
    return found;
  }

  ids(): string {
    return [...this.#connectors.keys()].join(', ');
  }
}

/** The catalog entry as the API shows it: JSON Schemas instead of zod objects. */
export function describeConnector(definition: AnyConnectorDefinition) {
  return {
    id: definition.id,
    name: definition.name,
    type: definition.type,
    authKind: definition.authKind,
    description: definition.description,
    entities: definition.entities,
    rateLimits: definition.rateLimits,
    configSchema: z.toJSONSchema(definition.configSchema, { io: 'input', unrepresentable: 'any' }),
    credentialsSchema: z.toJSONSchema(definition.credentialsSchema, { io: 'input', unrepresentable: 'any' }),
    templates: definition.templates ?? [],
    defaultMapping: definition.defaultMapping ?? null,
    webhooks: definition.webhooks !== undefined,
  };
}
