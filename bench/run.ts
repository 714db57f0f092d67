// `npm run bench`: every benchmark prints JSON lines, each figure beside a ceiling measured in
// the same run on the same machine, and the ratio between them.
import { apiReadBenchmark } from './apiRead.bench.ts';
import { syncBenchmark } from './sync.bench.ts';
import { vaultBenchmark } from './vault.bench.ts';

const benchmarks = [vaultBenchmark, apiReadBenchmark, syncBenchmark];

for (const benchmark of benchmarks) {
  for (const line of await benchmark()) process.stdout.write(`${JSON.stringify(line)}\n`);
}
