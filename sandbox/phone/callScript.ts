// What a phone system sends while a call happens, for the Placetel and sipgate imitations: a
// call is a script of events (ringing, answered, hung up) posted form-encoded to the customer's
// notification URL.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PlacedCall {
  from: string;
  to: string;
  direction: 'in' | 'out';
  /** How the call ends. */
  outcome: 'accepted' | 'missed' | 'voicemail' | 'busy';
  /** The extension or user that answers. */
  peer?: string;
  talkSeconds?: number;
}

export interface Delivery {
  event: string;
  body: string;
  status: number;
  responseBody: string;
}

export interface SendOptions {
  /** Change the body after signing, as an attacker in the middle would. */
  tamper?: boolean;
}

export function newCallId(): string {
  return randomBytes(16).toString('hex');
}

export async function postForm(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  return { status: response.status, body: await response.text() };
}

export function encodeForm(fields: [string, string][]): string {
  return new URLSearchParams(fields).toString();
}

/** A tiny admin server: `POST /__sandbox/calls {webhookUrl, from, to, direction, outcome}` places a call. */
export async function startAdminServer(
  port: number,
  placeCall: (webhookUrl: string, call: PlacedCall) => Promise<Delivery[]>,
): Promise<{ server: Server; url: string }> {
  const server = createServer(async (request, response) => {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'POST' || request.url !== '/__sandbox/calls')
      return reply(404, { error: 'not found' });
    try {
      const input = JSON.parse(await readBody(request)) as PlacedCall & { webhookUrl: string };
      reply(200, { deliveries: await placeCall(input.webhookUrl, input) });
    } catch (error) {
      reply(400, { error: (error as Error).message });
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
