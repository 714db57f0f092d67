// `npm run bench`: every benchmark prints JSON lines, each figure beside a ceiling measured in
// the same run on the same machine, and the ratio between them. `npm run bench -- sync` runs
// only the benchmarks whose names are given.
import { apiReadBenchmark } from './apiRead.bench.ts';
import { outboxRelayBenchmark } from './outboxRelay.bench.ts';
import { syncBenchmark } from './sync.bench.ts';
import { vaultBenchmark } from './vault.bench.ts';
import { webhookIntakeBenchmark } from './webhookIntake.bench.ts';

const benchmarks = {
  vault: vaultBenchmark,
  'api-read': apiReadBenchmark,
  sync: syncBenchmark,
  'webhook-intake': webhookIntakeBenchmark,
  'outbox-relay': outboxRelayBenchmark,
};
const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !(name in benchmarks));
if (unknown.length > 0) {
  process.stderr.write(
    `unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}\n`,
  );
  process.exit(2);
}

for (const [name, benchmark] of Object.entries(benchmarks)) {
  if (chosen.length > 0 && !chosen.includes(name)) continue;
  for (const line of await benchmark()) process.stdout.write(`${JSON.stringify(line)}\n`);
}
