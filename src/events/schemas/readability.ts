// Whether a reader schema can read every value a writer schema allows, and if not, which field
// fails and why. The JSON Schema subset event schemas use: types (unions, nullable, integer ⊂
// number), enum/const, object properties, required with defaults, additionalProperties, arrays,
// numeric/length bounds, pattern and format, anyOf/oneOf, local $ref. Keywords it cannot reason
// about (allOf, not, if/then/else, …) must stay unchanged between the two versions.
//
// One assumption, as in Confluent's and jsoncompat's deserializer checks: writers emit only the
// properties their schema declares, so a reader may add an optional property even when the
// writer's schema left additionalProperties open.
import { isDeepStrictEqual } from 'node:util';
import type { FieldProblem } from '../../errors.ts';

export type JsonSchema = boolean | { [keyword: string]: unknown };
type SchemaObject = { [keyword: string]: unknown };

export interface ReadingPair {
  readerVersion: number;
  writerVersion: number;
  /** BACKWARD checks put the new version in the reader's seat; FORWARD puts it in the writer's. */
  readerIsNewer: boolean;
}

const allTypes = ['null', 'boolean', 'object', 'array', 'number', 'string'] as const;
const uncomparable = [
  'allOf',
  'not',
  'if',
  'then',
  'else',
  'patternProperties',
  'dependencies',
  'dependentRequired',
  'dependentSchemas',
  'propertyNames',
  'contains',
  'prefixItems',
  'additionalItems',
  'unevaluatedProperties',
  'unevaluatedItems',
];
// Each rule keyword with the JSON type it constrains and whether a reader's value must be
// at most (lower bound), at least (upper bound) or equal to (exact) the writer's.
const rules: [keyword: string, type: string, kind: 'lower' | 'upper' | 'exact'][] = [
  ['minimum', 'number', 'lower'],
  ['exclusiveMinimum', 'number', 'lower'],
  ['maximum', 'number', 'upper'],
  ['exclusiveMaximum', 'number', 'upper'],
  ['multipleOf', 'number', 'exact'],
  ['minLength', 'string', 'lower'],
  ['maxLength', 'string', 'upper'],
  ['pattern', 'string', 'exact'],
  ['format', 'string', 'exact'],
  ['minItems', 'array', 'lower'],
  ['maxItems', 'array', 'upper'],
  ['minProperties', 'object', 'lower'],
  ['maxProperties', 'object', 'upper'],
];
const annotations = new Set([
  '$schema',
  '$id',
  '$comment',
  '$defs',
  'definitions',
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
]);

interface Walk {
  pair: ReadingPair;
  readerRoot: JsonSchema;
  writerRoot: JsonSchema;
  inProgress: Map<object, Set<object>>;
  problems: FieldProblem[];
}

/** The fields whose values, as the writer may write them, the reader cannot read. */
export function readProblems(reader: JsonSchema, writer: JsonSchema, pair: ReadingPair): FieldProblem[] {
  const walk: Walk = { pair, readerRoot: reader, writerRoot: writer, inProgress: new Map(), problems: [] };
  compare(walk, reader, writer, 'data');
  return walk.problems;
}

function compare(walk: Walk, readerIn: JsonSchema, writerIn: JsonSchema, path: string): void {
  const reader = resolve(walk, walk.readerRoot, readerIn, path);
  const writer = resolve(walk, walk.writerRoot, writerIn, path);
  if (reader === undefined || writer === undefined || writer === false || isOpen(reader)) return;
  const w: SchemaObject = writer === true ? {} : writer;
  if (typeof reader === 'boolean') {
    report(walk, path, 'type', describeTypes(typesOf(w), w), 'nothing', 'any value');
    return;
  }
  if (isDeepStrictEqual(reader, w) && !JSON.stringify(reader).includes('"$ref"')) return;
  // Recursive $refs: a pair already being compared further up this path is not compared again.
  const writers = walk.inProgress.get(reader) ?? new Set<object>();
  if (writers.has(w)) return;
  walk.inProgress.set(reader, writers.add(w));
  try {
    compareSchemas(walk, reader, w, path);
  } finally {
    writers.delete(w);
  }
}

function compareSchemas(walk: Walk, r: SchemaObject, w: SchemaObject, path: string): void {
  const odd = uncomparable.find((keyword) => keyword in r || keyword in w);
  if (odd) {
    walk.problems.push({
      field: path,
      message: `uses ${odd}, which the compatibility check cannot compare: keep it unchanged, or choose compatibility NONE`,
    });
    return;
  }
  if (isUnion(w)) {
    for (const branch of branches(w)) compare(walk, r, branch, path);
    return;
  }
  if (isUnion(r)) {
    compareWithReaderUnion(walk, r, w, path);
    return;
  }
  const readerTypes = typesOf(r);
  const writerTypes = typesOf(w);
  const missing = writerTypes.filter((type) => !accepts(readerTypes, type));
  if (missing.length > 0) {
    report(
      walk,
      path,
      'type',
      describeTypes(writerTypes, w),
      describeTypes(readerTypes, r),
      missing.join(' or '),
    );
  }
  const shared = writerTypes.filter((type) => accepts(readerTypes, type));
  compareEnums(walk, r, w, path, missing);
  compareRules(walk, r, w, path, shared);
  if (shared.includes('object')) compareObjects(walk, r, w, path);
  if (shared.includes('array')) compare(walk, itemsOf(r), itemsOf(w), `${path}[]`);
}

function compareWithReaderUnion(walk: Walk, reader: SchemaObject, writer: SchemaObject, path: string): void {
  const attempts = branches(reader).map((branch) => {
    const trial: Walk = { ...walk, inProgress: new Map(), problems: [] };
    compare(trial, branch, writer, path);
    return { branch, problems: trial.problems };
  });
  if (attempts.some((attempt) => attempt.problems.length === 0)) return;
  const writerTypes = typesOf(writer);
  const closest =
    attempts.find(
      ({ branch }) =>
        typeof branch === 'object' && typesOf(branch).some((type) => writerTypes.includes(type)),
    ) ?? attempts[0];
  walk.problems.push(...(closest?.problems ?? []));
}

function compareEnums(walk: Walk, r: SchemaObject, w: SchemaObject, path: string, missingTypes: string[]) {
  const readerValues = enumOf(r);
  if (!readerValues) return;
  const writerValues = enumOf(w);
  if (!writerValues) {
    report(walk, path, 'values', 'any value', `enum ${JSON.stringify(readerValues)}`, 'other values');
    return;
  }
  const lost = writerValues.filter(
    (value) =>
      !missingTypes.includes(jsonType(value)) && !readerValues.some((kept) => isDeepStrictEqual(kept, value)),
  );
  if (lost.length === 0) return;
  const listed = lost.map((value) => JSON.stringify(value)).join(', ');
  const { readerIsNewer, readerVersion, writerVersion } = walk.pair;
  walk.problems.push({
    field: path,
    message: readerIsNewer
      ? `enum value ${listed} removed: data written by version ${writerVersion} may hold it`
      : `enum value ${listed} added: version ${readerVersion} cannot read it when version ${writerVersion} writes it`,
  });
}

function compareRules(walk: Walk, r: SchemaObject, w: SchemaObject, path: string, shared: string[]) {
  for (const [keyword, type, kind] of rules) {
    const limit = r[keyword];
    if (
      limit === undefined ||
      !shared.some((each) => each === type || (type === 'number' && each === 'integer'))
    ) {
      continue;
    }
    const written = w[keyword];
    const holds =
      kind === 'exact'
        ? isDeepStrictEqual(limit, written)
        : typeof written === 'number' &&
          typeof limit === 'number' &&
          (kind === 'lower' ? written >= limit : written <= limit);
    if (holds) continue;
    const before = written === undefined ? 'none' : JSON.stringify(written);
    const lost =
      kind === 'exact'
        ? `values outside ${keyword} ${JSON.stringify(limit)}`
        : `values ${kind === 'lower' ? 'below' : 'above'} ${limit}`;
    report(walk, path, keyword, before, JSON.stringify(limit), lost);
  }
  if (shared.includes('array') && r.uniqueItems === true && w.uniqueItems !== true) {
    report(walk, path, 'uniqueItems', 'false', 'true', 'repeated items');
  }
}

function compareObjects(walk: Walk, r: SchemaObject, w: SchemaObject, path: string): void {
  const readerProps = propertiesOf(r);
  const writerProps = propertiesOf(w);
  const writerRequired = new Set(requiredOf(w));
  const { readerIsNewer, readerVersion, writerVersion } = walk.pair;
  for (const name of requiredOf(r)) {
    if (writerRequired.has(name) || hasDefault(readerProps[name])) continue;
    const declared = name in writerProps;
    const lacks = declared ? 'may lack it' : 'lacks it';
    walk.problems.push({
      field: `${path}.${name}`,
      message: readerIsNewer
        ? `${declared ? 'made required' : 'added as required'} without a default: data written by version ${writerVersion} ${lacks}`
        : `${declared ? 'made optional' : 'removed'}, but version ${readerVersion} requires it without a default: data written by version ${writerVersion} ${lacks}`,
    });
  }
  const readerExtra = r.additionalProperties;
  for (const [name, schema] of Object.entries(writerProps)) {
    const field = `${path}.${name}`;
    const readerSchema = readerProps[name];
    if (readerSchema !== undefined) compare(walk, readerSchema, schema, field);
    else if (readerExtra === false) {
      walk.problems.push({
        field,
        message: readerIsNewer
          ? `removed while additionalProperties is false: data written by version ${writerVersion} carries it`
          : `added, but version ${readerVersion} refuses undeclared properties (additionalProperties: false)`,
      });
    } else if (isSchema(readerExtra)) compare(walk, readerExtra, schema, field);
  }
  const writerExtra = w.additionalProperties;
  if (readerExtra === false && writerExtra !== false) {
    report(walk, path, 'additionalProperties', 'allowed', 'false', 'undeclared properties');
  } else if (isSchema(readerExtra) && writerExtra !== false) {
    compare(walk, readerExtra, isSchema(writerExtra) ? writerExtra : true, `${path}.*`);
  }
}

/**
 * One problem, told from the older version to the newer: in BACKWARD the newer reader narrowed
 * what the older writer may write; in FORWARD the newer writer widened what the older reader reads.
 */
function report(walk: Walk, path: string, what: string, written: string, read: string, lost: string): void {
  const { readerIsNewer, readerVersion, writerVersion } = walk.pair;
  walk.problems.push({
    field: path,
    message: readerIsNewer
      ? `${what} narrowed from ${written} to ${read}: data written by version ${writerVersion} may hold ${lost}`
      : `${what} widened from ${read} to ${written}: version ${readerVersion} cannot read ${lost} written by version ${writerVersion}`,
  });
}

function resolve(walk: Walk, root: JsonSchema, schema: JsonSchema, path: string): JsonSchema | undefined {
  let current = schema;
  for (let hops = 0; typeof current === 'object' && typeof current.$ref === 'string'; hops += 1) {
    const target = hops < 32 ? pointer(root, current.$ref) : undefined;
    if (target === undefined) {
      walk.problems.push({ field: path, message: `$ref ${current.$ref} does not resolve within the schema` });
      return undefined;
    }
    current = target;
  }
  return current;
}

function pointer(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const key = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    node = node !== null && typeof node === 'object' ? (node as SchemaObject)[key] : undefined;
  }
  return isSchema(node) ? node : undefined;
}

const isSchema = (value: unknown): value is JsonSchema =>
  typeof value === 'boolean' || (value !== null && typeof value === 'object' && !Array.isArray(value));

function isOpen(schema: JsonSchema): boolean {
  if (typeof schema === 'boolean') return schema;
  return Object.keys(schema).every((keyword) => annotations.has(keyword) || keyword.startsWith('x-'));
}

const isUnion = (schema: SchemaObject) => Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf);

/** A union's branches, each carrying the keywords written beside anyOf/oneOf. */
function branches(schema: SchemaObject): JsonSchema[] {
  const { anyOf, oneOf, ...siblings } = schema;
  const list = (Array.isArray(anyOf) ? anyOf : oneOf) as JsonSchema[];
  return list.map((branch) =>
    typeof branch === 'boolean' ? branch : Object.keys(siblings).length ? { ...siblings, ...branch } : branch,
  );
}

function typesOf(schema: SchemaObject): string[] {
  let types: string[];
  if (typeof schema.type === 'string') types = [schema.type];
  else if (Array.isArray(schema.type)) types = schema.type.map(String);
  else {
    const values = enumOf(schema);
    types = values ? [...new Set(values.map(jsonType))] : [...allTypes];
  }
  if (schema.nullable === true && !types.includes('null')) types.push('null');
  return types;
}

function describeTypes(types: string[], schema: SchemaObject): string {
  if (schema.type === undefined && schema.enum === undefined && schema.const === undefined) return 'any type';
  return types.join('|');
}

const accepts = (types: string[], type: string) =>
  types.includes(type) || (type === 'integer' && types.includes('number'));

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function enumOf(schema: SchemaObject): unknown[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum;
  return 'const' in schema ? [schema.const] : undefined;
}

function propertiesOf(schema: SchemaObject): Record<string, JsonSchema> {
  const properties = schema.properties;
  return properties !== null && typeof properties === 'object'
    ? (properties as Record<string, JsonSchema>)
    : {};
}

const requiredOf = (schema: SchemaObject): string[] =>
  Array.isArray(schema.required) ? schema.required.map(String) : [];

const hasDefault = (schema: JsonSchema | undefined) => typeof schema === 'object' && 'default' in schema;

const itemsOf = (schema: SchemaObject): JsonSchema => (isSchema(schema.items) ? schema.items : true);
