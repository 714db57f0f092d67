// An HTTP subscriber in its own process, as a CRM module would be: it answers every POST with 204
// and reports when each event arrived (epoch milliseconds, sub-millisecond precision) to the
// parent over IPC, in batches, so the relay under test keeps its process to itself. A single
// event is known by its webhook-id; a CloudEvents batch by the ids of the events it holds.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

let arrived: [string, number][] = [];
const server = createServer((incoming, response) => {
  const id = incoming.headers['webhook-id'];
  const batched = incoming.headers['content-type'] === 'application/cloudevents-batch+json';
  const chunks: Buffer[] = [];
  incoming.on('data', (chunk: Buffer) => {
    if (batched) chunks.push(chunk);
  });
  incoming.on('end', () => {
    const at = performance.timeOrigin + performance.now();
    if (batched) {
      for (const event of JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string }[])
        arrived.push([event.id, at]);
    } else if (typeof id === 'string') arrived.push([id, at]);
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
