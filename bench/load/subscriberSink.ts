// An HTTP subscriber in its own process, as a CRM module would be: it answers every POST with 204
// and reports when each webhook-id arrived (epoch milliseconds, sub-millisecond precision) to the
// parent over IPC, in batches, so the relay under test keeps its process to itself.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

let arrived: [string, number][] = [];
const server = createServer((incoming, response) => {
  const id = incoming.headers['webhook-id'];
  incoming.resume();
  incoming.on('end', () => {
    if (typeof id === 'string') arrived.push([id, performance.timeOrigin + performance.now()]);
    response.writeHead(204).end();
  });
});
server.keepAliveTimeout = 60_000;

setInterval(() => {
  if (arrived.length === 0) return;
  process.send?.({ arrived });
  arrived = [];
}, 10).unref();

process.on('disconnect', () => process.exit(0));
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
