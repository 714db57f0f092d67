// kill -9 of the process taking webhooks while signed webhooks pour in (HUB_ROLE=api behind which
// a worker processes them). After a restart every webhook the hub answered 2xx is stored and
// processed; those the sender never heard back about are sent again with the same id and must be
// stored once.
import { setTimeout as sleep } from 'node:timers/promises';
import { createPool, type Pool } from '../../../src/db/pool.ts';
import { orderWebhookIntegration, webhookSecret } from '../../../test/support/signedWebhooks.ts';
import type { ScenarioContext } from '../../scenario.ts';
import { startCluster, until } from '../../support/chaosHub.ts';
import { checkSyncedRecords } from '../../support/syncedRecords.ts';
import { startWebhookLoad } from '../../support/webhookLoad.ts';
import { measured, none, type ScenarioFigure, within } from './figures.ts';
import { createIntegration } from './hubRuns.ts';

/** How long the webhooks pour in before the kill. */
const LOAD_MS = 2_500;
const CONNECTIONS = 24;

export async function killDuringWebhookIntake(context: ScenarioContext): Promise<ScenarioFigure[]> {
  const cluster = await startCluster(context, 'faults-inside-webhooks');
  const db = createPool(cluster.database.url, 2);
  const secret = webhookSecret();
  context.output.plant(secret);
  try {
    await cluster.start('worker', { HUB_ROLE: 'worker' });
    const intake = await cluster.start('api-1', { HUB_ROLE: 'api' });
    const shop = await createIntegration(intake, orderWebhookIntegration(secret));
    const load = startWebhookLoad({
      url: `${intake.url}/webhooks/${shop}`,
      secret,
      connections: CONNECTIONS,
      prefix: 'K',
    });
    try {
      await sleep(LOAD_MS);
      await intake.kill();
      // The sender goes on for a moment against the dead process: refused connections.
      await sleep(300);
      await load.stop();
      const atKill = load.counts();
      const acknowledgedAtKill = load
        .messages()
        .filter((item) => item.outcome === 'acknowledged')
        .map((item) => item.message.id);
      context.progress(
        `api-1 killed after ${atKill.acknowledged} acknowledged webhooks, ${atKill.unanswered} unanswered`,
      );

      const restarted = await cluster.start('api-2', { HUB_ROLE: 'api' });
      const restartedAt = Date.now();
      await load.retryUntilAcknowledged(`${restarted.url}/webhooks/${shop}`, 60_000);
      const messages = load.messages();
      await until(
        'every webhook processed',
        async () => ((await processedCount(db, shop)) >= messages.length ? true : undefined),
        120_000,
      ).catch(() => undefined);
      const processedSeconds = (Date.now() - restartedAt) / 1000;

      const stored = await storedMessages(db, shop);
      const lost = acknowledgedAtKill.filter((id) => !stored.has(id)).length;
      const notProcessed = messages.filter(
        (item) => stored.get(item.message.id)?.state !== 'processed',
      ).length;
      const storedTwice = [...stored.values()].reduce((sum, row) => sum + row.copies - 1, 0);
      const records = await checkSyncedRecords(
        db,
        shop,
        'order',
        messages.map((item) => item.orderNo),
      );
      const counts = load.counts();
      return [
        measured('webhooks: acknowledged before the kill', atKill.acknowledged),
        measured('webhooks: unanswered at the kill (sent again after the restart)', atKill.unanswered),
        measured('webhooks: sent again and answered as already stored', counts.answeredAsRepeat),
        none('webhooks: acknowledged and lost', lost),
        none('webhooks: not processed after the restart', notProcessed),
        within('webhooks: restart to every webhook processed', processedSeconds, 60),
        none('webhooks: stored twice', storedTwice),
        none('webhooks: orders lost', records.lost),
        none('webhooks: orders duplicated', records.duplicated + records.eventsRepeated),
      ];
    } finally {
      await load.close();
    }
  } finally {
    await db.end();
    await cluster.close();
  }
}

async function processedCount(db: Pool, integrationId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM inbound_webhooks WHERE integration_id = $1 AND state = 'processed'",
    [integrationId],
  );
  return rows[0]?.n ?? 0;
}

async function storedMessages(
  db: Pool,
  integrationId: string,
): Promise<Map<string, { state: string; copies: number }>> {
  const { rows } = await db.query<{ messageId: string; state: string; copies: number }>(
    `SELECT message_id AS "messageId", min(state) AS state, count(*)::int AS copies
       FROM inbound_webhooks WHERE integration_id = $1 GROUP BY message_id`,
    [integrationId],
  );
  return new Map(rows.map((row) => [row.messageId, { state: row.state, copies: row.copies }]));
}
