// What the setup wizard's mapping step asks: the canonical entities, sample records from the
// source, suggested matches, and a preview of a mapping applied to records.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sampleRecords } from '../../connectors/runtime/sampleRecords.ts';
import { HubError } from '../../errors.ts';
import {
  canonicalEntities,
  canonicalEntityNames,
  compileMapping,
  entityMappingSchema,
} from '../../mapping/index.ts';
import { suggestMapping } from '../../mapping/suggestMapping.ts';
import type { HubContext } from '../context.ts';

const tags = ['mapping'];
const records = z.array(z.unknown()).max(50);

export function mappingRoutes(app: FastifyInstance, context: HubContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/api/v1/mapping/canonical-entities',
    { config: { role: 'viewer' }, schema: { tags, summary: 'The canonical entities and their fields' } },
    async () => ({ items: canonicalEntityNames.map((name) => ({ name, fields: canonicalEntities[name] })) }),
  );

  routes.post(
    '/api/v1/mapping/suggest',
    {
      config: { role: 'operator' },
      schema: {
        tags,
        summary: 'Suggest source fields for the canonical fields, by synonyms and name similarity',
        body: z.strictObject({ canonicalEntity: z.enum(canonicalEntityNames), sampleRecords: records }),
      },
    },
    async (request) => ({
      suggestions: suggestMapping(
        canonicalEntities[request.body.canonicalEntity],
        request.body.sampleRecords,
      ),
    }),
  );

  routes.post(
    '/api/v1/mapping/preview',
    {
      config: { role: 'operator' },
      schema: {
        tags,
        summary: 'Apply a mapping of one entity to records; stores nothing',
        body: z.strictObject({ mapping: z.unknown(), records }),
      },
    },
    async (request) => {
      const parsed = entityMappingSchema.safeParse(request.body.mapping);
      if (!parsed.success) {
        const fields = parsed.error.issues.map((issue) => ({
          field: ['mapping', ...issue.path].join('.'),
          message: issue.message,
        }));
        throw new HubError(
          'validation',
          'VALIDATION_FAILED',
          fields.map((f) => `${f.field}: ${f.message}`).join('; '),
          {
            fields,
          },
        );
      }
      const compiled = compileMapping(parsed.data);
      return { results: request.body.records.map((record) => compiled.map(record)) };
    },
  );

  routes.post(
    '/api/v1/integrations/:id/sample',
    {
      config: { role: 'operator' },
      schema: {
        tags,
        summary: 'A few records of one entity as the source has them now; stores nothing',
        params: z.strictObject({ id: z.uuid('must be a UUID') }),
        body: z.strictObject({
          entity: z.string().min(1).max(50),
          limit: z.number().int().min(1).max(20).default(5),
        }),
      },
    },
    async (request, reply) => {
      const integration = await context.integrations.get(request.params.id);
      const abort = new AbortController();
      reply.raw.once('close', () => reply.raw.writableFinished || abort.abort());
      const items = await sampleRecords(context.runtime, integration, {
        entity: request.body.entity,
        limit: request.body.limit,
        traceId: request.id,
        signal: abort.signal,
      });
      return { items };
    },
  );
}
