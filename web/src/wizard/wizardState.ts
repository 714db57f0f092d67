// What the wizard has gathered so far, passed from step to step.
import type { Connector, ConnectorTemplate, EntityMapping } from '../api/types.ts';

export interface Choice {
  connector: Connector;
  template?: ConnectorTemplate;
}

/**
 * The integration is stored paused from the first connection test on, and changed with its
 * version. Its entities are the hub's: a generic connector's are those its settings describe.
 */
export interface Draft {
  id: string;
  version: number;
  entities: string[];
}

export function choiceKey(choice: Choice): string {
  return choice.template ? `${choice.connector.id}:${choice.template.id}` : choice.connector.id;
}

/** Where the OAuth provider's consent leads back: this wizard, at the mapping step of the draft. */
export function resumePath(choice: Choice, draftId: string): string {
  const params = new URLSearchParams({ connector: choiceKey(choice), draft: draftId });
  return `/integrations/new?${params}`;
}

export function choiceName(choice: Choice): string {
  return choice.template?.name ?? choice.connector.name;
}

export function startingMapping(choice: Choice): Record<string, EntityMapping> {
  return choice.template?.mapping ?? choice.connector.defaultMapping ?? {};
}

/** Every connector, and each template of a generic one (REST, GraphQL) as a choice of its own. */
export function choicesOf(connectors: Connector[]): Choice[] {
  return connectors.flatMap((connector) => [
    { connector },
    ...connector.templates.map((template) => ({ connector, template })),
  ]);
}

/** Dot paths of the fields in sample records, nested objects flattened two levels deep. */
export function sourcePaths(records: unknown[]): string[] {
  const paths = new Set<string>();
  const visit = (value: unknown, prefix: string, depth: number) => {
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (depth < 2 && inner && typeof inner === 'object' && !Array.isArray(inner))
        visit(inner, path, depth + 1);
      else paths.add(path);
    }
  };
  for (const record of records)
    if (record && typeof record === 'object' && !Array.isArray(record)) visit(record, '', 0);
  return [...paths];
}
