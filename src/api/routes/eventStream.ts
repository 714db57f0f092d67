// Outbox events as server-sent events, live as they are committed: `id` is the event's position,
// so a reader that lost the connection resumes with Last-Event-ID (or `after`). The token comes
// in the Authorization header like everywhere else: browsers read this stream with fetch, never
// with a token in the URL, where proxies and histories would keep it.
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { positionBeforeLast } from '../../events/outbox.ts';
import { OutboxTail, type PositionedEvent } from '../../events/outboxTail.ts';
import { sequenceEvents } from '../../events/relay/sequencer.ts';
import type { HubContext } from '../context.ts';

const streamQuery = z.strictObject({
  after: z.coerce.number().int().min(0).optional(),
  backlog: z.coerce.number().int().min(0).max(200).default(0),
  integrationId: z.uuid('must be a UUID').optional(),
  type: z.string().min(1).max(200).optional(),
});

const HEARTBEAT_MS = 15_000;
const POLL_MS = 500;
// A reader this far behind is cut off; it comes back with Last-Event-ID and reads from there.
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export function eventStreamRoutes(app: FastifyInstance, context: HubContext): void {
  const tail = new OutboxTail(
    { pool: context.pool, databaseUrl: context.databaseUrl, logger: context.logger },
    { pollMs: POLL_MS },
  );
  const open = new Map<PassThrough, FastifyReply>();
  // Streams never end by themselves: a stopping hub ends them and closes their connections (at
  // once for a reader that stopped reading), which would otherwise hold the server open.
  app.addHook('preClose', async () => {
    await Promise.all([...open].map(([stream, reply]) => endStream(stream, reply)));
    await tail.close();
  });

  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/v1/events/stream',
    {
      config: { role: 'viewer' },
      schema: {
        tags: ['events'],
        summary:
          'Events as server-sent events, live; from `after` or Last-Event-ID, else the last `backlog` matching events, else from now. A comment every 15 s keeps the connection open',
        querystring: streamQuery,
      },
    },
    async (request, reply) => {
      const { after, backlog, integrationId, type } = request.query;
      const filter = { typePrefix: type, integrationId };
      await sequenceEvents(context.pool);
      const start =
        after ??
        lastEventId(request.headers['last-event-id']) ??
        (await positionBeforeLast(context.pool, filter, backlog));

      const stream = new PassThrough();
      open.set(stream, reply);
      stream.write(`retry: 3000\n: stream from ${start}\n\n`);
      const heartbeat = setInterval(() => stream.write(': heartbeat\n\n'), HEARTBEAT_MS);
      const unfollow = tail.follow(start, filter, (events) => {
        stream.write(events.map(toMessage).join(''));
        if (stream.writableLength > MAX_BUFFERED_BYTES) stream.end();
      });
      const stop = () => {
        clearInterval(heartbeat);
        unfollow();
        open.delete(stream);
      };
      stream.on('close', () => {
        stop();
        reply.raw.destroy();
      });
      reply.raw.on('close', () => stream.destroy());
      return reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache, no-transform')
        .header('x-accel-buffering', 'no')
        .send(stream);
    },
  );
}

function endStream(stream: PassThrough, reply: FastifyReply): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, 1_000);
    function done() {
      clearTimeout(timer);
      reply.raw.destroy();
      resolve();
    }
    reply.raw.once('finish', done);
    stream.end();
  });
}

function toMessage(event: PositionedEvent): string {
  return `id: ${event.position}\ndata: ${JSON.stringify(event)}\n\n`;
}

function lastEventId(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value || !/^\d{1,15}$/.test(value.trim())) return undefined;
  return Number.parseInt(value, 10);
}
