// Planner settings for the relay's transactions, so their plans stay cheap however far the
// tables' statistics lag behind a burst (autovacuum analyses a table a minute or more after it
// grew from hundreds of rows to tens of thousands). Each applies to its own transaction only.
import type { Queryable } from '../../db/pool.ts';

/**
 * For a transaction that reads a queue in order (outbox events to number, deliveries to claim);
 * a select list, added to the statement that takes the transaction's lock so that it costs no
 * round trip of its own.
 * - Rows are read in order from the index that has them so, stopping at the limit; otherwise the
 *   planner reads every waiting row and sorts them (20-40 ms instead of 2-4 ms at 30,000).
 * - Indexes are scanned row by row, not as bitmaps: a row scan marks the entries of rows already
 *   done as dead, so later scans skip them until vacuum removes them; a bitmap scan visited each
 *   of them again every time (4-5 ms per claim or numbering after a burst of 30,000).
 */
export const readQueueInOrder =
  "set_config('enable_sort', 'off', true), set_config('enable_bitmapscan', 'off', true)";

/**
 * For writing the outcomes of a batch: each row is found by its primary key; otherwise the
 * planner hashes the whole table to join a batch (25 ms instead of a few for 500 rows at 30,000).
 */
export async function findRowsByKey(tx: Queryable): Promise<void> {
  await tx.query(
    "SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)",
  );
}
