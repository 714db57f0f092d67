// Which canonical fields of an entity the hub can write back to the source, and the source patch
// for a set of canonical values. A field is writable when its mapping reads one plain source path
// and its transforms only normalise (trim, case, email, phone): the value written comes back through
// the mapping unchanged, so the hub's own write never reads as a new change.
import { isDeepStrictEqual } from 'node:util';
import { type EntityMapping, entityMappingSchema } from '../../mapping/index.ts';
import { parsePath, setTarget } from '../../mapping/paths.ts';

const idempotentTransforms = new Set(['trim', 'lowercase', 'uppercase', 'email', 'phone']);

export interface ReverseMapping {
  /** Canonical field (dotted) → source path parts. */
  writable: Map<string, string[]>;
  toSourcePatch(values: Record<string, unknown>): Record<string, unknown>;
}

export function reverseMapping(spec: unknown): ReverseMapping {
  const parsed = entityMappingSchema.safeParse(spec);
  const writable = new Map<string, string[]>();
  if (parsed.success) {
    for (const [field, mapping] of Object.entries((parsed.data as EntityMapping).fields)) {
      if (typeof mapping.from !== 'string') continue;
      if (!mapping.transforms.every((transform) => idempotentTransforms.has(transform.op))) continue;
      const segments = parsePath(mapping.from);
      if (!segments.every((segment) => 'key' in segment)) continue;
      writable.set(
        field,
        segments.map((segment) => (segment as { key: string }).key),
      );
    }
  }
  return {
    writable,
    toSourcePatch(values) {
      const patch: Record<string, unknown> = {};
      for (const [field, value] of Object.entries(values)) {
        const path = writable.get(field);
        if (path) setTarget(patch, path, value ?? null);
      }
      return patch;
    },
  };
}

/** Reads a dotted canonical field from a canonical record. */
export function fieldValue(record: Record<string, unknown> | null, field: string): unknown {
  let current: unknown = record;
  for (const part of field.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

// Records come back from jsonb with their keys reordered: equal means equal in content.
export const sameValue = (a: unknown, b: unknown) => isDeepStrictEqual(a ?? null, b ?? null);

/** The writable fields whose values differ between two versions of a record. */
export function changedFields(
  fields: Iterable<string>,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): string[] {
  return [...fields].filter((field) => !sameValue(fieldValue(before, field), fieldValue(after, field)));
}
