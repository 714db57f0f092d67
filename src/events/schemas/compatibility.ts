// Compatibility modes of an event type, with Confluent Schema Registry's meaning: BACKWARD lets
// consumers on the new version read data written with the previous one, FORWARD lets consumers
// of the previous version read data written with the new one, FULL asks both; the _TRANSITIVE
// modes check against every earlier version rather than the latest only; NONE checks nothing.
//
// The checks are our own (readability.ts). Existing libraries were weighed: jsoncompat (WASM of a
// Rust checker) calls itself alpha that may miss incompatible changes and answers yes/no without
// naming fields; Atlassian's json-schema-diff reports added/removed value sets as schemas, not the
// field at fault, and knows nothing of defaults; json-schema-diff-validator diffs the schema text
// (any removed node is breaking, no direction). A rejection here has to name the field and why.
import type { FieldProblem } from '../../errors.ts';
import { type JsonSchema, readProblems } from './readability.ts';

export const compatibilityModes = [
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
] as const;
export type CompatibilityMode = (typeof compatibilityModes)[number];
export const defaultCompatibility: CompatibilityMode = 'BACKWARD';

export interface SchemaVersion {
  version: number;
  schema: JsonSchema;
}

/** The versions a candidate is checked against under a mode, oldest first. */
export function versionsToCheck(mode: CompatibilityMode, earlier: SchemaVersion[]): SchemaVersion[] {
  if (mode === 'NONE' || earlier.length === 0) return [];
  const sorted = [...earlier].sort((a, b) => a.version - b.version);
  return mode.endsWith('_TRANSITIVE') ? sorted : sorted.slice(-1);
}

/** Every field at fault, each message ending with the mode it breaks; empty when compatible. */
export function checkCompatibility(
  mode: CompatibilityMode,
  candidate: SchemaVersion,
  earlier: SchemaVersion[],
): FieldProblem[] {
  const backward = mode.startsWith('BACKWARD') || mode.startsWith('FULL');
  const forward = mode.startsWith('FORWARD') || mode.startsWith('FULL');
  const problems: FieldProblem[] = [];
  for (const previous of versionsToCheck(mode, earlier)) {
    if (backward) {
      problems.push(
        ...readProblems(candidate.schema, previous.schema, {
          readerVersion: candidate.version,
          writerVersion: previous.version,
          readerIsNewer: true,
        }),
      );
    }
    if (forward) {
      problems.push(
        ...readProblems(previous.schema, candidate.schema, {
          readerVersion: previous.version,
          writerVersion: candidate.version,
          readerIsNewer: false,
        }),
      );
    }
  }
  return problems.map((problem) => ({ field: problem.field, message: `${problem.message} (${mode})` }));
}
