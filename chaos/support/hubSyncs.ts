// Integrations and runs through a chaos hub's API: create one, start a run, wait for a run or
// for an integration's next good run.
import type { ChaosHub } from './chaosHub.ts';
import { until } from './chaosHub.ts';

export async function createIntegration(hub: ChaosHub, body: Record<string, unknown>): Promise<string> {
  const created = await hub.api('POST', '/api/v1/integrations', body);
  if (created.status !== 201)
    throw new Error(`integration ${String(body.name)} not created: ${created.text}`);
  return created.body.id as string;
}

// biome-ignore lint/suspicious/noExplicitAny: runs as the API returns them
export type ApiRun = any;

/** Starts a run; an unfinished run is returned instead, as the API does. */
export async function startSync(hub: ChaosHub, integrationId: string, body: Record<string, unknown> = {}) {
  const started = await hub.api('POST', `/api/v1/integrations/${integrationId}/sync`, body);
  if (started.status !== 202) throw new Error(`sync not started: ${started.status} ${started.text}`);
  return started.body as ApiRun;
}

export const finished = (run: ApiRun) => ['succeeded', 'partial', 'failed'].includes(run?.state);

export async function waitForRun(hub: ChaosHub, runId: string, timeoutMs: number): Promise<ApiRun> {
  return until(
    `run ${runId} to finish`,
    async () => {
      const read = await hub.api('GET', `/api/v1/sync-runs/${runId}`);
      return finished(read.body) ? read.body : undefined;
    },
    timeoutMs,
  );
}

/** Runs a full pass to its end, waiting out whatever run was unfinished first. */
export async function fullSync(hub: ChaosHub, integrationId: string, timeoutMs: number): Promise<ApiRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await startSync(hub, integrationId, { full: true });
    const done = await waitForRun(hub, run.id, Math.max(1_000, deadline - Date.now()));
    if (run.mode === 'full') return done;
  }
}

/** The integration's first run queued after `after` that succeeded. */
export async function nextGoodRun(
  hub: ChaosHub,
  integrationId: string,
  after: Date,
  timeoutMs: number,
): Promise<ApiRun> {
  return until(
    `a good run of ${integrationId} after ${after.toISOString()}`,
    async () => {
      const runs = await hub.api('GET', `/api/v1/integrations/${integrationId}/sync-runs?limit=20`);
      return (runs.body.items as ApiRun[]).find(
        (run) => run.state === 'succeeded' && Date.parse(run.queuedAt) > after.getTime(),
      );
    },
    timeoutMs,
  );
}

/** An integration's status and its latest runs in a few lines, for a scenario that got stuck. */
export async function describeIntegration(hub: ChaosHub, integrationId: string): Promise<string> {
  const integration = await hub.api('GET', `/api/v1/integrations/${integrationId}`);
  const runs = await hub.api('GET', `/api/v1/integrations/${integrationId}/sync-runs?limit=3`);
  const latest = ((runs.body?.items ?? []) as ApiRun[]).map(
    (run) => `${run.trigger} ${run.state} queued ${run.queuedAt}${run.error ? `: ${run.error}` : ''}`,
  );
  return `${integration.body?.name}: ${integration.body?.status} (${integration.body?.statusReason ?? 'no reason'}); ${latest.join(' | ')}`;
}
