// A resumable walk over a paged collection, full or incremental ("changed since"), as most REST
// APIs offer it. The checkpoint holds the next page and the highest change time seen, so a run
// resumes mid-walk. When a walk ends, the next incremental walk starts from the highest change
// time seen, but never later than this walk's start minus a look-back: records that changed while
// the walk was under way, or that a shifting page skipped, are read again (and found unchanged by
// their hash if they were not).
import type { SourceRecord, SyncBatch, SyncRequest, SyncState } from './adapter.ts';
import type { Page, PageState } from './pagination.ts';

export interface WalkState {
  /** The change time the next incremental walk asks for. */
  since?: string;
  walk?: {
    mode: 'full' | 'incremental';
    page: PageState | null;
    startedAt: string;
    maxSeen?: string;
    filter?: string;
  };
}

export interface PagedWalkSource {
  incremental: boolean;
  lookbackMs: number;
  /** Fetches one page, filtered to changes after `since` when given. */
  fetchPage(page: PageState | null, since: string | undefined, signal: AbortSignal): Promise<Page>;
  toRecord(raw: unknown): SourceRecord;
  /** The change time of a raw record (ISO 8601), when the source has one. */
  changedAt(raw: unknown): string | undefined;
}

export async function* pagedWalk(source: PagedWalkSource, request: SyncRequest): AsyncGenerator<SyncBatch> {
  const state = request.state as WalkState;
  const incremental = source.incremental && request.mode === 'incremental' && state.since !== undefined;
  let walk = state.walk;
  // A walk in progress (a crashed or paused run's) is resumed where it stopped, unless a full
  // pass was asked for and the walk in progress is only incremental.
  if (!walk || (walk.mode === 'incremental' && !incremental)) {
    walk = {
      mode: incremental ? 'incremental' : 'full',
      page: null,
      startedAt: new Date().toISOString(),
      ...(incremental && state.since ? { filter: state.since } : {}),
    };
  }
  let page: PageState | null = walk.page;
  do {
    request.signal.throwIfAborted();
    const fetched = await source.fetchPage(page, walk.filter, request.signal);
    let maxSeen: string | undefined = walk.maxSeen;
    for (const raw of fetched.records) {
      const changed = source.changedAt(raw);
      if (changed && (!maxSeen || changed > maxSeen)) maxSeen = changed;
    }
    page = fetched.next;
    walk = { ...walk, page, ...(maxSeen ? { maxSeen } : {}) };
    const done = page === null;
    const next: WalkState = done
      ? { since: nextSince(walk, state.since, source.lookbackMs) }
      : { ...(state.since ? { since: state.since } : {}), walk };
    yield {
      records: fetched.records.map((raw) => source.toRecord(raw)),
      state: next as SyncState,
      pass: walk.mode,
      fullPassComplete: done && walk.mode === 'full',
      final: done,
      ...(fetched.response.notModified ? { unchangedSince: fetched.response.cachedAt } : {}),
    };
  } while (page !== null);
}

function nextSince(walk: NonNullable<WalkState['walk']>, previous: string | undefined, lookbackMs: number) {
  const startedMinusLookback = new Date(Date.parse(walk.startedAt) - lookbackMs).toISOString();
  if (!walk.maxSeen) return previous ?? startedMinusLookback;
  // ISO 8601 UTC strings of one format order as the times they name.
  return [walk.maxSeen, startedMinusLookback].sort()[0];
}
