// An HTTP subscriber registered through a chaos hub's API; the signing secret the hub hands out
// once is planted for the secret scan.
import type { ScenarioContext } from '../scenario.ts';
import type { ChaosHub } from './chaosHub.ts';

export async function subscribe(
  context: ScenarioContext,
  hub: ChaosHub,
  subscription: { types: string[]; url: string; retrySchedule?: number[] },
): Promise<string> {
  const created = await hub.api(
    'POST',
    '/api/v1/subscriptions',
    {
      name: `chaos ${subscription.types.join(' ')}`,
      kind: 'http',
      // Quick retries, so a failed attempt during a fault is tried again within the scenario.
      retrySchedule: subscription.retrySchedule ?? [1, 1, 2, 2, 5, 5, 10],
      types: subscription.types,
      url: subscription.url,
    },
    undefined,
    { shownOnce: true },
  );
  if (created.status !== 201) throw new Error(`subscription not created: ${created.status} ${created.text}`);
  const secret = created.body.secret as string | undefined;
  if (secret) context.output.plant(secret);
  return created.body.id as string;
}
