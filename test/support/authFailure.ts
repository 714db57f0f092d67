// What refused credentials must lead to for every connector: the run fails as "auth", the
// integration waits in "error" for a person, and nothing asks the source again by itself (no
// retries, no recovery probes, no further runs).
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { TestHub } from './testHub.ts';

export interface AuthFailureOptions {
  /** The source's own count of requests, where the sandbox or server keeps one. */
  sourceRequests?: () => number | Promise<number>;
}

export async function expectWaitsForAPerson(
  hub: TestHub,
  integrationId: string,
  run: { state: string; errorKind: string | null },
  options: AuthFailureOptions = {},
): Promise<void> {
  expect(run.state).toBe('failed');
  expect(run.errorKind).toBe('auth');
  const read = await hub.request({ method: 'GET', url: `/api/v1/integrations/${integrationId}` });
  expect(read.body.status).toBe('error');
  const row = await hub.db.query(
    'SELECT needs_attention, next_probe_at FROM integration_configs WHERE id = $1',
    [integrationId],
  );
  expect(row.rows[0]).toEqual({ needs_attention: true, next_probe_at: null });

  const logged = async () => {
    await hub.hub.context.runtime.requestLog.flush();
    const result = await hub.db.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM integration_logs WHERE integration_id = $1',
      [integrationId],
    );
    return result.rows[0]?.count ?? 0;
  };
  const before = { logged: await logged(), source: await options.sourceRequests?.() };
  // Several scheduler ticks (the test hubs tick every 200 ms): a probe or retry would show.
  await sleep(1_000);
  expect(await logged()).toBe(before.logged);
  if (options.sourceRequests) expect(await options.sourceRequests()).toBe(before.source);
  const runs = await hub.db.query('SELECT 1 FROM sync_runs WHERE integration_id = $1', [integrationId]);
  expect(runs.rowCount).toBe(1);
}
