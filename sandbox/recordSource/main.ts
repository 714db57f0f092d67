// Runs the record source on its own, e.g. in a second process for a benchmark:
//   node sandbox/recordSource/main.ts --count 100000 --port 4010
import { parseArgs } from 'node:util';
import { startRecordSource } from './server.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    port: { type: 'string', default: '4010' },
    token: { type: 'string' },
    'page-size-max': { type: 'string', default: '1000' },
  },
});

const source = await startRecordSource({
  count: Number(values.count),
  seed: Number(values.seed),
  port: Number(values.port),
  pageSizeMax: Number(values['page-size-max']),
  ...(values.token ? { token: values.token } : {}),
});
process.stdout.write(`record source listening on ${source.url}\n`);
const stop = () => void source.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
