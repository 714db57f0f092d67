// Publishing an event from a CRM module: its data is validated against the declared schema
// version (the latest when none is declared), and it enters the outbox carrying that version as
// its `dataschema`.
import type { Principal } from '../../access/principal.ts';
import type { Pool } from '../../db/pool.ts';
import { HubError } from '../../errors.ts';
import { appendEvents, HUB_SOURCE, toCloudEvent } from '../outbox.ts';
import { sequenceEvents } from '../relay/sequencer.ts';
import type { SchemaRegistry } from './schemaRegistry.ts';
import { dataschemaUri, isWrittenByHub } from './shippedSchemas.ts';

export interface Publication {
  type: string;
  data: unknown;
  subject?: string | undefined;
  source?: string | undefined;
  dataschemaVersion?: number | undefined;
}

export const moduleSource = (principal: Principal) =>
  `${HUB_SOURCE}:modules/${encodeURIComponent(principal.name)}`;

export async function publishEvent(
  deps: { pool: Pool; schemas: SchemaRegistry },
  publication: Publication,
  principal: Principal,
  traceId: string,
) {
  const { type, data } = publication;
  if (isWrittenByHub(type)) {
    throw new HubError('config', 'EVENT_TYPE_RESERVED', `type: ${type} is written by the hub only`, {
      fields: [{ field: 'type', message: 'is written by the hub only' }],
    });
  }
  const { version, validate } = await deps.schemas.validatorFor(type, publication.dataschemaVersion);
  const problems = deps.schemas.validators.problems(validate, data);
  if (problems.length > 0) {
    const list = problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ');
    throw new HubError('validation', 'EVENT_DATA_INVALID', `${type} version ${version}: ${list}`, {
      fields: problems,
    });
  }
  const [id] = await appendEvents(deps.pool, [
    {
      type,
      source: publication.source ?? moduleSource(principal),
      subject: publication.subject,
      data,
      traceId,
      dataschema: dataschemaUri(type, version),
    },
  ]);
  // Numbered right away where no other relay pass holds the sequencer, so the answer has its position.
  await sequenceEvents(deps.pool);
  type Row = Parameters<typeof toCloudEvent>[0];
  const stored = await deps.pool.query<Omit<Row, 'position'> & { position: number | null }>(
    'SELECT seq AS position, id, type, source, subject, time, data, dataschema FROM outbox_events WHERE id = $1',
    [id],
  );
  const row = stored.rows[0]!;
  // Null when another pass was numbering at that moment; it is numbered by that pass or the next.
  return { ...toCloudEvent({ ...row, position: 0 }), position: row.position };
}
