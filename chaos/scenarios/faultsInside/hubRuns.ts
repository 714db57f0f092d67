// Integrations and sync runs through a chaos hub's API, as the faults-inside parts need them.
import { type ChaosHub, until } from '../../support/chaosHub.ts';

export async function createIntegration(hub: ChaosHub, body: Record<string, unknown>): Promise<string> {
  const created = await hub.api('POST', '/api/v1/integrations', body);
  if (created.status !== 201) throw new Error(`integration not created: ${created.status} ${created.text}`);
  return created.body.id as string;
}

// biome-ignore lint/suspicious/noExplicitAny: runs as the API returns them
export type ApiRun = any;

export async function startSync(hub: ChaosHub, integrationId: string, body: Record<string, unknown>) {
  const started = await hub.api('POST', `/api/v1/integrations/${integrationId}/sync`, body);
  if (started.status !== 202) throw new Error(`sync not started: ${started.status} ${started.text}`);
  return started.body as ApiRun;
}

export function waitForRun(hub: ChaosHub, runId: string, timeoutMs: number): Promise<ApiRun> {
  return until(
    `run ${runId} to finish`,
    async () => {
      const read = await hub.api('GET', `/api/v1/sync-runs/${runId}`);
      return ['succeeded', 'partial', 'failed'].includes(read.body?.state) ? read.body : undefined;
    },
    timeoutMs,
  );
}
