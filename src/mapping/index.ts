export {
  type CanonicalEntityName,
  type CanonicalField,
  canonicalEntities,
  canonicalEntityNames,
} from './canonicalEntities.ts';
export {
  type CompiledMapping,
  compileMapping,
  identityMapping,
  type MappingResult,
} from './compileMapping.ts';
export { parseDate, parseLocaleNumber, toE164 } from './germanFormats.ts';
export {
  type EntityMapping,
  type EntityMappingInput,
  entityMappingSchema,
  type FieldMapping,
  mappingSchema,
  type Transform,
  transformSchema,
} from './mappingSchema.ts';
