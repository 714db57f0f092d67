// Faults inside: kill -9 of a hub process during a sync, during webhook intake and during event
// delivery, then the machine's PostgreSQL restarted under load. Each part runs on its own
// database with its own processes; together they take about three minutes.
import type { ChaosScenario } from '../scenario.ts';
import { ensurePostgresRunning } from '../support/postgresServer.ts';
import type { ScenarioFigure } from './faultsInside/figures.ts';
import { killDuringDelivery } from './faultsInside/killDuringDelivery.ts';
import { killDuringSync } from './faultsInside/killDuringSync.ts';
import { killDuringWebhookIntake } from './faultsInside/killDuringWebhookIntake.ts';
import { restartPostgresUnderLoad } from './faultsInside/restartPostgresUnderLoad.ts';

const parts = [
  { name: 'kill -9 during a sync', run: killDuringSync },
  { name: 'kill -9 during webhook intake', run: killDuringWebhookIntake },
  { name: 'kill -9 during event delivery', run: killDuringDelivery },
  { name: 'PostgreSQL restarted under load', run: restartPostgresUnderLoad },
];

export const faultsInside: ChaosScenario = {
  name: 'faults-inside',
  description: 'kill -9 during a sync, webhook intake and event delivery; PostgreSQL restarted under load',
  async run(context) {
    const figures: ScenarioFigure[] = [];
    for (const part of parts) {
      context.progress(part.name);
      try {
        figures.push(...(await part.run(context)));
      } catch (error) {
        // One part failing leaves the others their say; the table shows which one did.
        context.progress(`${part.name} failed: ${(error as Error).stack ?? error}`);
        figures.push({ figure: `${part.name}: completed`, value: 'no', goal: 'yes', pass: false });
        await ensurePostgresRunning();
      }
    }
    return figures;
  },
};
