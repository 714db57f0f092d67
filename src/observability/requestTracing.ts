// A span for every HTTP request, continuing the caller's W3C trace when it sent a traceparent.
// Its trace id is the request id, which ties the request's log lines, its response (x-trace-id)
// and its errors together; the handler runs inside the span, so what it writes carries it on.
import type { IncomingMessage } from 'node:http';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Span, SpanKind, SpanStatusCode, startSpan, withSpan } from './tracing.ts';

const spans = new WeakMap<IncomingMessage, Span>();

/** fastify's genReqId: starts the request's span and answers its trace id. */
export function startRequestSpan(request: IncomingMessage): string {
  const method = request.method ?? 'GET';
  const span = startSpan(method, {
    kind: SpanKind.SERVER,
    parent: { traceparent: header(request, 'traceparent'), tracestate: header(request, 'tracestate') },
    attributes: {
      [ATTR_HTTP_REQUEST_METHOD]: method,
      // The path only: a query string may carry codes and states (the OAuth callback).
      [ATTR_URL_PATH]: (request.url ?? '/').split('?')[0],
    },
  });
  spans.set(request, span);
  return span.spanContext().traceId;
}

export function registerRequestTracing(app: FastifyInstance): void {
  // The handler is called from this hook's callback, after the body was read: the span is the
  // current one for the handler and everything it awaits.
  app.addHook('preHandler', (request, _reply, done) => {
    const span = spans.get(request.raw);
    if (span) withSpan(span, done);
    else done();
  });
  app.addHook('onResponse', async (request, reply) => {
    endRequestSpan(request, reply.statusCode);
  });
  app.addHook('onRequestAbort', async (request) => {
    endRequestSpan(request, undefined);
  });
}

function endRequestSpan(request: FastifyRequest, status: number | undefined): void {
  const span = spans.get(request.raw);
  if (!span) return;
  spans.delete(request.raw);
  const route = request.routeOptions.url;
  if (route) {
    span.updateName(`${request.method} ${route}`);
    span.setAttribute(ATTR_HTTP_ROUTE, route);
  }
  if (status === undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: 'aborted' });
  else {
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}
