// One entity of a run: pull batches from the adapter, map them, and land them. A batch with
// changes commits its records, events, failures, checkpoint and run counts in ONE transaction.
// Two things keep this fast without giving up safety:
// - a pipeline: the adapter fetches up to two pages ahead, and a page is mapped and its hash
//   lookup sent while the page before it is being written;
// - pages in which nothing changed are only read (hash comparison); their checkpoint is committed
//   with the next page that writes, or after a few such pages. A crash then re-reads at most those
//   few unchanged pages, which is harmless: they are unchanged;
// - a page the source answers with 304 Not Modified is not even mapped, when the hub stored that
//   answer before the entity was last completely in sync with the same mapping: everything on
//   it was landed then. A stored answer younger than that (from a run that crashed before its page
//   committed) is processed like any other page.
// The sweep at the end of a full pass deletes only ids a second walk missed too (sweepConfirmation.ts).
import { randomUUID } from 'node:crypto';
import type { LiveAdapter } from '../connectors/runtime/connectorRuntime.ts';
import type { SyncBatch } from '../connectors/sdk/adapter.ts';
import { type Pool, withTransaction } from '../db/pool.ts';
import type { CompiledMapping } from '../mapping/index.ts';
import type { Logger } from '../observability/logger.ts';
import { mapBatch } from './mapBatch.ts';
import { storeFailures } from './recordFailures.ts';
import {
  classifyRecords,
  countLiveRecords,
  countSeen,
  deleteRecords,
  forgetSeen,
  rememberSeen,
  type StoreTarget,
  sweepUnseen,
  writeRecords,
} from './recordStore.ts';
import { confirmGone, sweepCandidates } from './sweepConfirmation.ts';
import { addProgress, type EntityProgress } from './syncRunsTable.ts';
import { type EngineState, readSyncState, writeSyncState } from './syncStatusTable.ts';

/** Unchanged pages whose checkpoint may wait for the next write. */
const MAX_DEFERRED_PAGES = 10;
/** Planner statistics are refreshed after this many rows are written, and then after four times as many. */
const FIRST_ANALYZE_AFTER = 5_000;
/** Margin between a stored answer and the last complete sync, against clock skew between hub processes. */
const CACHE_TRUST_MARGIN_MS = 5_000;

export interface EntitySyncInput {
  pool: Pool;
  logger: Logger;
  live: LiveAdapter;
  target: StoreTarget;
  mapping: CompiledMapping;
  /** Changes whenever the mapping does; pages cached under another mapping are mapped again. */
  mappingFingerprint: string;
  mode: 'full' | 'incremental';
  lease: string;
  signal: AbortSignal;
}

interface MappedPage {
  batch: SyncBatch;
  mapped: ReturnType<typeof mapBatch>;
  classifying: Promise<Awaited<ReturnType<typeof classifyRecords>>>;
  /** The source confirmed this page unchanged since it was landed: nothing to map or compare. */
  landedBefore: boolean;
}

interface Deferred {
  progress: EntityProgress;
  seenIds: string[];
  state: EngineState | undefined;
  pages: number;
}

export async function syncEntity(input: EntitySyncInput): Promise<void> {
  const { pool, live, target, mapping, signal } = input;
  const capabilities = live.adapter.capabilities(target.entity);
  const sweeping = capabilities.deletions === 'sweep';
  let engine: EngineState = await readSyncState(pool, target.integrationId, target.entity);
  let deferred: Deferred = emptyDeferred();
  let analyzeAfter = FIRST_ANALYZE_AFTER;
  let written = 0;
  let finalSeen = false;

  const iterator = live.adapter
    .sync({ entity: target.entity, mode: input.mode, state: engine.connector, signal })
    [Symbol.asyncIterator]();
  // Read ahead: the adapter keeps fetching (up to two pages) while earlier pages are processed.
  const ahead: Promise<IteratorResult<SyncBatch>>[] = [];
  const pull = () => {
    const next = iterator.next();
    next.catch(() => {});
    ahead.push(next);
  };
  // Ids the previous page wrote: a page classified while that write was in flight is classified
  // again if it names one of them (a record that moved between pages), so no create is counted twice.
  let lastWritten = new Set<string>();

  const land = async (page: MappedPage) => {
    const { batch, mapped } = page;
    if (page.landedBefore) {
      deferred.progress.fetched += batch.records.length;
      deferred.progress.unchanged += mapped.seenIds.length;
      deferred.progress.notModifiedPages = (deferred.progress.notModifiedPages ?? 0) + 1;
      if (sweeping && batch.pass === 'full') deferred.seenIds.push(...mapped.seenIds);
      deferred.pages += 1;
    }
    let classified = await page.classifying;
    if (classified.changed.some((item) => lastWritten.has(item.record.externalId))) {
      classified = await classifyRecords(pool, target, mapped.records);
    }
    const tracksSeen = sweeping && batch.pass === 'full';
    const next: EngineState = {
      connector: batch.state,
      ...(engine.sweep ? { sweep: { ...engine.sweep } } : {}),
      ...(engine.synced ? { synced: engine.synced } : {}),
    };
    if (tracksSeen && !next.sweep) next.sweep = { passId: randomUUID(), seen: 0 };
    const quiet =
      classified.changed.length === 0 &&
      mapped.deletions.length === 0 &&
      mapped.failures.length === 0 &&
      !batch.final &&
      !batch.fullPassComplete;

    if (!page.landedBefore) {
      deferred.progress.fetched += batch.records.length;
      deferred.progress.unchanged += classified.unchanged;
      if (tracksSeen) deferred.seenIds.push(...mapped.seenIds);
      deferred.pages += 1;
    }
    if (quiet && deferred.pages < MAX_DEFERRED_PAGES) {
      deferred.state = next;
      engine = next;
      lastWritten = new Set();
      return;
    }

    // The ids this pass did not see are checked by a second walk before the sweep (sweepConfirmation.ts).
    const confirmedGone =
      next.sweep && batch.fullPassComplete
        ? await confirmSweep(input, next.sweep.passId, deferred.seenIds)
        : [];
    await withTransaction(pool, async (tx) => {
      const progress = deferred.progress;
      const created = await writeRecords(tx, target, classified.changed);
      progress.created += created.created;
      progress.updated += created.updated;
      progress.deleted += (await deleteRecords(tx, target, mapped.deletions)).deleted;
      progress.failed += mapped.failures.length;
      if (next.sweep) {
        next.sweep.seen += await rememberSeen(tx, next.sweep.passId, target.entity, deferred.seenIds);
        if (batch.fullPassComplete) {
          progress.deleted += await sweep(input, tx, next.sweep, confirmedGone);
          delete next.sweep;
        }
      }
      await storeFailures(tx, target, mapped.failures);
      if (batch.final) next.synced = { at: new Date().toISOString(), mapping: input.mappingFingerprint };
      await writeSyncState(
        tx,
        target.integrationId,
        target.entity,
        next,
        progress.created + progress.updated,
      );
      await addProgress(tx, target.runId, input.lease, target.entity, progress, batch.final === true);
      written += progress.created + progress.updated + progress.deleted;
    });
    lastWritten = new Set(classified.changed.map((item) => item.record.externalId));
    engine = next;
    deferred = emptyDeferred();
    if (batch.final) finalSeen = true;
    if (written >= analyzeAfter) {
      // Fresh bulk loads leave the planner guessing "one row" and scanning instead of using the
      // primary key for the hash lookups; statistics fix that.
      await pool.query('ANALYZE synced_records');
      analyzeAfter = written * 4;
    }
  };

  pull();
  pull();
  let previous: MappedPage | undefined;
  try {
    for (;;) {
      let result: IteratorResult<SyncBatch>;
      try {
        result = await (ahead.shift() as Promise<IteratorResult<SyncBatch>>);
      } catch (error) {
        // The source failed on a later page: what was already read still lands, so a resumed run
        // (after a quota wait, an outage) starts right after it.
        const read = previous;
        previous = undefined;
        if (read) await land(read);
        throw error;
      }
      if (result.done) break;
      pull();
      const batch = result.value;
      const landedBefore = wasLandedBefore(batch, engine, input.mappingFingerprint);
      // This page is mapped and its hash lookup sent while the previous page is being landed.
      const mapped = landedBefore ? idsOnly(batch) : mapBatch(batch.records, mapping);
      const current: MappedPage = {
        batch,
        mapped,
        landedBefore,
        classifying: landedBefore
          ? Promise.resolve({ changed: [], unchanged: 0 })
          : classifyRecords(pool, target, mapped.records),
      };
      current.classifying.catch(() => {});
      if (previous) await land(previous);
      previous = current;
    }
    if (previous) await land(previous);
  } catch (error) {
    await iterator.return?.(undefined).catch(() => {});
    throw error;
  }
  if (!finalSeen) {
    await withTransaction(pool, async (tx) => {
      if (deferred.state) await writeSyncState(tx, target.integrationId, target.entity, deferred.state, 0);
      await addProgress(tx, target.runId, input.lease, target.entity, deferred.progress, true);
    });
  }
}

/**
 * The sweep after a full pass. Skipped when the scratch ids are incomplete (sync_seen_ids is
 * unlogged, so a database crash empties it) or when the source sent nothing at all: deleting
 * every record on the word of an empty answer is worse than keeping a few stale ones.
 */
async function sweep(
  input: EntitySyncInput,
  tx: Parameters<typeof writeRecords>[0],
  pass: NonNullable<EngineState['sweep']>,
  confirmedGone: string[],
): Promise<number> {
  const { target } = input;
  const remembered = await countSeen(tx, pass.passId, target.entity);
  const live = await countLiveRecords(tx, target.integrationId, target.entity);
  const why =
    remembered !== pass.seen
      ? 'the ids seen by the pass were lost (database restart)'
      : pass.seen === 0 && live > 0
        ? 'the full pass returned no records at all'
        : undefined;
  if (why) {
    input.logger.warn(
      { integrationId: target.integrationId, entity: target.entity, live },
      `deletions not swept: ${why}`,
    );
    await forgetSeen(tx, pass.passId, target.entity);
    return 0;
  }
  return (await sweepUnseen(tx, target, pass.passId, confirmedGone)).deleted;
}

async function confirmSweep(input: EntitySyncInput, passId: string, inHand: string[]): Promise<string[]> {
  const candidates = await sweepCandidates(input.pool, input.target, passId, inHand);
  if (candidates.length === 0) return [];
  const gone = await confirmGone(input.live, input.target.entity, candidates, input.signal);
  if (gone.length < candidates.length) {
    input.logger.info(
      {
        integrationId: input.target.integrationId,
        entity: input.target.entity,
        kept: candidates.length - gone.length,
      },
      'records the full pass missed were found by the second look, and kept',
    );
  }
  return gone;
}

/** Whether a 304 page was stored before the entity was last completely landed, with this mapping. */
function wasLandedBefore(batch: SyncBatch, engine: EngineState, mappingFingerprint: string): boolean {
  if (!batch.unchangedSince || !engine.synced || engine.synced.mapping !== mappingFingerprint) return false;
  if (batch.final || batch.fullPassComplete) return false;
  return batch.unchangedSince.getTime() < Date.parse(engine.synced.at) - CACHE_TRUST_MARGIN_MS;
}

/** The ids of a page that needs no mapping: for the counts and the deletion sweep. */
function idsOnly(batch: SyncBatch): ReturnType<typeof mapBatch> {
  const seenIds = batch.records
    .filter((record) => record.externalId && !record.deleted)
    .map((record) => record.externalId);
  return { records: [], deletions: [], failures: [], seenIds };
}

function emptyDeferred(): Deferred {
  return {
    progress: { fetched: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0 },
    seenIds: [],
    state: undefined,
    pages: 0,
  };
}
