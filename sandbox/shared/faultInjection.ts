// Injected faults for the sandboxes, answered the way the imitated vendor answers them: each
// sandbox names its vendor's error answers, and the injector decides when to give them. What no
// vendor answers at all (a reset connection, a request that hangs, a slow answer) it does itself.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { FaultPlan, faultKinds } from '../recordSource/faults.ts';

/** "quota" is a spent budget as the vendor reports it; "latency" answers properly, only late. */
export const sandboxFaultKinds = [...faultKinds, 'quota', 'latency'] as const;
export type SandboxFaultKind = (typeof sandboxFaultKinds)[number];

export const sandboxFaultSettings = z.strictObject({
  rate: z.number().min(0).max(1),
  kinds: z.array(z.enum(sandboxFaultKinds)).min(1).optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
  timeoutMs: z.number().int().min(0).optional(),
  /** Without the "latency" kind every answer waits this long; with it, only those picked for it. */
  latencyMs: z.number().int().min(0).optional(),
  seed: z.number().int().optional(),
});
export type SandboxFaultSettings = z.infer<typeof sandboxFaultSettings>;

export interface VendorAnswer {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

/** How a vendor answers each injected error. */
export interface VendorFaultAnswers {
  /** The content type of the vendor's JSON, for its errors and for a cut-off ("malformed") answer. */
  contentType: string;
  serverError(status: 500 | 503, retryAfterSeconds: number): VendorAnswer;
  /** The vendor's "slow down, come back later"; usually 429 with Retry-After. */
  throttled(retryAfterSeconds: number): VendorAnswer;
  /** A spent daily or per-minute budget, for vendors that report it apart from throttling. */
  quotaExceeded?(retryAfterSeconds: number): VendorAnswer;
}

const DEFAULT_LATENCY_MS = 1000;

export class FaultInjector {
  readonly injected: Partial<Record<SandboxFaultKind, number>> = {};
  readonly #answers: VendorFaultAnswers;
  #plan: FaultPlan<SandboxFaultKind> | undefined;

  constructor(answers: VendorFaultAnswers) {
    this.#answers = answers;
  }

  /** Null, or a rate of 0 without latency, heals. */
  set(settings: SandboxFaultSettings | null): void {
    if (!settings || (settings.rate === 0 && !settings.latencyMs)) {
      this.#plan = undefined;
      return;
    }
    const latencyMs = settings.latencyMs ?? (settings.kinds?.includes('latency') ? DEFAULT_LATENCY_MS : 0);
    this.#plan = new FaultPlan<SandboxFaultKind>({ ...settings, latencyMs }, faultKinds);
  }

  settings(): Required<SandboxFaultSettings> | null {
    return this.#plan ? structuredClone(this.#plan.settings) : null;
  }

  /** Waits out any latency, then answers an injected fault (true) or leaves the request to the API (false). */
  async intercept(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const plan = this.#plan;
    if (!plan) return false;
    const fault = plan.next();
    const { latencyMs, kinds } = plan.settings;
    if (fault === 'latency' || (latencyMs > 0 && !kinds.includes('latency'))) await sleep(latencyMs);
    if (fault) this.injected[fault] = (this.injected[fault] ?? 0) + 1;
    // A client that gave up while the answer was delayed gets none.
    if (request.socket.destroyed) return true;
    if (!fault || fault === 'latency') return false;
    this.#inject(fault, plan.settings, request, response);
    return true;
  }

  #inject(
    fault: Exclude<SandboxFaultKind, 'latency'>,
    settings: Required<SandboxFaultSettings>,
    request: IncomingMessage,
    response: ServerResponse,
  ): void {
    const answers = this.#answers;
    const retryAfter = settings.retryAfterSeconds;
    switch (fault) {
      case '500':
      case '503':
        this.#send(response, answers.serverError(Number(fault) as 500 | 503, retryAfter));
        return;
      case '429':
        this.#send(response, answers.throttled(retryAfter));
        return;
      case 'quota':
        this.#send(response, (answers.quotaExceeded ?? answers.throttled)(retryAfter));
        return;
      case 'timeout': {
        const timer = setTimeout(() => response.destroy(), settings.timeoutMs).unref();
        response.on('close', () => clearTimeout(timer));
        return;
      }
      case 'reset':
        // An RST rather than an orderly close: the client sees ECONNRESET.
        request.socket.resetAndDestroy();
        return;
      case 'malformed':
        response.writeHead(200, { 'content-type': answers.contentType });
        response.end('{"data":[{"id":"10');
        return;
    }
  }

  #send(response: ServerResponse, answer: VendorAnswer): void {
    response.writeHead(answer.status, { 'content-type': this.#answers.contentType, ...answer.headers });
    response.end(JSON.stringify(answer.body));
  }
}
