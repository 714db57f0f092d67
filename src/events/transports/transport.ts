// How an event reaches a subscriber. A transport answers every attempt with an outcome; the relay
// decides about retries, dead letters and disabling from it. An attempt runs inside the relay's
// `event.deliver` span; transports that carry headers pass it on (injectTraceHeaders).
import type { CloudEvent } from '../outbox.ts';

export interface OutboundEvent extends CloudEvent {
  /** The W3C trace the event belongs to. */
  traceId?: string | undefined;
}

/**
 * An event in a batch carries its own trace as CloudEvents' distributed tracing extension: the
 * message's traceparent belongs to the batch.
 */
export interface BatchedEvent extends OutboundEvent {
  traceparent?: string | undefined;
  tracestate?: string | undefined;
}

export interface DeliveryTarget {
  id: string;
  url: string | null;
  natsSubject: string | null;
  handler: string | null;
  /** The Standard Webhooks signing secret (whsec_…), for HTTP subscribers. */
  secret?: string | undefined;
}

export type AttemptResult =
  | { ok: true; status: number | null }
  | {
      ok: false;
      status: number | null;
      error: string;
      /** The subscriber asked for this pause (Retry-After). */
      retryAfterMs?: number | undefined;
      /** The endpoint is gone for good (410): the subscription is disabled. */
      gone?: boolean;
    };

export interface Transport {
  deliver(event: OutboundEvent, target: DeliveryTarget): Promise<AttemptResult>;
  /** Several events in one message, in order, all or none (HTTP subscribers with a batch size). */
  deliverBatch?(events: BatchedEvent[], target: DeliveryTarget): Promise<AttemptResult>;
  close(): Promise<void>;
}
