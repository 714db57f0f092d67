// One attempt to reach a subscriber, in an `event.deliver` span (the context transports pass on
// as `traceparent`): a single event, or a batch for a subscription that takes them. The signing
// secrets of HTTP subscriptions are opened once per change of the subscription.
import {
  markSpanFailed,
  type Span,
  SpanKind,
  SpanStatusCode,
  startSpan,
  type TraceCarrier,
  withSpan,
} from '../../observability/tracing.ts';
import type { Vault } from '../../vault/vault.ts';
import { subscriptionSecretAad } from '../subscriptions/subscriptionSecret.ts';
import type { SubscriptionRow } from '../subscriptions/subscriptionsTable.ts';
import type { AttemptResult, DeliveryTarget, OutboundEvent, Transport } from '../transports/transport.ts';

export interface LoadedEvent {
  event: OutboundEvent;
  /** The W3C context of the span that wrote the event: the parent of its deliveries' spans. */
  trace: TraceCarrier;
}

export interface AttemptDependencies {
  vault: Vault;
  transports: Record<SubscriptionRow['kind'], Transport>;
}

export class DeliveryAttempts {
  readonly #deps: AttemptDependencies;
  readonly #secrets = new Map<string, { updatedAt: number; secret: string }>();

  constructor(deps: AttemptDependencies) {
    this.#deps = deps;
  }

  /**
   * A batch in one attempt, in an `event.deliver` span that links every event's own trace; each
   * event carries its trace along (CloudEvents distributed tracing).
   */
  async batch(loaded: LoadedEvent[], subscription: SubscriptionRow, attempt: number): Promise<AttemptResult> {
    const first = loaded[0] as LoadedEvent;
    const span = startSpan('event.deliver', {
      kind: SpanKind.PRODUCER,
      parent: first.trace,
      traceId: first.event.traceId,
      links: loaded.map((item) => item.trace),
      attributes: {
        'hub.subscription.id': subscription.id,
        'hub.subscription.kind': subscription.kind,
        'hub.delivery.attempt': attempt,
        'messaging.batch.message_count': loaded.length,
      },
    });
    const events = loaded.map(({ event, trace }) => ({
      ...event,
      ...(trace.traceparent ? { traceparent: trace.traceparent } : {}),
      ...(trace.tracestate ? { tracestate: trace.tracestate } : {}),
    }));
    return this.#attempt(span, subscription, (transport, target) =>
      (transport.deliverBatch as NonNullable<Transport['deliverBatch']>)(events, target),
    );
  }

  /** One attempt, in an `event.deliver` span: the context transports pass on as `traceparent`. */
  async single(
    { event, trace }: LoadedEvent,
    subscription: SubscriptionRow,
    attempt: number,
  ): Promise<AttemptResult> {
    const span = startSpan('event.deliver', {
      kind: SpanKind.PRODUCER,
      parent: trace,
      traceId: event.traceId,
      attributes: {
        'hub.subscription.id': subscription.id,
        'hub.subscription.kind': subscription.kind,
        'hub.delivery.attempt': attempt,
        'cloudevents.event_id': event.id,
        'cloudevents.event_type': event.type,
      },
    });
    return this.#attempt(span, subscription, (transport, target) => transport.deliver(event, target));
  }

  async #attempt(
    span: Span,
    subscription: SubscriptionRow,
    send: (transport: Transport, target: DeliveryTarget) => Promise<AttemptResult>,
  ): Promise<AttemptResult> {
    try {
      const transport = this.#deps.transports[subscription.kind];
      const target: DeliveryTarget = {
        id: subscription.id,
        url: subscription.url,
        natsSubject: subscription.natsSubject,
        handler: subscription.handler,
        secret: await this.#secret(subscription),
      };
      const result = await withSpan(span, () => send(transport, target));
      if (result.status !== null) span.setAttribute('hub.delivery.status', result.status);
      span.setAttribute('hub.delivery.outcome', result.ok ? 'delivered' : result.gone ? 'gone' : 'failed');
      if (!result.ok) span.setStatus({ code: SpanStatusCode.ERROR, message: result.error });
      return result;
    } catch (error) {
      markSpanFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  async #secret(subscription: SubscriptionRow): Promise<string | undefined> {
    if (!subscription.secretEncrypted) return undefined;
    const cached = this.#secrets.get(subscription.id);
    if (cached && cached.updatedAt === subscription.updatedAt.getTime()) return cached.secret;
    const secret = await this.#deps.vault.open<string>(
      subscription.secretEncrypted,
      subscriptionSecretAad(subscription.id),
    );
    this.#secrets.set(subscription.id, { updatedAt: subscription.updatedAt.getTime(), secret });
    return secret;
  }
}
