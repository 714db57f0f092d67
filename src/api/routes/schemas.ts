// The event schema registry: JSON Schemas per event type and version, each type's compatibility
// mode, and a dry run of the compatibility check. A version's URL is the `dataschema` of the
// events that conform to it, and serves the schema itself.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { compatibilityModes } from '../../events/schemas/compatibility.ts';
import type { EventTypeRow, SchemaVersionRow } from '../../events/schemas/eventSchemasTable.ts';
import { eventTypeName } from '../../events/schemas/eventTypeName.ts';
import { dataschemaUri, isWrittenByHub } from '../../events/schemas/shippedSchemas.ts';
import type { HubContext } from '../context.ts';

const typeParams = z.strictObject({ type: eventTypeName });
const versionParams = z.strictObject({
  type: eventTypeName,
  version: z.union([z.literal('latest'), z.coerce.number().int().min(1)]),
});
const mode = z.enum(compatibilityModes);
const submission = z.strictObject({
  schema: z.record(z.string(), z.unknown()),
  compatibility: mode.optional(),
});
const tags = ['event schemas'];

export function schemaRoutes(app: FastifyInstance, context: HubContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const registry = context.schemas;

  routes.get(
    '/api/v1/schemas',
    {
      config: { role: 'viewer' },
      schema: {
        tags,
        summary: 'Event types with their latest schema version and compatibility mode',
        querystring: z.strictObject({ type: z.string().min(1).max(200).optional() }),
      },
    },
    async (request) => ({ items: (await registry.listTypes(request.query.type)).map(typeView) }),
  );

  routes.get(
    '/api/v1/schemas/:type',
    {
      config: { role: 'viewer' },
      schema: { tags, summary: 'One event type and its versions', params: typeParams },
    },
    async (request) => {
      const { type, versions } = await registry.describeType(request.params.type);
      return { ...typeView(type), versions: versions.map(versionView) };
    },
  );

  routes.get(
    '/api/v1/schemas/:type/versions/:version',
    {
      config: { role: 'viewer' },
      schema: {
        tags,
        summary: 'The JSON Schema of one version (or "latest"): what events name in `dataschema`',
        params: versionParams,
      },
    },
    async (request, reply) => {
      const row = await registry.version(request.params.type, request.params.version);
      reply.header('x-schema-version', String(row.version));
      return reply.type('application/schema+json').send(row.schema);
    },
  );

  routes.post(
    '/api/v1/schemas/:type/versions',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary:
          'Register a new version, checked against the type’s compatibility mode; a rejection names each field and why',
        params: typeParams,
        body: submission,
      },
    },
    async (request, reply) => {
      const { created, version } = await registry.register(
        request.params.type,
        request.body,
        request.principal,
        request.id,
      );
      reply.header('location', dataschemaUri(version.type, version.version));
      return reply.status(created ? 201 : 200).send(versionView(version));
    },
  );

  routes.put(
    '/api/v1/schemas/:type/compatibility',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        summary: 'Set the compatibility mode that new versions of the type are checked against',
        params: typeParams,
        body: z.strictObject({ compatibility: mode }),
      },
    },
    async (request) =>
      typeView(
        await registry.setCompatibility(
          request.params.type,
          request.body.compatibility,
          request.principal,
          request.id,
        ),
      ),
  );

  routes.post(
    '/api/v1/schemas/:type/compatibility-check',
    {
      config: { role: 'operator' },
      schema: {
        tags,
        summary: 'Dry run: would this schema be accepted as the next version? Registers nothing',
        params: typeParams,
        body: submission,
      },
    },
    async (request) => registry.dryRun(request.params.type, request.body),
  );
}

function typeView(row: EventTypeRow) {
  return {
    type: row.type,
    compatibility: row.compatibility,
    latestVersion: row.latestVersion,
    writtenBy: isWrittenByHub(row.type) ? 'hub' : 'modules',
    dataschema: row.latestVersion ? dataschemaUri(row.type, row.latestVersion) : null,
    updatedAt: row.updatedAt.toISOString(),
  };
}

function versionView(row: SchemaVersionRow) {
  return {
    type: row.type,
    version: row.version,
    compatibility: row.compatibility,
    dataschema: dataschemaUri(row.type, row.version),
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
  };
}
