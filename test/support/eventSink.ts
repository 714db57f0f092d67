// A subscriber endpoint for tests: an HTTP server that records every delivery (headers, body,
// arrival) and answers with whatever the test decides, e.g. 503 while "down".
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedDelivery {
  headers: IncomingHttpHeaders;
  body: string;
  event: {
    id: string;
    type: string;
    subject?: string;
    data: Record<string, unknown>;
    [key: string]: unknown;
  };
  at: number;
}

export interface EventSink {
  url: string;
  received: ReceivedDelivery[];
  /** What the next request is answered with; default 204. */
  answer: (delivery: ReceivedDelivery) => {
    status: number;
    headers?: Record<string, string>;
    delayMs?: number;
  };
  close(): Promise<void>;
}

export async function startEventSink(): Promise<EventSink> {
  const sink: EventSink = {
    url: '',
    received: [],
    answer: () => ({ status: 204 }),
    close: async () => {},
  };
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const delivery: ReceivedDelivery = {
      headers: request.headers,
      body,
      event: JSON.parse(body),
      at: Date.now(),
    };
    const answer = sink.answer(delivery);
    if (answer.status >= 200 && answer.status < 300) sink.received.push(delivery);
    if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    response.writeHead(answer.status, answer.headers ?? {});
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  sink.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return sink;
}

export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = 'condition',
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
