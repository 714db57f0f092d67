// The admin routes every sandbox answers, to break and heal it from tests, demos and curl:
//   GET  /__sandbox/faults         → {"faults": <the settings in force> | null}
//   POST /__sandbox/faults         {rate, kinds?, retryAfterSeconds?, latencyMs?, timeoutMs?, seed?},
//                                  or null or {"rate":0} to heal → the same answer as GET;
//                                  {"rate":0,"latencyMs":300} only slows every answer down
//   POST /__sandbox/tokens/expire  → {"expired": true, …}: every access token handed out stops working
//   GET  /__sandbox/stats          → {"requests", "faultsInjected": {"500": n, …}}: what the sandbox was
//                                  asked (every request but these routes) and what it broke, since it started
// The routes themselves are never faulted, slowed or asked for credentials.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { z } from 'zod';
import {
  FaultInjector,
  type SandboxFaultSettings,
  sandboxFaultSettings,
  type VendorFaultAnswers,
} from './faultInjection.ts';
import { readJsonBody } from './readJsonBody.ts';

export interface SandboxAdminOptions {
  answers: VendorFaultAnswers;
  /** Makes every access token handed out so far invalid. */
  expireTokens(): void;
  /** What a client must present from now on, for vendors without a refresh (a reissued API key). */
  credentials?(): Record<string, string>;
}

type Handler = (request: IncomingMessage, response: ServerResponse, url: URL) => void | Promise<void>;

export class SandboxAdmin {
  readonly #faults: FaultInjector;
  readonly #options: SandboxAdminOptions;
  #requests = 0;

  constructor(options: SandboxAdminOptions) {
    this.#options = options;
    this.#faults = new FaultInjector(options.answers);
  }

  /** The sandbox's request listener: admin routes here, the rest to `handle`. */
  listener(handle: Handler): RequestListener {
    return (request, response) => {
      const url = new URL(request.url ?? '/', 'http://sandbox.local');
      const admin = url.pathname.startsWith('/__sandbox/');
      if (!admin) this.#requests += 1;
      const answer = async () =>
        admin ? this.#route(request, response, url) : handle(request, response, url);
      // A request that breaks the sandbox (a body cut off, a bug) ends its connection, not the process.
      void answer().catch(() => response.destroy());
    };
  }

  /** What POST /__sandbox/faults does, for tests holding the sandbox; invalid settings throw. */
  setFaults(settings: SandboxFaultSettings | null): void {
    this.#faults.set(sandboxFaultSettings.nullable().parse(settings));
  }

  /** Call before answering an API request; true when an injected fault has taken the request over. */
  intercept(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    return this.#faults.intercept(request, response);
  }

  async #route(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const route = `${request.method} ${url.pathname}`;
    if (route === 'GET /__sandbox/faults') return send(200, { faults: this.#faults.settings() });
    if (route === 'GET /__sandbox/stats')
      return send(200, { requests: this.#requests, faultsInjected: { ...this.#faults.injected } });
    if (route === 'POST /__sandbox/faults') {
      let input: unknown;
      try {
        input = (await readJsonBody(request)) ?? null;
      } catch {
        return send(400, { error: 'the body is not JSON' });
      }
      const parsed = sandboxFaultSettings.nullable().safeParse(input);
      if (!parsed.success) return send(400, { error: z.prettifyError(parsed.error) });
      this.#faults.set(parsed.data);
      return send(200, { faults: this.#faults.settings() });
    }
    if (route === 'POST /__sandbox/tokens/expire') {
      this.#options.expireTokens();
      return send(200, { expired: true, ...this.#options.credentials?.() });
    }
    send(404, {
      error: `no sandbox control at ${route}`,
      controls: [
        'GET /__sandbox/faults',
        'POST /__sandbox/faults',
        'POST /__sandbox/tokens/expire',
        'GET /__sandbox/stats',
      ],
    });
  }
}
