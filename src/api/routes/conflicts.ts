// Two-way sync through the API: a CRM module changes a synced record, and people decide the
// conflicts a policy left to them.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HubError, notFound } from '../../errors.ts';
import type { ConflictRow } from '../../sync/twoWay/conflictsTable.ts';
import { findConflict, listConflicts } from '../../sync/twoWay/conflictsTable.ts';
import { changeRecord } from '../../sync/twoWay/hubChanges.ts';
import { resolveConflict } from '../../sync/twoWay/resolveConflict.ts';
import type { HubContext } from '../context.ts';

const recordParams = z.strictObject({
  id: z.uuid('must be a UUID'),
  entity: z.string().min(1).max(50),
  externalId: z.string().min(1).max(500),
});
const conflictParams = z.strictObject({ conflictId: z.uuid('must be a UUID') });
const conflictsQuery = z.strictObject({
  state: z.enum(['open', 'resolved']).optional(),
  integrationId: z.uuid('must be a UUID').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.iso.datetime({ offset: true }).optional(),
});
const side = z.enum(['hub', 'external']);
const resolutionBody = z
  .strictObject({
    use: side.optional(),
    fields: z.record(z.string().min(1).max(200), side).optional(),
    values: z.record(z.string().min(1).max(200), z.unknown()).optional(),
  })
  .refine((body) => body.use || body.fields || body.values, {
    message: 'give use, fields or values',
    path: ['use'],
  });

export function conflictRoutes(app: FastifyInstance, context: HubContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.patch(
    '/api/v1/integrations/:id/records/:entity/:externalId',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['two-way sync'],
        summary:
          'Change a synced record in the hub (JSON merge patch of canonical fields); it is written back',
        params: recordParams,
        body: z.record(z.string(), z.unknown()),
      },
    },
    async (request, reply) => {
      const ifMatch = request.headers['if-match'];
      const version = typeof ifMatch === 'string' ? Number(ifMatch.replace(/^W\/|"/g, '')) : undefined;
      if (version !== undefined && !Number.isInteger(version)) {
        throw new HubError('validation', 'INVALID_IF_MATCH', 'If-Match: must be the record version');
      }
      const { params } = request;
      const changed = await changeRecord(
        { pool: context.pool, catalog: context.catalog },
        {
          integrationId: params.id,
          entity: params.entity,
          externalId: params.externalId,
          patch: request.body,
          ifMatch: version,
        },
        request.principal,
        request.id,
      );
      let runId: string | null = null;
      if (changed.runQueued) {
        const { run } = await context.sync.requestSync(
          params.id,
          { entities: [params.entity], full: false },
          request.principal,
          request.id,
        );
        runId = run.id;
      }
      reply.header('etag', `"${changed.record.version}"`);
      return reply.status(changed.runQueued ? 202 : 200).send({
        entity: params.entity,
        externalId: params.externalId,
        version: changed.record.version,
        data: changed.record.data,
        writeState: changed.record.writeState,
        runId,
      });
    },
  );

  routes.get(
    '/api/v1/conflicts',
    {
      config: { role: 'viewer' },
      schema: { tags: ['two-way sync'], summary: 'Conflicts, newest first', querystring: conflictsQuery },
    },
    async (request) => {
      const { limit, cursor, state, integrationId } = request.query;
      const rows = await listConflicts(context.pool, {
        state,
        integrationId,
        limit: limit + 1,
        before: cursor,
      });
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return {
        items: items.map(conflictView),
        nextCursor: rows.length > limit && last ? last.createdAt.toISOString() : null,
      };
    },
  );

  routes.get(
    '/api/v1/conflicts/:conflictId',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['two-way sync'],
        summary: 'One conflict: base, hub and source versions',
        params: conflictParams,
      },
    },
    async (request) => {
      const conflict = await findConflict(context.pool, request.params.conflictId);
      if (!conflict) throw notFound('conflict', request.params.conflictId);
      return conflictView(conflict);
    },
  );

  routes.post(
    '/api/v1/conflicts/:conflictId/resolve',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['two-way sync'],
        summary: 'Decide a conflict; the result is written to the source and stored in the hub',
        params: conflictParams,
        body: resolutionBody,
      },
    },
    async (request) =>
      conflictView(
        await resolveConflict(
          { pool: context.pool, catalog: context.catalog, runtime: context.runtime },
          request.params.conflictId,
          request.body,
          request.principal,
          request.id,
        ),
      ),
  );
}

function conflictView(conflict: ConflictRow & { resolvedAt?: Date | null }) {
  return {
    id: conflict.id,
    integrationId: conflict.integrationId,
    entity: conflict.entity,
    externalId: conflict.externalId,
    policy: conflict.policy,
    state: conflict.state,
    contested: conflict.contested,
    base: conflict.base,
    hub: conflict.hub,
    external: conflict.external,
    winner: conflict.winner,
    result: conflict.result,
    createdAt: conflict.createdAt.toISOString(),
    resolvedAt: conflict.resolvedAt ? conflict.resolvedAt.toISOString() : null,
    resolvedBy: conflict.resolvedBy,
  };
}
