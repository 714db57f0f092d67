// Schemas of the record events `<entity>.created|updated|deleted`, one per canonical entity and
// kind. The record's fields are listed for reference without types: a record holds what the
// integration's mapping produces, so the schema promises their names, not their shapes.
import { type CanonicalEntityName, canonicalEntities } from '../../../mapping/canonicalEntities.ts';
import type { JsonSchema } from '../readability.ts';
import {
  boolean,
  eventData,
  integer,
  list,
  object,
  oneOf,
  orNull,
  text,
  uuid,
} from './jsonSchemaBuilders.ts';

const kinds = {
  created: { required: ['version', 'record'], what: 'is new to the hub' },
  updated: { required: ['record'], what: 'changed, at the source or in the hub' },
  deleted: { required: [], what: 'was deleted at the source' },
} as const;

function recordFields(entity: CanonicalEntityName): Record<string, Record<string, unknown>> {
  const fields: Record<string, Record<string, unknown>> = {};
  for (const field of canonicalEntities[entity]) {
    const [head, ...rest] = field.name.split('.');
    if (!head) continue;
    if (rest.length === 0) {
      fields[head] = { description: `${field.description} (${field.type})` };
      continue;
    }
    fields[head] ??= { properties: {} };
    const parent = fields[head];
    (parent.properties as Record<string, unknown>)[rest.join('.')] = {
      description: `${field.description} (${field.type})`,
    };
  }
  return fields;
}

function recordEventSchema(entity: CanonicalEntityName, kind: keyof typeof kinds): JsonSchema {
  return eventData(
    `${entity} ${kind}`,
    `A ${entity} record synced by an integration ${kinds[kind].what}.`,
    object(
      {
        integrationId: uuid('the integration the record belongs to'),
        entity: text('the integration’s entity name (its mapping maps it to this canonical entity)'),
        externalId: text('the record id at the source'),
        version: integer('the record’s version in the hub, counting every change', { minimum: 1 }),
        runId: orNull(text('the sync run that wrote it; null when a webhook brought the change')),
        origin: oneOf('where the change came from', ['source', 'hub']),
        changed: list('for changes made in the hub: the fields changed', text('field')),
        hubChangeDropped: boolean('the record was deleted at the source while a hub change waited'),
        record: object(recordFields(entity), [], 'the canonical record (for deletions: its last data)'),
      },
      ['integrationId', 'entity', 'externalId', ...kinds[kind].required],
    ),
  );
}

export const recordEventSchemas: Record<string, JsonSchema> = Object.fromEntries(
  (Object.keys(canonicalEntities) as CanonicalEntityName[]).flatMap((entity) =>
    (Object.keys(kinds) as (keyof typeof kinds)[]).map((kind) => [
      `${entity}.${kind}`,
      recordEventSchema(entity, kind),
    ]),
  ),
);
