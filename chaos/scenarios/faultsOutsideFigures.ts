// The figures of the faults-outside scenario: how the scheduled runs fared, how fast each
// integration recovered after its system came back, and what the record check found.
import type pg from 'pg';
import type { Figure } from '../figures.ts';
import type { ChaosHub } from '../support/chaosHub.ts';
import { auditEvents } from '../support/eventAudit.ts';
import { auditRecords, type RecordAudit } from '../support/recordAudit.ts';
import { finishedStates, type LedgerRun, overlaps, readRuns, requestsOfRun } from '../support/runLedger.ts';
import type { ChaosSystem } from '../support/systems/index.ts';

export interface Tested {
  system: ChaosSystem;
  integrationId: string;
  /** Ids the suite deleted at the source. */
  deleted: Set<string>;
  changes: { create: number; update: number; delete: number };
}

export interface Outage {
  integrationId: string;
  system: string;
  how: string;
  from: Date;
  /** When the sandbox was healthy again. */
  to: Date;
  /** When the integration's status was seen `active` again. */
  activeAt: Date | undefined;
}

type Audits = Map<Tested, RecordAudit>;
type Row = Omit<Figure, 'scenario'>;

async function audit(hub: ChaosHub, tested: Tested[]): Promise<Audits> {
  const audits: Audits = new Map();
  for (const item of tested) audits.set(item, await auditRecords(hub, item.integrationId, item.system));
  return audits;
}

interface FigureInput {
  db: pg.Pool;
  tested: Tested[];
  startedAt: Date;
  healedAt: Date;
  outages: Outage[];
  tokenExpiries: number;
  incremental: Audits;
  afterFullPass: Audits;
}

async function figures(input: FigureInput): Promise<Row[]> {
  const { db, tested, outages } = input;
  const runs = await readRuns(
    db,
    tested.map((item) => item.integrationId),
    input.startedAt,
  );
  return [
    ...(await runFigures(db, runs, input)),
    ...recoveryFigures(runs, outages),
    ...(await recordFigures(db, input)),
    ...(await counterFigures(input)),
  ];
}

async function runFigures(db: pg.Pool, runs: LedgerRun[], input: FigureInput): Promise<Row[]> {
  const scheduled = runs.filter(
    (run) => run.trigger === 'schedule' && run.queuedAt >= input.startedAt && run.queuedAt < input.healedAt,
  );
  const duringOutage = scheduled.filter((run) => input.outages.some((outage) => overlaps(run, outage)));
  const underFaults = scheduled.filter((run) => !duringOutage.includes(run) && finishedStates.has(run.state));
  const succeeded = underFaults.filter((run) => run.state === 'succeeded');
  const rescued = succeeded.filter((run) => run.failedRequests > 0);
  const rate = underFaults.length === 0 ? 0 : (100 * succeeded.length) / underFaults.length;
  const stuck = runs.filter(
    (run) => !finishedStates.has(run.state) && Date.now() - run.queuedAt.getTime() > 120_000,
  );
  for (const run of underFaults.filter((candidate) => candidate.state !== 'succeeded')) {
    const requests = await requestsOfRun(db, run.id);
    process.stderr.write(`  run ${run.id} ${run.state}: ${run.error}\n    ${requests.join('\n    ')}\n`);
  }
  return [
    { figure: 'scheduled runs under 20 % faults (outside outages)', value: underFaults.length, unit: 'runs' },
    {
      figure: 'scheduled runs succeeded (retries within the run count)',
      value: Number(rate.toFixed(2)),
      unit: '%',
      goal: '>= 99.5 %',
      pass: underFaults.length > 0 && rate >= 99.5,
    },
    { figure: 'succeeded runs that met failed requests and retried', value: rescued.length, unit: 'runs' },
    {
      figure: 'scheduled runs overlapping an outage of their system (not counted above), failed',
      value: `${duringOutage.filter((run) => run.state !== 'succeeded').length} of ${duringOutage.length}`,
    },
    {
      figure: 'runs left unfinished (over 2 min old)',
      value: stuck.length,
      unit: 'runs',
      goal: '0',
      pass: stuck.length === 0,
    },
  ];
}

function recoveryFigures(runs: LedgerRun[], outages: Outage[]): Row[] {
  return outages.flatMap((outage) => {
    const good = runs
      .filter(
        (run) =>
          run.integrationId === outage.integrationId &&
          run.state === 'succeeded' &&
          run.finishedAt !== null &&
          run.finishedAt > outage.to,
      )
      .sort((a, b) => (a.finishedAt?.getTime() ?? 0) - (b.finishedAt?.getTime() ?? 0))[0];
    const seconds = good?.finishedAt ? (good.finishedAt.getTime() - outage.to.getTime()) / 1000 : undefined;
    const active = outage.activeAt ? (outage.activeAt.getTime() - outage.to.getTime()) / 1000 : undefined;
    return [
      {
        figure: `${outage.system} back (${outage.how}, 30 s) → first good run`,
        value: seconds === undefined ? 'never' : Number(seconds.toFixed(1)),
        unit: seconds === undefined ? undefined : 's',
        goal: '< 60 s',
        pass: seconds !== undefined && seconds < 60,
      },
      {
        figure: `${outage.system} back → integration active`,
        value: active === undefined ? 'never' : Number(Math.max(0, active).toFixed(1)),
        unit: active === undefined ? undefined : 's',
        goal: '< 60 s',
        pass: active !== undefined && active < 60,
      },
    ];
  });
}

async function recordFigures(db: pg.Pool, input: FigureInput): Promise<Row[]> {
  let lost = 0;
  let notDeleted = 0;
  let duplicated = 0;
  let wronglyDeleted = 0;
  let held = 0;
  for (const item of input.tested) {
    const before = input.incremental.get(item) as RecordAudit;
    const after = input.afterFullPass.get(item) as RecordAudit;
    const events = await auditEvents(db, item.integrationId, item.deleted);
    const lostIds = new Set([...before.missing, ...before.stale, ...after.missing, ...after.stale]);
    const staleDeletes = new Set([
      ...(item.system.deletions === 'feed' ? before.notDeleted : []),
      ...after.notDeleted,
    ]);
    const twice = new Set([...events.duplicated, ...before.listedTwice, ...after.listedTwice]);
    held += after.held;
    lost += lostIds.size;
    notDeleted += staleDeletes.size;
    duplicated += twice.size;
    wronglyDeleted += events.wronglyDeleted.length;
    const found = {
      lost: [...lostIds],
      notDeleted: [...staleDeletes],
      twice: [...twice],
      wronglyDeleted: events.wronglyDeleted,
    };
    if (Object.values(found).some((ids) => ids.length > 0)) {
      process.stderr.write(`  ${item.system.name}: ${JSON.stringify(found).slice(0, 600)}\n`);
    }
  }
  const changes = input.tested.reduce(
    (sum, item) => ({
      create: sum.create + item.changes.create,
      update: sum.update + item.changes.update,
      delete: sum.delete + item.changes.delete,
    }),
    { create: 0, update: 0, delete: 0 },
  );
  return [
    {
      figure: 'changes made at the sources during the run',
      value: `${changes.create} creates, ${changes.update} updates, ${changes.delete} deletes`,
    },
    { figure: 'records the sandboxes hold at the end', value: held, unit: 'records' },
    {
      figure: 'records lost (missing or stale content)',
      value: lost,
      unit: 'records',
      goal: '0',
      pass: lost === 0,
    },
    {
      figure: 'records duplicated (listed or announced twice)',
      value: duplicated,
      unit: 'records',
      goal: '0',
      pass: duplicated === 0,
    },
    {
      figure: 'deleted at the source, still live in the hub',
      value: notDeleted,
      unit: 'records',
      goal: '0',
      pass: notDeleted === 0,
    },
    {
      figure: 'records the hub deleted that the source never deleted',
      value: wronglyDeleted,
      unit: 'records',
      goal: '0',
      pass: wronglyDeleted === 0,
    },
  ];
}

async function counterFigures(input: FigureInput): Promise<Row[]> {
  let requests = 0;
  const faults: Record<string, number> = {};
  for (const item of input.tested) {
    const counters = await item.system.counters();
    requests += counters.requests;
    for (const [kind, count] of Object.entries(counters.faultsInjected))
      faults[kind] = (faults[kind] ?? 0) + count;
  }
  const injected = Object.values(faults).reduce((sum, count) => sum + count, 0);
  return [
    { figure: 'requests the sandboxes answered', value: requests, unit: 'requests' },
    {
      figure: 'faults injected (outage 503s included)',
      value: `${injected}: ${Object.entries(faults)
        .map(([kind, count]) => `${kind} ${count}`)
        .join(', ')}`,
    },
    { figure: 'access tokens expired (OAuth systems)', value: input.tokenExpiries, unit: 'times' },
  ];
}

export const summarise = { audit, figures };
