// The figures of the scale-out scenario that need some arithmetic: scheduled runs per due slot
// of a cron schedule, and the throughput factor of two workers against one.
import type { Figure } from '../figures.ts';

type Row = Omit<Figure, 'scenario'>;

/**
 * Runs per slot of a schedule that fires every `slotMs`, from each integration's first run to the
 * end. A slot started twice is a schedule that fired twice. A slot without a run is either one the
 * scheduler skipped on purpose (the integration's run before was still unfinished: never two at
 * once) or one it missed.
 */
export function scheduleFigures(
  runs: { integrationId: string; queuedAt: Date; finishedAt: Date | null }[],
  integrationIds: string[],
  endedAt: Date,
  slotMs: number,
): Row[] {
  let due = 0;
  let started = 0;
  let twice = 0;
  let busy = 0;
  let missed = 0;
  // The slot in progress at the end is left out: its run may not be queued yet.
  const lastSlot = Math.floor(endedAt.getTime() / slotMs) - 1;
  for (const id of integrationIds) {
    const own = runs.filter((candidate) => candidate.integrationId === id);
    const slots = new Map<number, number>();
    for (const run of own) {
      const slot = Math.floor(run.queuedAt.getTime() / slotMs);
      if (slot <= lastSlot) slots.set(slot, (slots.get(slot) ?? 0) + 1);
    }
    if (slots.size === 0) continue;
    for (let slot = Math.min(...slots.keys()); slot <= lastSlot; slot++) {
      due += 1;
      const count = slots.get(slot) ?? 0;
      started += count;
      if (count > 1) twice += 1;
      if (count > 0) continue;
      const at = slot * slotMs;
      const running = own.some(
        (run) => run.queuedAt.getTime() <= at && (run.finishedAt?.getTime() ?? at) >= at,
      );
      if (running) busy += 1;
      else missed += 1;
    }
  }
  return [
    {
      figure: `due schedule slots (${integrationIds.length} integrations every ${slotMs / 1000} s, two workers ticking)`,
      value: due,
      unit: 'slots',
    },
    {
      figure: 'runs started per due slot that had no run still unfinished',
      value: due - busy === 0 ? 0 : Number((started / (due - busy)).toFixed(2)),
      goal: '1',
      pass: twice === 0 && missed === 0 && started > 0,
    },
    { figure: 'slots started twice or more', value: twice, unit: 'slots', goal: '0', pass: twice === 0 },
    { figure: 'slots skipped: the run before was still unfinished', value: busy, unit: 'slots' },
    { figure: 'slots missed otherwise', value: missed, unit: 'slots', goal: '0', pass: missed === 0 },
  ];
}

/** One round of the throughput measurement. */
export interface Round {
  records: number;
  seconds: number;
  /** Runs each worker finished. */
  split: number[];
}

export function throughputFigures(one: Round[], two: Round[], integrations: number): Row[] {
  const rate = (rounds: Round[]) =>
    rounds.reduce((sum, round) => sum + round.records, 0) /
    rounds.reduce((sum, round) => sum + round.seconds, 0);
  const records = one[0]?.records ?? 0;
  return [
    {
      figure: `records/s, ${integrations} full syncs at once (${records.toLocaleString('en-US')} records), one worker, ${one.length} rounds`,
      value: Math.round(rate(one)),
      unit: 'records/s',
    },
    {
      figure: `records/s, the same with two workers, ${two.length} rounds (a run is not split across workers: the syncs are)`,
      value: Math.round(rate(two)),
      unit: 'records/s',
    },
    {
      figure: 'runs each worker took in the two-worker rounds',
      value: two.map((round) => round.split.join(' + ')).join(', '),
    },
    {
      figure: 'factor, two workers against one',
      value: Number((rate(two) / rate(one)).toFixed(2)),
      unit: '×',
    },
  ];
}
