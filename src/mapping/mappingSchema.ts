// The mapping of one source entity to a canonical entity, as stored in an integration's
// `mapping` field: target fields, where each comes from, its transforms, default and whether it
// is required. Errors name their exact place, e.g. mapping.customer.fields.creditLimit.transforms.0.op.
import { z } from 'zod';
import { canonicalEntityNames } from './canonicalEntities.ts';
import { dateFormats } from './germanFormats.ts';
import { parsePath } from './paths.ts';

const locale = z.enum(['de', 'en', 'auto']).default('auto');

export const transformSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('trim') }),
  z.strictObject({ op: z.literal('lowercase') }),
  z.strictObject({ op: z.literal('uppercase') }),
  z.strictObject({ op: z.literal('titlecase') }),
  z.strictObject({ op: z.literal('string') }),
  z.strictObject({ op: z.literal('number'), locale }),
  z.strictObject({ op: z.literal('integer'), locale }),
  z.strictObject({ op: z.literal('round'), digits: z.number().int().min(0).max(10).default(2) }),
  z.strictObject({ op: z.literal('boolean') }),
  z.strictObject({
    op: z.literal('date'),
    format: z.enum(dateFormats),
    timezone: z
      .string()
      .refine((zone) => isTimeZone(zone), 'must be an IANA time zone such as Europe/Berlin')
      .default('Europe/Berlin'),
  }),
  z.strictObject({
    op: z.literal('map'),
    values: z.record(z.string(), z.unknown()),
    otherwise: z
      .union([z.enum(['keep', 'null', 'error']), z.strictObject({ value: z.unknown() })])
      .default('keep'),
  }),
  z.strictObject({ op: z.literal('join'), separator: z.string().max(20).default(' ') }),
  z.strictObject({ op: z.literal('split'), separator: z.string().min(1).max(20) }),
  z.strictObject({ op: z.literal('pick'), index: z.number().int() }),
  z.strictObject({
    op: z.literal('replace'),
    pattern: z.string().min(1).max(500).refine(compiles, 'must be a valid regular expression'),
    flags: z
      .string()
      .regex(/^[gimsuy]*$/, 'only the flags g, i, m, s, u, y')
      .default('g'),
    with: z.string().max(500).default(''),
  }),
  z.strictObject({ op: z.literal('phone'), defaultCountry: z.enum(['DE', 'AT', 'CH']).default('DE') }),
  z.strictObject({ op: z.literal('email') }),
]);
export type Transform = z.output<typeof transformSchema>;

const sourcePath = z
  .string()
  .min(1)
  .max(300)
  .superRefine((path, context) => {
    try {
      parsePath(path);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

export const fieldMappingSchema = z
  .strictObject({
    from: z.union([sourcePath, z.array(sourcePath).min(1).max(20)]).optional(),
    const: z.unknown().optional(),
    transforms: z.array(transformSchema).max(20).default([]),
    default: z.unknown().optional(),
    required: z.boolean().default(false),
  })
  .superRefine((field, context) => {
    const hasFrom = field.from !== undefined;
    const hasConst = 'const' in field && field.const !== undefined;
    if (hasFrom === hasConst) {
      context.addIssue({
        code: 'custom',
        path: [hasFrom ? 'const' : 'from'],
        message: 'give exactly one of "from" (a source path) and "const" (a fixed value)',
      });
    }
  });
export type FieldMapping = z.output<typeof fieldMappingSchema>;

const targetField = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/,
    'must be a field name, dotted for nesting (address.street)',
  );

export const entityMappingSchema = z.strictObject({
  target: z.enum(canonicalEntityNames),
  fields: z
    .record(targetField, fieldMappingSchema)
    .refine((fields) => Object.keys(fields).length > 0, 'map at least one field'),
  keepUnmapped: z.boolean().default(false),
});
export type EntityMapping = z.output<typeof entityMappingSchema>;
export type EntityMappingInput = z.input<typeof entityMappingSchema>;

export const mappingSchema = z.record(z.string().min(1).max(50), entityMappingSchema);

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
