// A sender of signed webhooks under load (an order system pushing one order per webhook, signed
// per Standard Webhooks) that keeps the outcome of every message: acknowledged (2xx), refused
// (another status) or unanswered (the connection failed or broke). What it did not get a 2xx for
// it sends again later with the same message id, as a Standard Webhooks sender retries.
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { type SignedWebhook, signedOrderWebhook } from '../../test/support/signedWebhooks.ts';

export type WebhookOutcome = 'acknowledged' | 'refused' | 'unanswered';

export interface SentWebhook {
  message: SignedWebhook;
  orderNo: string;
  outcome: WebhookOutcome;
  /** Statuses of every attempt; 0 for an attempt without an answer. */
  answers: number[];
}

/** Messages by the outcome of their first attempt, and what the retries met. */
export interface WebhookLoadCounts {
  messages: number;
  acknowledged: number;
  refused: number;
  unanswered: number;
  /** Attempts answered 5xx. */
  serverErrors: number;
  /** Messages sent again that the hub answered as a repeat (200, already stored). */
  answeredAsRepeat: number;
}

export interface WebhookLoad {
  /** Stops sending new messages; resolves once those in flight have their outcome. */
  stop(): Promise<void>;
  /** Sends every message without a 2xx again (to `url`, the hub may have moved) until acknowledged. */
  retryUntilAcknowledged(url: string, timeoutMs: number): Promise<void>;
  messages(): SentWebhook[];
  counts(): WebhookLoadCounts;
  close(): Promise<void>;
}

export interface WebhookLoadOptions {
  /** `<hub>/webhooks/<integrationId>`. */
  url: string;
  secret: string;
  /** Messages in flight at once. */
  connections: number;
  /** Order numbers are `<prefix>-<n>`. */
  prefix: string;
  /** Pause after each acknowledged message, to hold a rate instead of flooding. */
  pauseMs?: number;
}

/** After a failed attempt a sender waits before its next message. */
const BACKOFF_MS = 100;

export function startWebhookLoad(options: WebhookLoadOptions): WebhookLoad {
  const agent = new Agent({ connections: options.connections, keepAliveTimeout: 10_000 });
  const sent: SentWebhook[] = [];
  let stopped = false;
  let retriesAnsweredAsRepeat = 0;

  async function attempt(item: SentWebhook, url: string): Promise<number> {
    const status = await request(url, {
      method: 'POST',
      headers: item.message.headers,
      body: item.message.body,
      dispatcher: agent,
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
    }).then(
      async (response) => {
        await response.body.dump();
        return response.statusCode;
      },
      () => 0,
    );
    item.answers.push(status);
    item.outcome = status >= 200 && status < 300 ? 'acknowledged' : status === 0 ? 'unanswered' : 'refused';
    return status;
  }

  const senders = Array.from({ length: options.connections }, async () => {
    while (!stopped) {
      const orderNo = `${options.prefix}-${sent.length}`;
      const item: SentWebhook = {
        message: signedOrderWebhook(options.secret, orderNo),
        orderNo,
        outcome: 'unanswered',
        answers: [],
      };
      sent.push(item);
      const status = await attempt(item, options.url);
      if (status < 200 || status >= 300) await sleep(BACKOFF_MS);
      else if (options.pauseMs) await sleep(options.pauseMs);
    }
  });

  return {
    async stop() {
      stopped = true;
      await Promise.all(senders);
    },
    async retryUntilAcknowledged(url, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let open = sent.filter((item) => item.outcome !== 'acknowledged');
      while (open.length > 0) {
        if (Date.now() > deadline) throw new Error(`${open.length} webhooks never acknowledged`);
        let next = 0;
        await Promise.all(
          Array.from({ length: options.connections }, async () => {
            while (next < open.length) {
              const item = open[next++] as SentWebhook;
              if ((await attempt(item, url)) === 200) retriesAnsweredAsRepeat += 1;
            }
          }),
        );
        open = open.filter((item) => item.outcome !== 'acknowledged');
        if (open.length > 0) await sleep(500);
      }
    },
    messages: () => sent,
    counts() {
      const firstOutcome = (item: SentWebhook) => {
        const first = item.answers[0] ?? 0;
        return first >= 200 && first < 300 ? 'acknowledged' : first === 0 ? 'unanswered' : 'refused';
      };
      return {
        messages: sent.length,
        acknowledged: sent.filter((item) => firstOutcome(item) === 'acknowledged').length,
        refused: sent.filter((item) => firstOutcome(item) === 'refused').length,
        unanswered: sent.filter((item) => firstOutcome(item) === 'unanswered').length,
        serverErrors: sent.reduce(
          (sum, item) => sum + item.answers.filter((status) => status >= 500).length,
          0,
        ),
        answeredAsRepeat: retriesAnsweredAsRepeat,
      };
    },
    close: () => agent.close(),
  };
}
