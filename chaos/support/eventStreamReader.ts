// A live reader of the hub's event stream (GET /api/v1/events/stream, server-sent events), as the
// dashboard reads it: it keeps the ids of the events it was sent, and when the stream breaks it
// comes back with Last-Event-ID after the stream's `retry` pause, as a browser's EventSource does.
import { setTimeout as sleep } from 'node:timers/promises';
import { createParser } from 'eventsource-parser';

export interface EventStreamReader {
  /** Ids of the events read, in arrival order. */
  ids: string[];
  /** How often the stream broke and was opened again. */
  reconnects: number;
  close(): Promise<void>;
}

export function readEventStream(url: string, token: string, query: string): EventStreamReader {
  const controller = new AbortController();
  const reader: EventStreamReader = { ids: [], reconnects: 0, close: async () => {} };
  let lastEventId: string | undefined;
  let retryMs = 3_000;
  const loop = (async () => {
    while (!controller.signal.aborted) {
      try {
        const response = await fetch(`${url}/api/v1/events/stream?${query}`, {
          headers: {
            authorization: `Bearer ${token}`,
            ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
          },
          signal: controller.signal,
        });
        if (response.ok && response.body) {
          const parser = createParser({
            onEvent(message) {
              if (message.id) lastEventId = message.id;
              reader.ids.push((JSON.parse(message.data) as { id: string }).id);
            },
            onRetry(ms) {
              retryMs = ms;
            },
          });
          const decoder = new TextDecoder();
          for await (const chunk of response.body) parser.feed(decoder.decode(chunk, { stream: true }));
        }
      } catch {
        // A broken stream is opened again below.
      }
      if (controller.signal.aborted) break;
      reader.reconnects += 1;
      await sleep(retryMs, undefined, { signal: controller.signal }).catch(() => {});
    }
  })();
  reader.close = async () => {
    controller.abort();
    await loop;
  };
  return reader;
}
