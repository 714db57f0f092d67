// A load generator in its own process (autocannon), so the server under test keeps its cores.
// Reads its task as JSON from argv[2]; prints the result as one JSON line. For webhooks it
// signs every request ahead (Standard Webhooks, a fresh message id each), before the clock runs.
import autocannon from 'autocannon';
import { Webhook } from 'standardwebhooks';

interface Task {
  url: string;
  method: 'GET' | 'POST';
  seconds: number;
  connections: number;
  /** Sign each request per Standard Webhooks with this secret. */
  secret?: string;
}

const task = JSON.parse(process.argv[2] ?? '{}') as Task;
const prepared: { headers: Record<string, string>; body: string }[] = [];
if (task.secret) {
  const signer = new Webhook(task.secret);
  const count = Math.max(20_000, task.seconds * 12_000);
  const now = new Date();
  for (let n = 0; n < count; n += 1) {
    const id = `msg_${process.pid}_${n}`;
    const body = JSON.stringify({
      type: 'order.changed',
      data: [
        {
          orderNo: `B-${n}`,
          customer: 'Kantine Werk 2, Stuttgart',
          total: 129.9 + (n % 50),
          status: 'offen',
        },
      ],
    });
    prepared.push({
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': signer.sign(id, now, body),
      },
    });
  }
}

let next = 0;
const result = await autocannon({
  url: task.url,
  method: task.method,
  connections: task.connections,
  duration: task.seconds,
  ...(prepared.length
    ? {
        requests: [
          {
            method: task.method,
            setupRequest: (request: autocannon.Request) => {
              const message = prepared[next++ % prepared.length];
              return { ...request, headers: message?.headers, body: message?.body };
            },
          },
        ],
      }
    : {}),
});
process.stdout.write(
  `${JSON.stringify({
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    total: result.requests.total,
  })}\n`,
);
