// A CRM module publishing events all the time: a few numbered events (`n`, over a fixed set of
// subjects) written straight into the outbox every few milliseconds, one transaction at a time,
// so their commit order is their order per subject. A write that fails (the database is away) is
// not retried: whether it committed is found in the outbox afterwards, as for any publisher.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Queryable } from '../../src/db/pool.ts';
import { appendEvents } from '../../src/events/outbox.ts';

export interface EventTrickle {
  /** Stops writing; resolves once the write in flight has ended. */
  stop(): Promise<{ written: number; failedWrites: number }>;
}

export function startEventTrickle(
  db: Queryable,
  options: { type: string; subjects: number; perWrite: number; everyMs: number },
): EventTrickle {
  let stopped = false;
  let written = 0;
  let failedWrites = 0;
  let n = 0;
  const loop = (async () => {
    while (!stopped) {
      const events = Array.from({ length: options.perWrite }, () => {
        const k = n++;
        return {
          type: options.type,
          source: 'urn:chaos',
          subject: `s/${k % options.subjects}`,
          data: { n: k },
        };
      });
      await appendEvents(db, events).then(
        () => {
          written += events.length;
        },
        () => {
          failedWrites += 1;
        },
      );
      await sleep(options.everyMs);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { written, failedWrites };
    },
  };
}
