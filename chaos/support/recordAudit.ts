// Checks the hub's records against a system's own data: every record the sandbox holds is in the
// hub once, with its current content, and nothing the sandbox deleted is still live there. The
// records are read through the API (GET /integrations/:id/records/:entity), as a CRM module would.
import type { ChaosHub } from './chaosHub.ts';
import type { ChaosSystem } from './systems/index.ts';

export interface RecordAudit {
  /** Records the sandbox holds. */
  held: number;
  /** In the sandbox, not live in the hub. */
  missing: string[];
  /** In both, but the hub's content is not the sandbox's current one. */
  stale: string[];
  /** Live in the hub, gone from the sandbox. */
  notDeleted: string[];
  /** Ids the records route listed more than once. */
  listedTwice: string[];
}

export async function auditRecords(
  hub: ChaosHub,
  integrationId: string,
  system: ChaosSystem,
): Promise<RecordAudit> {
  const truth = system.truth();
  const listed = await listRecords(hub, integrationId, system.entity);
  const seen = new Map<string, number>();
  const audit: RecordAudit = { held: truth.size, missing: [], stale: [], notDeleted: [], listedTwice: [] };
  for (const record of listed) {
    seen.set(record.externalId, (seen.get(record.externalId) ?? 0) + 1);
    const expected = truth.get(record.externalId);
    if (expected === undefined) audit.notDeleted.push(record.externalId);
    else if (system.contentOf(record.data) !== expected) audit.stale.push(record.externalId);
  }
  for (const id of truth.keys()) if (!seen.has(id)) audit.missing.push(id);
  for (const [id, count] of seen) if (count > 1) audit.listedTwice.push(id);
  return audit;
}

interface ListedRecord {
  externalId: string;
  data: Record<string, unknown>;
}

async function listRecords(hub: ChaosHub, integrationId: string, entity: string): Promise<ListedRecord[]> {
  const records: ListedRecord[] = [];
  let cursor: string | null = null;
  do {
    const page = await hub.api(
      'GET',
      `/api/v1/integrations/${integrationId}/records/${entity}?limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
    );
    if (page.status !== 200) throw new Error(`records of ${entity}: ${page.status} ${page.text}`);
    records.push(...(page.body.items as ListedRecord[]));
    cursor = page.body.nextCursor as string | null;
  } while (cursor);
  return records;
}
