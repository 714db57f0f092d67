// The id that ties a request's log lines, its response and its errors together. It is the
// trace id of an incoming W3C traceparent when there is one, so a flow can be followed across
// modules; otherwise a new one in the same format.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const traceparent = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;

export function traceIdFor(request: IncomingMessage): string {
  const header = request.headers.traceparent;
  const match = typeof header === 'string' ? traceparent.exec(header.trim()) : null;
  if (match?.[1] && !/^0+$/.test(match[1])) return match[1];
  return randomBytes(16).toString('hex');
}
