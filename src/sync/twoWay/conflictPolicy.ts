// What happens when a record changed in the hub and in the source since the version both last
// agreed on (the base). Each policy yields the record both sides end up with, or says a person
// must decide.
//   external_wins: the source's version stays; the hub's changes are dropped.
//   hub_wins:      the hub's version is written to the source, over the source's changes.
//   newest_wins:   whichever side changed last wins whole.
//   field_merge:   fields changed on one side only take that side's value; a field both sides
//                  changed to different values needs a person.
//   manual:        a person decides (GET /api/v1/conflicts).
import { setTarget } from '../../mapping/paths.ts';
import { fieldValue, sameValue } from './reverseMapping.ts';

export const conflictPolicies = [
  'external_wins',
  'hub_wins',
  'newest_wins',
  'field_merge',
  'manual',
] as const;
export type ConflictPolicy = (typeof conflictPolicies)[number];

export interface ConflictInput {
  fields: string[];
  base: Record<string, unknown>;
  hub: Record<string, unknown>;
  external: Record<string, unknown>;
  hubChangedAt: Date;
  externalChangedAt: Date | undefined;
}

export type Decision =
  | { kind: 'resolved'; winner: 'hub' | 'external' | 'merged'; result: Record<string, unknown> }
  | { kind: 'manual'; contested: string[] };

export function decideConflict(policy: ConflictPolicy, input: ConflictInput): Decision {
  const { fields, base, hub, external } = input;
  const hubChanged = new Set(
    fields.filter((field) => !sameValue(fieldValue(base, field), fieldValue(hub, field))),
  );
  const externalChanged = new Set(
    fields.filter((field) => !sameValue(fieldValue(base, field), fieldValue(external, field))),
  );
  const contested = fields.filter(
    (field) =>
      hubChanged.has(field) &&
      externalChanged.has(field) &&
      !sameValue(fieldValue(hub, field), fieldValue(external, field)),
  );
  switch (policy) {
    case 'external_wins':
      return { kind: 'resolved', winner: 'external', result: external };
    case 'hub_wins':
      return { kind: 'resolved', winner: 'hub', result: overlay(external, hub, fields) };
    case 'newest_wins': {
      const externalNewer =
        input.externalChangedAt !== undefined &&
        input.externalChangedAt.getTime() > input.hubChangedAt.getTime();
      return externalNewer
        ? { kind: 'resolved', winner: 'external', result: external }
        : { kind: 'resolved', winner: 'hub', result: overlay(external, hub, fields) };
    }
    case 'field_merge':
      if (contested.length > 0) return { kind: 'manual', contested };
      return { kind: 'resolved', winner: 'merged', result: overlay(external, hub, [...hubChanged]) };
    case 'manual':
      return { kind: 'manual', contested: contested.length > 0 ? contested : [...hubChanged] };
  }
}

/** `target` with `fields` taken from `source`. */
export function overlay(
  target: Record<string, unknown>,
  source: Record<string, unknown>,
  fields: Iterable<string>,
): Record<string, unknown> {
  const result = structuredClone(target);
  for (const field of fields) setTarget(result, field.split('.'), fieldValue(source, field) ?? null);
  return result;
}
