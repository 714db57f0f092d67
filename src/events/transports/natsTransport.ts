// NATS JetStream subscribers: each event is published to the subscription's subject with the
// event id as the message id, so JetStream itself drops a repeat within its duplicate window.
// A publish counts as delivered once JetStream acknowledged it (stored in the stream). The current
// span (the relay's `event.deliver`) goes along in the `traceparent` header.
import { connect, type JetStreamClient, type NatsConnection, headers as natsHeaders } from 'nats';
import type { Logger } from '../../observability/logger.ts';
import { injectTraceHeaders } from '../../observability/tracing.ts';
import type { AttemptResult, DeliveryTarget, OutboundEvent, Transport } from './transport.ts';

export class NatsTransport implements Transport {
  readonly #url: string | undefined;
  readonly #logger: Logger;
  #connection: Promise<{ nc: NatsConnection; js: JetStreamClient }> | undefined;

  constructor(url: string | undefined, logger: Logger) {
    this.#url = url;
    this.#logger = logger;
  }

  async deliver(event: OutboundEvent, target: DeliveryTarget): Promise<AttemptResult> {
    if (!this.#url) return { ok: false, status: null, error: 'NATS_URL is not set on this hub' };
    if (!target.natsSubject)
      return { ok: false, status: null, error: 'the subscription has no NATS subject' };
    try {
      const { js } = await this.#connect();
      const { traceId: _traceId, ...cloudEvent } = event;
      const meta = natsHeaders();
      meta.set('ce-id', event.id);
      meta.set('ce-type', event.type);
      const trace: Record<string, string> = {};
      injectTraceHeaders(trace);
      for (const [name, value] of Object.entries(trace)) meta.set(name, value);
      await js.publish(target.natsSubject, JSON.stringify(cloudEvent), {
        msgID: event.id,
        headers: meta,
        timeout: 5_000,
      });
      return { ok: true, status: null };
    } catch (error) {
      // A broken connection is opened again on the next attempt.
      const failed = this.#connection;
      this.#connection = undefined;
      void failed?.then(({ nc }) => nc.close()).catch(() => {});
      return { ok: false, status: null, error: `NATS: ${(error as Error).message}` };
    }
  }

  async close(): Promise<void> {
    const open = this.#connection;
    this.#connection = undefined;
    if (open) await open.then(({ nc }) => nc.drain()).catch(() => {});
  }

  #connect() {
    this.#connection ??= connect({
      servers: this.#url,
      name: 'integration-hub-relay',
      maxReconnectAttempts: -1,
    }).then((nc) => {
      this.#logger.info({ server: nc.getServer() }, 'connected to NATS');
      return { nc, js: nc.jetstream() };
    });
    return this.#connection;
  }
}
