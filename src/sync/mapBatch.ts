// Turns a batch of source records into canonical records: mapping, content hash, and the
// failures (with their reasons) of records that could not be mapped.
import { hash } from 'node:crypto';
import type { SourceRecord } from '../connectors/sdk/adapter.ts';
import type { FieldProblem } from '../errors.ts';
import type { CompiledMapping } from '../mapping/index.ts';
import type { CanonicalRecord } from './recordStore.ts';

export interface MappingFailure {
  externalId: string | null;
  errors: FieldProblem[];
  source: unknown;
}

export interface MappedBatch {
  records: CanonicalRecord[];
  deletions: string[];
  failures: MappingFailure[];
  /** Every id the batch named, mapped or not, for the deletion sweep. */
  seenIds: string[];
}

export function mapBatch(records: SourceRecord[], mapping: CompiledMapping): MappedBatch {
  const batch: MappedBatch = { records: [], deletions: [], failures: [], seenIds: [] };
  for (const record of records) {
    if (!record.externalId) {
      batch.failures.push({
        externalId: null,
        errors: [{ field: 'id', message: 'the record has no id' }],
        source: record.data,
      });
      continue;
    }
    if (record.deleted) {
      batch.deletions.push(record.externalId);
      continue;
    }
    batch.seenIds.push(record.externalId);
    const mapped = mapping.map(record.data);
    if (!mapped.ok) {
      batch.failures.push({ externalId: record.externalId, errors: mapped.errors, source: record.data });
      continue;
    }
    const json = JSON.stringify(mapped.record);
    batch.records.push({ externalId: record.externalId, json, hash: hash('sha256', json, 'base64url') });
  }
  return batch;
}

/** Changes whenever an entity's mapping (or the canonical entity it makes) does. */
export function mappingFingerprint(spec: unknown, canonicalType: string): string {
  return hash('sha256', `${canonicalType}\n${JSON.stringify(spec ?? null)}`, 'base64url').slice(0, 22);
}
