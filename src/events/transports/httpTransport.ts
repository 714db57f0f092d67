// HTTP subscribers, signed per Standard Webhooks: webhook-id is the event id (the subscriber's
// dedupe key, the same on every attempt), webhook-timestamp, and webhook-signature made with the
// subscription's secret (standardWebhookSigner.ts). A batch is a JSON array of CloudEvents
// (`application/cloudevents-batch+json`), signed the same way; its webhook-id is derived from the
// ids it holds, and each event keeps its own id for the subscriber to dedupe by. Only 2xx is
// success; 410 disables the endpoint; Retry-After on 429, 502, 503 and 504 is honoured. The
// current span (the relay's `event.deliver`) goes along as `traceparent`. Connections pass the
// hub's address policy (after DNS, at connect time); redirects are not followed (a 3xx is a
// failed attempt).
import { createHash } from 'node:crypto';
import { type Agent, request } from 'undici';
import { StandardWebhookSigner } from '../../connectors/sdk/signatures/standardWebhookSigner.ts';
import { addressRefusal, type OutboundNetwork } from '../../network/outboundNetwork.ts';
import { injectTraceHeaders } from '../../observability/tracing.ts';
import type { AttemptResult, BatchedEvent, DeliveryTarget, OutboundEvent, Transport } from './transport.ts';

const honoursRetryAfter = new Set([429, 502, 503, 504]);

export class HttpTransport implements Transport {
  readonly #agent: Agent;
  readonly #signers = new Map<string, StandardWebhookSigner>();
  readonly #timeoutMs: number;

  constructor(timeoutMs: number, network: OutboundNetwork) {
    this.#timeoutMs = timeoutMs;
    this.#agent = network.agent({ keepAliveTimeout: 30_000, connections: 64, pipelining: 1 });
  }

  deliver(event: OutboundEvent, target: DeliveryTarget): Promise<AttemptResult> {
    const { traceId: _traceId, ...cloudEvent } = event;
    return this.#post(target, event.id, 'application/json', JSON.stringify(cloudEvent));
  }

  deliverBatch(events: BatchedEvent[], target: DeliveryTarget): Promise<AttemptResult> {
    const ids = createHash('sha256');
    for (const event of events) ids.update(`${event.id}\n`);
    const body = JSON.stringify(events.map(({ traceId: _traceId, ...cloudEvent }) => cloudEvent));
    return this.#post(
      target,
      `batch_${ids.digest('hex').slice(0, 32)}`,
      'application/cloudevents-batch+json',
      body,
    );
  }

  async #post(
    target: DeliveryTarget,
    webhookId: string,
    contentType: string,
    body: string,
  ): Promise<AttemptResult> {
    if (!target.url || !target.secret)
      return { ok: false, status: null, error: 'the subscription has no URL or secret' };
    const timestamp = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': contentType,
      'user-agent': 'integration-hub',
      'webhook-id': webhookId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': this.#signer(target.secret).sign(webhookId, timestamp, body),
    };
    injectTraceHeaders(headers);
    try {
      const response = await request(target.url, {
        method: 'POST',
        headers,
        body,
        dispatcher: this.#agent,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      await response.body.dump();
      const status = response.statusCode;
      if (status >= 200 && status < 300) return { ok: true, status };
      const retryAfter = honoursRetryAfter.has(status)
        ? retryAfterMs(response.headers['retry-after'])
        : undefined;
      return { ok: false, status, error: `HTTP ${status}`, retryAfterMs: retryAfter, gone: status === 410 };
    } catch (error) {
      const refused = addressRefusal(error);
      if (refused) return { ok: false, status: null, error: `refused: ${refused.message}` };
      const name = (error as Error).name;
      return {
        ok: false,
        status: null,
        error:
          name === 'TimeoutError' || name === 'HeadersTimeoutError'
            ? 'timed out'
            : `connection failed (${(error as { code?: string }).code ?? name})`,
      };
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  #signer(secret: string): StandardWebhookSigner {
    let signer = this.#signers.get(secret);
    if (!signer) {
      signer = new StandardWebhookSigner(secret);
      this.#signers.set(secret, signer);
    }
    return signer;
  }
}

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
