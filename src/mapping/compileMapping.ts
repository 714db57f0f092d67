// Compiles an entity mapping into a function from a source record to a canonical record. Paths,
// regular expressions and transforms are prepared once, so mapping a record is a few property
// reads and calls. Every field's problem is collected; a record with any is not mapped.
import type { FieldProblem } from '../errors.ts';
import type { EntityMapping } from './mappingSchema.ts';
import { compileReader, type PathReader, parsePath, rootKey, setTarget } from './paths.ts';
import { type CompiledTransform, compileTransform, TransformError } from './transforms.ts';

export type MappingResult =
  | { ok: true; record: Record<string, unknown> }
  | { ok: false; errors: FieldProblem[] };

export interface CompiledMapping {
  map(source: unknown): MappingResult;
}

interface CompiledField {
  target: string;
  targetParts: string[];
  sources: PathReader[] | undefined;
  roots: (string | undefined)[];
  sourceNames: string;
  multiple: boolean;
  constant: unknown;
  transforms: CompiledTransform[];
  fallback: unknown;
  required: boolean;
}

const isEmpty = (value: unknown) =>
  value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);

export function compileMapping(spec: EntityMapping): CompiledMapping {
  const fields: CompiledField[] = Object.entries(spec.fields).map(([target, field]) => {
    const from = field.from === undefined ? undefined : Array.isArray(field.from) ? field.from : [field.from];
    return {
      target,
      targetParts: target.split('.'),
      sources: from?.map((path) => compileReader(parsePath(path))),
      roots: from?.map((path) => rootKey(parsePath(path))) ?? [],
      sourceNames: from?.join(' + ') ?? 'const',
      multiple: Array.isArray(field.from),
      constant: field.const,
      transforms: field.transforms.map(compileTransform),
      fallback: field.default,
      required: field.required,
    };
  });
  const mappedRoots = new Set(fields.flatMap((field) => field.roots));

  return {
    map(source) {
      const record: Record<string, unknown> = {};
      const errors: FieldProblem[] = [];
      for (const field of fields) {
        let value: unknown;
        if (field.sources) {
          value = field.multiple
            ? field.sources.map((read) => read(source))
            : (field.sources[0] as PathReader)(source);
        } else {
          value = field.constant;
        }
        try {
          if (!isEmpty(value)) for (const transform of field.transforms) value = transform(value);
        } catch (error) {
          if (!(error instanceof TransformError)) throw error;
          errors.push({ field: field.target, message: `${field.sourceNames} ${error.message}` });
          continue;
        }
        if (isEmpty(value) && field.fallback !== undefined) value = field.fallback;
        if (isEmpty(value)) {
          if (field.required) {
            errors.push({
              field: field.target,
              message: `${field.sourceNames} is required but empty`,
            });
          }
          continue;
        }
        setTarget(record, field.targetParts, value);
      }
      if (errors.length > 0) return { ok: false, errors };
      if (spec.keepUnmapped && source && typeof source === 'object' && !Array.isArray(source)) {
        const extra: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(source)) if (!mappedRoots.has(key)) extra[key] = value;
        if (Object.keys(extra).length > 0) record.extra = extra;
      }
      return { ok: true, record };
    },
  };
}

/** Without a mapping, a record is stored as the source has it. */
export const identityMapping: CompiledMapping = {
  map: (source) => ({
    ok: true,
    record:
      source && typeof source === 'object' && !Array.isArray(source)
        ? { ...(source as object) }
        : { value: source },
  }),
};
