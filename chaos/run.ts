// `npm run chaos`: the reliability suite. Runs each scenario in turn (`npm run chaos -- <name> …`
// runs only those), prints every figure as a JSON line on stdout as it is measured, and ends with
// one table of them all; the same lines go to test-output/chaos/<run>/figures.jsonl (each run its
// own folder, so two runs at once keep their output apart). Exits 1 when a
// figure missed its goal or a scenario failed.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Figure, formatTable } from './figures.ts';
import type { ChaosScenario } from './scenario.ts';
import { scenarios } from './scenarios/index.ts';
import { RunOutput } from './support/runOutput.ts';

const root = path.resolve(import.meta.dirname, '..');
const outputDirectory = path.join(
  root,
  'test-output/chaos',
  `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`,
);

const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !scenarios.some((scenario) => scenario.name === name));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown scenario ${unknown.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}\n`,
  );
  process.exit(2);
}

mkdirSync(outputDirectory, { recursive: true });
const output = new RunOutput(path.join(outputDirectory, 'output'));
const figures: Figure[] = [];
const started = Date.now();

const progress = (scenario: ChaosScenario) => (message: string) =>
  process.stderr.write(`[${elapsed()}] ${scenario.name}: ${message}\n`);

for (const scenario of scenarios) {
  if (chosen.length > 0 && !chosen.includes(scenario.name)) continue;
  progress(scenario)(scenario.description);
  const scenarioStarted = Date.now();
  try {
    for (const figure of await scenario.run({ output, progress: progress(scenario) })) {
      report({ scenario: scenario.name, ...figure });
    }
  } catch (error) {
    process.stderr.write(`${scenario.name} failed: ${(error as Error).stack ?? error}\n`);
    report({ scenario: scenario.name, figure: 'scenario completed', value: 'no', goal: 'yes', pass: false });
  }
  report({
    scenario: scenario.name,
    figure: 'duration',
    value: Math.round((Date.now() - scenarioStarted) / 1000),
    unit: 's',
  });
}
report({
  scenario: 'all',
  figure: 'duration',
  value: Math.round((Date.now() - started) / 1000),
  unit: 's',
  goal: '< 900 s',
  pass: Date.now() - started < 900_000,
});

writeFileSync(
  path.join(outputDirectory, 'figures.jsonl'),
  `${figures.map((f) => JSON.stringify(f)).join('\n')}\n`,
);
process.stdout.write(
  `\n${formatTable(figures)}\n\nfigures and the run's output: ${path.relative(root, outputDirectory)}\n`,
);
const missed = figures.filter((figure) => figure.pass === false);
if (missed.length > 0) {
  process.stderr.write(`${missed.length} figure(s) missed their goal\n`);
  process.exit(1);
}
// Hubs, sandboxes and pools a scenario left open would keep the process alive.
process.exit(0);

function report(figure: Figure): void {
  figures.push(figure);
  process.stdout.write(`${JSON.stringify(figure)}\n`);
}

function elapsed(): string {
  const seconds = Math.round((Date.now() - started) / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
