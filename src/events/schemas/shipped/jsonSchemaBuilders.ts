// Small constructors for the JSON Schemas the hub ships, so each event's schema reads as a list
// of fields. They build plain draft-07 documents; nothing else depends on them.
import type { JsonSchema } from '../readability.ts';

type Schema = Record<string, unknown>;

export const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

export const text = (description: string, extra: Schema = {}): Schema => ({
  type: 'string',
  description,
  ...extra,
});
export const uuid = (description: string): Schema => text(description, { format: 'uuid' });
export const dateTime = (description: string): Schema => text(description, { format: 'date-time' });
export const integer = (description: string, extra: Schema = {}): Schema => ({
  type: 'integer',
  description,
  ...extra,
});
export const number = (description: string, extra: Schema = {}): Schema => ({
  type: 'number',
  description,
  ...extra,
});
export const boolean = (description: string): Schema => ({ type: 'boolean', description });
export const oneOf = (description: string, values: readonly string[]): Schema => ({
  type: 'string',
  enum: [...values],
  description,
});
export const list = (description: string, items: Schema): Schema => ({ type: 'array', items, description });

/** The same schema, also allowing null. */
export function orNull(schema: Schema): Schema {
  const type = schema.type;
  const types = Array.isArray(type) ? type : [type];
  return {
    ...schema,
    type: [...types, 'null'],
    ...(Array.isArray(schema.enum) ? { enum: [...schema.enum, null] } : {}),
  };
}

export function object(
  properties: Record<string, Schema>,
  required: string[],
  description?: string,
  extra: Schema = {},
): Schema {
  return {
    type: 'object',
    ...(description ? { description } : {}),
    properties,
    required,
    ...extra,
  };
}

/** A whole event schema: the data of one event type. */
export function eventData(title: string, description: string, data: Schema): JsonSchema {
  return { $schema: DRAFT_07, title, ...data, description };
}
