// Events a CRM module might publish, written straight into the outbox: `count` events over
// `subjects` subjects, ten to a transaction, each carrying its number (`n`) and its number within
// its subject (`inSubject`), so a subscriber can tell loss, repeats and order apart.

import type { Queryable } from '../../src/db/pool.ts';
import { appendEvents, type HubEvent } from '../../src/events/outbox.ts';

export async function writeNumberedEvents(
  db: Queryable,
  type: string,
  count: number,
  subjects: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 0; n < count; n += 10) {
    const batch: HubEvent[] = [];
    for (let k = n; k < Math.min(count, n + 10); k += 1) {
      batch.push({
        type,
        source: 'urn:test',
        subject: `s/${k % subjects}`,
        data: { n: k, inSubject: Math.floor(k / subjects) },
      });
    }
    ids.push(...(await appendEvents(db, batch)));
  }
  return ids;
}
