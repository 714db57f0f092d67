// The event schema registry: registers versions after checking them against the type's
// compatibility mode, serves them, and hands out compiled validators for publishing.
import { isDeepStrictEqual } from 'node:util';
import type { ValidateFunction } from 'ajv';
import type { Principal } from '../../access/principal.ts';
import { recordAudit } from '../../audit/recordAudit.ts';
import { type Pool, withTransaction } from '../../db/pool.ts';
import { type FieldProblem, HubError, notFound } from '../../errors.ts';
import type { Logger } from '../../observability/logger.ts';
import {
  type CompatibilityMode,
  checkCompatibility,
  defaultCompatibility,
  versionsToCheck,
} from './compatibility.ts';
import {
  type EventTypeRow,
  findEventType,
  findSchemaVersion,
  insertSchemaVersion,
  insertShippedSchemas,
  latestVersionNumber,
  listEventTypes,
  listSchemaVersions,
  lockEventType,
  type SchemaVersionRow,
  updateCompatibility,
} from './eventSchemasTable.ts';
import { SchemaValidators } from './schemaValidators.ts';
import { isWrittenByHub, shippedSchemas } from './shippedSchemas.ts';

export interface SchemaSubmission {
  schema: Record<string, unknown>;
  compatibility?: CompatibilityMode | undefined;
}

export interface CompatibilityReport {
  compatible: boolean;
  compatibility: CompatibilityMode;
  checkedAgainst: number[];
  errors: FieldProblem[];
}

export class SchemaRegistry {
  readonly validators = new SchemaValidators();
  readonly #pool: Pool;
  readonly #logger: Logger;

  constructor(deps: { pool: Pool; logger: Logger }) {
    this.#pool = deps.pool;
    this.#logger = deps.logger;
  }

  /** Registers the shipped schemas missing from the database, as their shipped version. */
  async registerShipped(): Promise<void> {
    const differing = await withTransaction(this.#pool, (tx) =>
      insertShippedSchemas(tx, shippedSchemas, 'hub'),
    );
    if (differing.length > 0) {
      this.#logger.warn(
        { types: differing },
        'stored event schemas differ from the ones this hub ships; the stored ones stay',
      );
    }
  }

  listTypes(prefix?: string): Promise<EventTypeRow[]> {
    return listEventTypes(this.#pool, prefix);
  }

  async describeType(type: string): Promise<{ type: EventTypeRow; versions: SchemaVersionRow[] }> {
    const row = await findEventType(this.#pool, type);
    if (!row) throw notFound('event type', type);
    return { type: row, versions: await listSchemaVersions(this.#pool, type, { withSchemas: false }) };
  }

  async version(type: string, version: number | 'latest'): Promise<SchemaVersionRow> {
    const row = await findSchemaVersion(this.#pool, type, version);
    if (!row) throw notFound('schema', `${type} version ${version}`);
    return row;
  }

  /** The new version, or the existing one holding the same schema (created: false). */
  async register(
    type: string,
    submission: SchemaSubmission,
    actor: Principal,
    traceId: string,
  ): Promise<{ created: boolean; version: SchemaVersionRow }> {
    refuseHubWritten(type);
    const validate = this.validators.compile(submission.schema);
    try {
      const result = await withTransaction(this.#pool, async (tx) => {
        const current = await lockEventType(
          tx,
          type,
          submission.compatibility ?? defaultCompatibility,
          actorName(actor),
        );
        const mode = submission.compatibility ?? current.compatibility;
        if (mode !== current.compatibility) await updateCompatibility(tx, type, mode, actorName(actor));
        const earlier = await listSchemaVersions(tx, type, { withSchemas: true });
        const same = earlier.find((each) => isDeepStrictEqual(each.schema, submission.schema));
        if (same) return { created: false, version: same };
        const candidate = { version: (earlier.at(-1)?.version ?? 0) + 1, schema: submission.schema };
        const problems = checkCompatibility(mode, candidate, earlier);
        if (problems.length > 0) throw incompatible(type, candidate.version, mode, problems);
        const row = await insertSchemaVersion(tx, {
          type,
          version: candidate.version,
          schema: submission.schema,
          compatibility: mode,
          createdBy: actorName(actor),
        });
        await recordAudit(tx, actor, {
          action: 'event_schema.registered',
          targetType: 'event_schema',
          targetId: `${type}/${row.version}`,
          changes: { compatibility: mode },
          traceId,
        });
        return { created: true, version: row };
      });
      if (result.created) this.validators.remember(type, result.version.version, validate);
      else this.validators.forget(validate);
      return result;
    } catch (error) {
      this.validators.forget(validate);
      throw error;
    }
  }

  async setCompatibility(
    type: string,
    mode: CompatibilityMode,
    actor: Principal,
    traceId: string,
  ): Promise<EventTypeRow> {
    refuseHubWritten(type);
    return withTransaction(this.#pool, async (tx) => {
      if (!(await updateCompatibility(tx, type, mode, actorName(actor)))) throw notFound('event type', type);
      await recordAudit(tx, actor, {
        action: 'event_schema.compatibility_changed',
        targetType: 'event_type',
        targetId: type,
        changes: { compatibility: mode },
        traceId,
      });
      return (await findEventType(tx, type))!;
    });
  }

  /** What registering the schema would say, without registering it. */
  async dryRun(type: string, submission: SchemaSubmission): Promise<CompatibilityReport> {
    const validate = this.validators.compile(submission.schema);
    this.validators.forget(validate);
    const current = await findEventType(this.#pool, type);
    const mode = submission.compatibility ?? current?.compatibility ?? defaultCompatibility;
    const earlier = current ? await listSchemaVersions(this.#pool, type, { withSchemas: true }) : [];
    const candidate = { version: (earlier.at(-1)?.version ?? 0) + 1, schema: submission.schema };
    const errors = checkCompatibility(mode, candidate, earlier);
    const checkedAgainst = versionsToCheck(mode, earlier).map((each) => each.version);
    return { compatible: errors.length === 0, compatibility: mode, checkedAgainst, errors };
  }

  /** The validator of a version of a type (the latest when none is named). */
  async validatorFor(
    type: string,
    version?: number,
  ): Promise<{ version: number; validate: ValidateFunction }> {
    const resolved = version ?? (await latestVersionNumber(this.#pool, type));
    if (resolved === undefined) throw unknownType(type);
    const cached = this.validators.cached(type, resolved);
    if (cached) return { version: resolved, validate: cached };
    const row = await findSchemaVersion(this.#pool, type, resolved);
    if (!row) {
      const latest = await latestVersionNumber(this.#pool, type);
      if (latest === undefined) throw unknownType(type);
      const message = `${type} has versions 1 to ${latest}`;
      throw new HubError('config', 'UNKNOWN_SCHEMA_VERSION', `dataschemaVersion: ${message}`, {
        fields: [{ field: 'dataschemaVersion', message }],
      });
    }
    const validate = this.validators.compile(row.schema);
    this.validators.remember(type, resolved, validate);
    return { version: resolved, validate };
  }
}

const actorName = (actor: Principal) => `${actor.kind}:${actor.name}`;

const unknownType = (type: string) =>
  new HubError('config', 'UNKNOWN_EVENT_TYPE', `type: ${type} has no schema in the registry`, {
    fields: [{ field: 'type', message: 'has no schema in the registry; register one first' }],
  });

function refuseHubWritten(type: string): void {
  if (!isWrittenByHub(type)) return;
  throw new HubError(
    'conflict',
    'SCHEMA_OWNED_BY_HUB',
    `${type} is written by the hub itself: its schema changes with the hub's code, not through the API`,
    { fields: [{ field: 'type', message: 'is written by the hub itself' }] },
  );
}

function incompatible(type: string, version: number, mode: CompatibilityMode, problems: FieldProblem[]) {
  const list = problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ');
  return new HubError(
    'conflict',
    'SCHEMA_INCOMPATIBLE',
    `${type} version ${version} is not ${mode} compatible: ${list}`,
    { fields: problems },
  );
}
