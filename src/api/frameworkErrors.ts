// Requests refused before they reach a route, answered as problem+json like every other error:
// URLs the router cannot decode or whose parameters are too long (fastify's frameworkErrors), and
// what Node's HTTP parser refuses outright (headers too large, malformed requests, timeouts), for
// which only the raw socket is left.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { HubError } from '../errors.ts';
import { sendProblem } from './problem.ts';

export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  void sendProblem(
    reply,
    new HubError(
      'validation',
      tooLong ? 'PARAMETER_TOO_LONG' : 'BAD_URL',
      tooLong
        ? 'path: a parameter is longer than this hub accepts'
        : 'path: not a valid URL (bad percent-encoding)',
      {
        status: tooLong ? 414 : 400,
        fields: [{ field: 'path', message: tooLong ? 'is too long' : 'is not a valid URL' }],
      },
    ),
  );
}

const clientErrors: Record<string, { status: number; title: string; code: string; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    title: 'Request Header Fields Too Large',
    code: 'HEADERS_TOO_LARGE',
    detail: 'headers: larger than this hub accepts',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    title: 'Request Timeout',
    code: 'REQUEST_TIMEOUT',
    detail: 'the request did not arrive in time',
  },
};

/** Node's `clientError`: the request could not even be parsed, so the answer is written to the socket. */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = clientErrors[error.code ?? ''] ?? {
    status: 400,
    title: 'Bad Request',
    code: 'MALFORMED_REQUEST',
    detail: 'the request is not valid HTTP',
  };
  const body = JSON.stringify({
    type: `urn:integration-hub:problem:${known.code.toLowerCase().replaceAll('_', '-')}`,
    title: known.title,
    status: known.status,
    detail: known.detail,
    code: known.code,
    traceId: randomBytes(16).toString('hex'),
  });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${known.status} ${known.title}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/problem+json\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
