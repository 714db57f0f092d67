// Fuzzed requests over real HTTP to a hub process, and the requests only a socket can send:
// headers past Node's limit, bytes that are not HTTP, chunked bodies larger than the hub takes.
import net from 'node:net';
import { request } from 'undici';
import type { FuzzRequest, RawResponse, SendRaw } from './fuzzCheck.ts';

/** Sends a fuzz case with undici; a request undici itself refuses to send is reported as status 0. */
export function httpSender(baseUrl: string): SendRaw {
  return async (fuzz) => {
    try {
      const answer = await request(`${baseUrl}${fuzz.url}`, {
        method: fuzz.method as 'GET',
        headers: fuzz.headers,
        ...(fuzz.body === undefined ? {} : { body: fuzz.body }),
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
      return { status: answer.statusCode, headers: answer.headers, text: await answer.body.text() };
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      // undici validates methods and headers before anything leaves: nothing was asked of the hub.
      if (code === 'UND_ERR_INVALID_ARG' || error instanceof TypeError)
        return { status: 0, headers: {}, text: '' };
      // The hub may answer (413, 415) and close before the body is all sent; undici then has no
      // answer to show. A socket keeps reading what came back.
      if (
        (code === 'EPIPE' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') &&
        fuzz.body !== undefined
      ) {
        return sendOverSocket(baseUrl, rawRequest(fuzz));
      }
      throw error;
    }
  };
}

/** A fuzz case as the bytes of an HTTP/1.1 request. */
export function rawRequest(fuzz: FuzzRequest): Buffer {
  const body = fuzz.body === undefined ? Buffer.alloc(0) : Buffer.from(fuzz.body);
  const headers = Object.entries(fuzz.headers)
    .filter(([name]) => name.toLowerCase() !== 'content-length')
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return Buffer.concat([
    Buffer.from(
      `${fuzz.method} ${fuzz.url} HTTP/1.1\r\nHost: hub\r\n${headers}Content-Length: ${body.length}\r\n\r\n`,
      'latin1',
    ),
    body,
  ]);
}

export interface SocketCase {
  label: string;
  /** The bytes sent, as they are. */
  bytes: (limits: { bodyLimit: number }) => Buffer;
  expectStatus: number;
}

export const socketCases: SocketCase[] = [
  {
    label: 'headers larger than Node accepts',
    bytes: () =>
      Buffer.from(`GET /api/v1/connectors HTTP/1.1\r\nHost: hub\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
    expectStatus: 431,
  },
  {
    label: 'a request line that is not HTTP',
    bytes: () => Buffer.from('\u0000\u0001GARBAGE / HTTP/9.9\r\n\r\n'),
    expectStatus: 400,
  },
  {
    label: 'a NUL in a header',
    bytes: () => Buffer.from('GET /healthz HTTP/1.1\r\nHost: hub\r\nX-A: a\u0000b\r\n\r\n'),
    expectStatus: 400,
  },
  {
    label: 'a chunked body larger than HUB_BODY_LIMIT',
    bytes: ({ bodyLimit }) => {
      const chunk = 'x'.repeat(16_384);
      const chunks = Math.ceil((bodyLimit + 1) / chunk.length) + 1;
      const body = Array.from({ length: chunks }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join(
        '',
      );
      return Buffer.from(
        `POST /api/v1/events HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${body}0\r\n\r\n`,
      );
    },
    expectStatus: 413,
  },
  {
    label: 'Content-Length and Transfer-Encoding both (request smuggling)',
    bytes: () =>
      Buffer.from(
        'POST /api/v1/events HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      ),
    expectStatus: 400,
  },
];

/**
 * Writes the bytes to a fresh connection and reads the answer's status and body. The connection
 * stays open for writing until the answer is complete: a client that half-closes at once is
 * dropped by Node's server without an answer.
 */
export function sendOverSocket(baseUrl: string, bytes: Buffer, authorization?: string): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const payload = authorization
    ? Buffer.from(
        bytes.toString('latin1').replace('\r\n', `\r\nAuthorization: ${authorization}\r\n`),
        'latin1',
      )
    : bytes;
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(parseAnswer(received));
    };
    socket.setTimeout(15_000, finish);
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (answerComplete(received)) finish();
    });
    socket.on('error', (error) => {
      const code = (error as { code?: string }).code;
      // The server may close right after answering, while we are still writing.
      if (code === 'EPIPE' || code === 'ECONNRESET') return;
      if (!settled) reject(error);
    });
    socket.on('close', finish);
    socket.write(payload);
  });
}

function answerComplete(received: Buffer): boolean {
  const end = received.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(received.subarray(0, end).toString('latin1'))?.[1];
  return length !== undefined && received.length >= end + 4 + Number(length);
}

function parseAnswer(received: Buffer): RawResponse {
  const text = received.toString('utf8');
  const [head = '', ...rest] = text.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n').slice(1)) {
    const at = line.indexOf(':');
    if (at > 0) headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
  }
  return { status, headers, text: rest.join('\r\n\r\n') };
}
