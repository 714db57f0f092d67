// Creating runs: a run row and its job are committed together, and an integration never has two
// unfinished runs (a partial unique index refuses the second; the caller gets the first).
import type { Queryable } from '../db/pool.ts';
import type { SyncQueue } from './syncQueue.ts';
import { hasUnfinishedRun, insertRun, type NewRun, type SyncRun } from './syncRunsTable.ts';

export interface RequestedRun {
  run: SyncRun;
  /** false: a run was already queued or running, and this is that run. */
  created: boolean;
}

export async function requestRun(tx: Queryable, queue: SyncQueue, request: NewRun): Promise<RequestedRun> {
  const run = await insertRun(tx, request);
  if (run) {
    await queue.enqueueRun(run.id, { db: tx });
    return { run, created: true };
  }
  const existing = await hasUnfinishedRun(tx, request.integrationId);
  if (!existing) throw new Error(`integration ${request.integrationId}: no run could be queued`);
  return { run: existing, created: false };
}
