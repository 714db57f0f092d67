// Sync runs, sync status, synced records, request logs, health checks and daily reports.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HubError } from '../../errors.ts';
import { runStates, type SyncRun } from '../../sync/syncRunsTable.ts';
import type { HubContext } from '../context.ts';

const idParams = z.strictObject({ id: z.uuid('must be a UUID') });
const runParams = z.strictObject({ runId: z.uuid('must be a UUID') });
const entityName = z.string().min(1).max(50);

const syncBody = z
  .strictObject({
    entities: z.array(entityName).min(1).max(50).optional(),
    full: z.boolean().default(false),
  })
  .default({ full: false });

const runsQuery = z.strictObject({
  state: z.enum(runStates).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().optional(),
});

const recordsQuery = z.strictObject({
  updatedSince: z.iso.datetime({ offset: true }).optional(),
  includeDeleted: z.stringbool().default(false),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().optional(),
});

const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().optional(),
});

export function syncRoutes(app: FastifyInstance, context: HubContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  const sync = context.sync;

  routes.post(
    '/api/v1/integrations/:id/sync',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['sync'],
        summary: 'Start a sync now; answers with the run (the unfinished one, if a run is already queued)',
        params: idParams,
        body: syncBody,
      },
    },
    async (request, reply) => {
      const { run, created } = await sync.requestSync(
        request.params.id,
        request.body,
        request.principal,
        request.id,
      );
      reply.header('location', `/api/v1/sync-runs/${run.id}`);
      return reply.status(202).send({ ...runView(run), alreadyQueued: !created });
    },
  );

  routes.get(
    '/api/v1/integrations/:id/sync-runs',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['sync'],
        summary: 'Sync runs, newest first',
        params: idParams,
        querystring: runsQuery,
      },
    },
    async (request) => {
      const { limit, cursor, state } = request.query;
      const rows = await sync.runs(request.params.id, {
        state,
        limit: limit + 1,
        before: decodeRunCursor(cursor),
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(runView),
        nextCursor: rows.length > limit && last ? encode([last.queuedAt.toISOString(), last.id]) : null,
      };
    },
  );

  routes.get(
    '/api/v1/sync-runs/:runId',
    { config: { role: 'viewer' }, schema: { tags: ['sync'], summary: 'One sync run', params: runParams } },
    async (request) => runView(await sync.run(request.params.runId)),
  );

  routes.get(
    '/api/v1/sync-runs/:runId/failures',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['sync'],
        summary: 'Records of the run that could not be mapped, with their reasons',
        params: runParams,
        querystring: pageQuery,
      },
    },
    async (request) => {
      const after = request.query.cursor ? Number.parseInt(request.query.cursor, 10) : undefined;
      if (after !== undefined && !Number.isSafeInteger(after)) throw badCursor();
      const rows = await sync.failures(request.params.runId, request.query.limit + 1, after);
      const page = rows.slice(0, request.query.limit);
      return {
        items: page,
        nextCursor: rows.length > request.query.limit ? String(page.at(-1)?.id) : null,
      };
    },
  );

  routes.get(
    '/api/v1/integrations/:id/sync-status',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['sync'],
        summary: 'Per entity: last and next sync, cursor, counts, errors',
        params: idParams,
      },
    },
    async (request) => sync.status(request.params.id),
  );

  routes.get(
    '/api/v1/integrations/:id/records/:entity',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['sync'],
        summary: 'Synced records in canonical form, oldest change first',
        params: z.strictObject({ id: z.uuid('must be a UUID'), entity: entityName }),
        querystring: recordsQuery,
      },
    },
    async (request) => {
      const { limit, cursor, updatedSince, includeDeleted } = request.query;
      const after = cursor ? decodeTuple(cursor) : undefined;
      const rows = await sync.records(request.params.id, request.params.entity, {
        updatedSince: updatedSince ? new Date(updatedSince) : undefined,
        includeDeleted,
        limit: limit + 1,
        after: after ? { updatedAt: after[0], externalId: after[1] } : undefined,
      });
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(
          ({ cursorAt: _cursor, ...row }: { cursorAt: string } & Record<string, unknown>) => row,
        ),
        nextCursor: rows.length > limit && last ? encode([last.cursorAt, last.externalId]) : null,
      };
    },
  );

  routes.get(
    '/api/v1/integrations/:id/logs',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['sync'],
        summary: 'Requests to the external system (integration_logs), newest first; secrets redacted',
        params: idParams,
        querystring: pageQuery,
      },
    },
    async (request) => {
      await context.runtime.requestLog.flush();
      const { limit, cursor } = request.query;
      const before = cursor ? decodeTuple(cursor) : undefined;
      const rows = await sync.logs(
        request.params.id,
        limit + 1,
        before ? { createdAt: before[0], id: before[1] } : undefined,
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(
          ({ cursorAt: _cursor, ...row }: { cursorAt: string } & Record<string, unknown>) => row,
        ),
        nextCursor: rows.length > limit && last ? encode([last.cursorAt, last.id]) : null,
      };
    },
  );

  routes.post(
    '/api/v1/integrations/health-check',
    {
      config: { role: 'operator' },
      schema: { tags: ['health'], summary: 'Check every active or failing integration now, in parallel' },
    },
    async () => ({ items: await sync.healthCheckAll() }),
  );

  routes.post(
    '/api/v1/integrations/:id/health-check',
    {
      config: { role: 'operator' },
      schema: { tags: ['health'], summary: "Check one integration's connection now", params: idParams },
    },
    async (request) => sync.healthCheck(request.params.id),
  );

  routes.get(
    '/api/v1/integrations/:id/reports',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['reports'],
        summary: 'Daily sync reports, newest day first',
        params: idParams,
        querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(366).default(30) }),
      },
    },
    async (request) => ({ items: await sync.reports(request.params.id, request.query.limit) }),
  );

  routes.post(
    '/api/v1/reports/daily',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['reports'],
        summary: 'Generate (or regenerate) the daily sync reports of a day; today by default',
        body: z.strictObject({ day: z.iso.date().optional() }).default({}),
      },
    },
    async (request) => ({ items: await sync.generateReports(request.body.day) }),
  );
}

export function runView(run: SyncRun) {
  return {
    id: run.id,
    integrationId: run.integrationId,
    trigger: run.trigger,
    mode: run.mode,
    entities: run.entities,
    state: run.state,
    counts: {
      fetched: run.fetched,
      created: run.created,
      updated: run.updated,
      unchanged: run.unchanged,
      deleted: run.deleted,
      failed: run.failed,
    },
    progress: run.progress,
    error: run.error,
    errorKind: run.errorKind,
    resumeAt: run.resumeAt?.toISOString() ?? null,
    attempts: run.attempts,
    resumes: run.resumes,
    queuedAt: run.queuedAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    durationMs: run.durationMs,
  };
}

function encode(parts: string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

function decodeTuple(cursor: string): [string, string] {
  try {
    const parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parts) && parts.length === 2 && parts.every((part) => typeof part === 'string')) {
      return parts as [string, string];
    }
  } catch {}
  throw badCursor();
}

function decodeRunCursor(cursor: string | undefined) {
  if (!cursor) return undefined;
  const [queuedAt, id] = decodeTuple(cursor);
  const at = new Date(queuedAt);
  if (Number.isNaN(at.getTime())) throw badCursor();
  return { queuedAt: at, id };
}

function badCursor() {
  return new HubError('validation', 'INVALID_CURSOR', 'cursor: not a cursor this API gave out', {
    fields: [{ field: 'querystring.cursor', message: 'not a cursor this API gave out' }],
  });
}
