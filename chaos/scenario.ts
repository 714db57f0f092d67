// What a scenario of the reliability suite is: a name, and a run that measures its figures.
// Scenarios run one after another (they share the machine's PostgreSQL and restart it), each
// with its own databases, processes and sandboxes, which it must stop before it returns.
import type { Figure } from './figures.ts';
import type { RunOutput } from './support/runOutput.ts';

export interface ScenarioContext {
  /** Where everything the run said is kept (hub logs, responses, events), for the secret scan. */
  output: RunOutput;
  /** Prints a progress line to stderr (the figures go to stdout). */
  progress(message: string): void;
}

export interface ChaosScenario {
  name: string;
  /** One line: what it does. */
  description: string;
  run(context: ScenarioContext): Promise<Omit<Figure, 'scenario'>[]>;
}
