// The schemas the hub ships: registered at start, and the `dataschema` of the events the hub
// writes itself. Types the hub writes (integration.*, email.sent, record events) change only
// with the hub's code; the CRM modules' types evolve through the registry's API.
import type { JsonSchema } from './readability.ts';
import { crmEventSchemas } from './shipped/crmEvents.ts';
import { integrationEventSchemas } from './shipped/integrationEvents.ts';
import { recordEventSchemas } from './shipped/recordEvents.ts';

export interface ShippedSchema {
  type: string;
  /** The version the hub's code writes; a changed shape is a new entry with the next version. */
  version: number;
  writtenBy: 'hub' | 'modules';
  schema: JsonSchema;
}

const entries = (schemas: Record<string, JsonSchema>, writtenBy: ShippedSchema['writtenBy']) =>
  Object.entries(schemas).map(([type, schema]): ShippedSchema => ({ type, version: 1, writtenBy, schema }));

export const shippedSchemas: ShippedSchema[] = [
  ...entries(integrationEventSchemas, 'hub'),
  ...entries(recordEventSchemas, 'hub'),
  ...entries(crmEventSchemas, 'modules'),
];

/** Where a schema version is served; events carry it as their CloudEvents `dataschema`. */
export const dataschemaUri = (type: string, version: number) => `/api/v1/schemas/${type}/versions/${version}`;

const hubWritten = new Map(
  shippedSchemas
    .filter((shipped) => shipped.writtenBy === 'hub')
    .map((shipped) => [shipped.type, dataschemaUri(shipped.type, shipped.version)]),
);

export const isWrittenByHub = (type: string) => hubWritten.has(type);

/**
 * The `dataschema` of an event the hub wrote without one: the version its code writes. Known
 * from the code alone, so filling it when events are read costs a map lookup and nothing on the
 * write path — the record store inserts its events set-wise in SQL, the outbox's hottest path.
 * When a shipped schema gets a new version, a migration must stamp the older rows of that type
 * with the old URI before the code that writes the new shape runs.
 */
export const hubDataschema = (type: string): string | undefined => hubWritten.get(type);
