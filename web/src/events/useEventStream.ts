// Live outbox events from GET /api/v1/events/stream, read with fetch so the token travels in the
// Authorization header (EventSource cannot send one). Reconnects after a drop and resumes after
// the last event it saw, so nothing is missed or shown twice.
import { createParser } from 'eventsource-parser';
import { useEffect, useRef, useState } from 'react';
import { authorizationHeader, UNAUTHORIZED_EVENT } from '../api/client.ts';
import type { HubEvent } from '../api/types.ts';

export type StreamState = 'connecting' | 'live' | 'offline';

export interface EventStreamOptions {
  /** A type prefix such as "integration.". */
  type?: string;
  /** How many past events to start with. */
  backlog: number;
  onEvents(events: HubEvent[]): void;
}

export function useEventStream({ type, backlog, onEvents }: EventStreamOptions): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  const deliver = useRef(onEvents);
  useEffect(() => {
    deliver.current = onEvents;
  }, [onEvents]);

  useEffect(() => {
    const abort = new AbortController();
    let lastId: string | undefined;
    let retryMs = 3_000;

    async function readOnce(): Promise<'again' | 'stop'> {
      const params = new URLSearchParams(type ? { type } : {});
      if (lastId) params.set('after', lastId);
      else params.set('backlog', String(backlog));
      const response = await fetch(`/api/v1/events/stream?${params}`, {
        headers: { accept: 'text/event-stream', ...authorizationHeader() },
        cache: 'no-store',
        signal: abort.signal,
      });
      if (response.status === 401) {
        window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
        return 'stop';
      }
      if (!response.ok || !response.body) return 'again';
      setState('live');
      const batch: HubEvent[] = [];
      const parser = createParser({
        onEvent(message) {
          if (message.id) lastId = message.id;
          batch.push(JSON.parse(message.data) as HubEvent);
        },
        onRetry(ms) {
          retryMs = ms;
        },
      });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return 'again';
        parser.feed(value);
        if (batch.length > 0) deliver.current(batch.splice(0));
      }
    }

    async function follow() {
      while (!abort.signal.aborted) {
        const outcome = await readOnce().catch(() => 'again' as const);
        if (outcome === 'stop' || abort.signal.aborted) return;
        setState('offline');
        await new Promise((resolve) => setTimeout(resolve, retryMs));
      }
    }
    void follow();
    return () => abort.abort();
  }, [type, backlog]);

  return state;
}
