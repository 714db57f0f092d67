// Validating event data with ajv: schemas are compiled once per type and version (versions never
// change, so a compiled validator never goes stale), and ajv's errors become field problems
// named like the API names them elsewhere (`data.creditLimit`, `data.products[0].sku`).
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import type { FieldProblem } from '../../errors.ts';
import { HubError } from '../../errors.ts';

export const SUPPORTED_DRAFT = 'http://json-schema.org/draft-07/schema#';

// ajv-formats is CommonJS; seen from an ES module its default export is the plugin itself.
const addFormats = formats as unknown as (ajv: Ajv) => Ajv;

export class SchemaValidators {
  // Unknown keywords and formats are refused (strictSchema), so a misspelt `requird` is named at
  // registration instead of silently validating nothing.
  readonly #ajv = addFormats(
    new Ajv({
      allErrors: true,
      strictSchema: true,
      strictTypes: false,
      strictTuples: false,
      strictRequired: false,
    }),
  );
  readonly #validators = new Map<string, ValidateFunction>();

  /** Compiles a schema; a 422 naming the part at fault when it is not a schema this hub can use. */
  compile(schema: Record<string, unknown>): ValidateFunction {
    const { $id: _ignored, ...compilable } = schema;
    if (compilable.$schema !== undefined && compilable.$schema !== SUPPORTED_DRAFT) {
      throw invalidSchema([
        { field: 'schema.$schema', message: `must be ${SUPPORTED_DRAFT} (draft-07), or left out` },
      ]);
    }
    if (!this.#ajv.validateSchema(compilable)) {
      throw invalidSchema((this.#ajv.errors ?? []).map((error) => problemOf(error, 'schema')));
    }
    try {
      return this.#ajv.compile(compilable);
    } catch (error) {
      this.#ajv.removeSchema(compilable);
      throw invalidSchema([{ field: 'schema', message: (error as Error).message }]);
    }
  }

  /** Drops a compiled schema that will not be used again (a dry run, a refused version). */
  forget(validate: ValidateFunction): void {
    this.#ajv.removeSchema(validate.schema);
  }

  /** The compiled validator of a registered version, when this process compiled it before. */
  cached(type: string, version: number): ValidateFunction | undefined {
    return this.#validators.get(`${type}@${version}`);
  }

  remember(type: string, version: number, validate: ValidateFunction): void {
    this.#validators.set(`${type}@${version}`, validate);
  }

  /** Every problem of the data, each naming its field; empty when the data is valid. */
  problems(validate: ValidateFunction, data: unknown): FieldProblem[] {
    if (validate(data)) return [];
    const problems = (validate.errors ?? [])
      .filter((error) => !['anyOf', 'oneOf', 'if'].includes(error.keyword))
      .map((error) => problemOf(error, 'data'));
    const unique = new Map(problems.map((problem) => [`${problem.field}\u0000${problem.message}`, problem]));
    return [...unique.values()];
  }
}

function problemOf(error: ErrorObject, root: string): FieldProblem {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
  let field =
    root + segments.map((segment) => (/^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`)).join('');
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required')
    return { field: `${field}.${params.missingProperty}`, message: 'is required' };
  if (error.keyword === 'additionalProperties') {
    field = `${field}.${params.additionalProperty}`;
    return { field, message: 'is not a known field' };
  }
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    const allowed = params.allowedValues.map((value) => JSON.stringify(value)).join(', ');
    return { field, message: `must be one of ${allowed}` };
  }
  return { field, message: error.message ?? 'is not valid' };
}

const invalidSchema = (fields: FieldProblem[]) =>
  new HubError(
    'config',
    'INVALID_SCHEMA',
    `not a usable JSON Schema: ${fields.map((field) => `${field.field}: ${field.message}`).join('; ')}`,
    { fields },
  );
