// An imitation of monday.com's GraphQL API (VENDORS.md): POST /v2 with the token in
// Authorization and an API-Version header; board items through items_page and next_items_page
// (cursors live 60 minutes, then answer CursorExpiredError); a per-minute complexity budget whose
// exhaustion is answered inside HTTP 200 with errors[].extensions.code = ComplexityException,
// while transport errors (injected 5xx, 429 with Retry-After) carry a status of their own.
// Mutations create and delete webhooks (with monday's challenge) and change items, which the
// board's webhooks hear of (webhooks.ts).
// Only the query shapes the hub's monday template sends are understood; this is not a GraphQL engine.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateCustomers } from '../recordSource/customers.ts';
import { SandboxAdmin } from '../shared/adminRoutes.ts';
import type { VendorFaultAnswers } from '../shared/faultInjection.ts';
import { readJsonBody } from '../shared/readJsonBody.ts';
import { MondayBoard, type MondayItem } from './board.ts';
import { answerMutation } from './mutations.ts';
import { type MondayWebhook, MondayWebhooks, type SigningOptions, type WebhookDelivery } from './webhooks.ts';

export type { MondayItem } from './board.ts';
export type { MondayWebhook, SigningOptions, WebhookDelivery } from './webhooks.ts';

export interface MondaySandbox {
  url: string;
  endpoint: string;
  /** The API token; POST /__sandbox/tokens/expire replaces it, as monday has no refresh. */
  readonly token: string;
  boardId: string;
  items: MondayItem[];
  /** The app's signing secret, which signs every webhook's JWT. */
  signingSecret: string;
  webhooks(): MondayWebhook[];
  /** Every webhook POST so far (challenges included) with the receiver's answer. */
  deliveries(): WebhookDelivery[];
  /** Changes a text column of an item as a monday user would; resolves once its webhooks are answered. */
  changeColumnValue(
    itemId: string,
    columnId: string,
    text: string,
    signing?: SigningOptions,
  ): Promise<WebhookDelivery[]>;
  renameItem(itemId: string, name: string, signing?: SigningOptions): Promise<WebhookDelivery[]>;
  /**
   * Spends the complexity budget, so a query is refused for `retryInSeconds`: the next one, or the
   * one after `afterQueries` more answered queries.
   */
  exhaustBudget(retryInSeconds: number, afterQueries?: number): void;
  refillBudget(): void;
  /** As if an hour passed: every cursor handed out so far has expired. */
  expireCursors(): void;
  stats(): { queries: number; complexityErrors: number; expiredCursors: number };
  close(): Promise<void>;
}

export async function startMondaySandbox(
  options: { items?: number; port?: number; signingSecret?: string } = {},
): Promise<MondaySandbox> {
  let token = 'monday-sandbox-token-0000';
  const boardId = '1234567890';
  const items: MondayItem[] = generateCustomers(options.items ?? 1200, 11).map((customer, index) => ({
    id: String(900_000 + index),
    name: customer.firma,
    updated_at: customer.updated_at,
    column_values: [
      { id: 'stadt', text: customer.adresse.ort },
      { id: 'telefon', text: customer.ansprechpartner.telefon },
    ],
  }));
  const webhooks = new MondayWebhooks(options.signingSecret);
  const board = new MondayBoard(boardId, items, webhooks);
  const cursors = new Map<string, { offset: number; expires: number }>();
  const stats = { queries: 0, complexityErrors: 0, expiredCursors: 0 };
  let refuseUntil = 0;
  let retryIn = 1;
  // The budget runs out once this many queries were answered (Infinity: it does not).
  let exhaustAt = Number.POSITIVE_INFINITY;
  const admin = new SandboxAdmin({
    answers: mondayFaults,
    expireTokens: () => {
      token = `monday-sandbox-token-${randomBytes(4).toString('hex')}`;
    },
    credentials: () => ({ token }),
  });

  const server = http.createServer(admin.listener(handle));

  async function handle(request: http.IncomingMessage, response: http.ServerResponse, url: URL) {
    const send = (status: number, payload: unknown) => {
      response.writeHead(status, { 'content-type': mondayFaults.contentType });
      response.end(JSON.stringify(payload));
    };
    if (url.pathname !== '/v2' || request.method !== 'POST') {
      return send(404, { errors: [{ message: 'Not Found' }] });
    }
    if (await admin.intercept(request, response)) return;
    if (request.headers.authorization !== token)
      return send(401, { errors: [{ message: 'Not Authenticated' }], status_code: 401 });
    stats.queries += 1;
    if (stats.queries > exhaustAt) {
      exhaustAt = Number.POSITIVE_INFINITY;
      refuseUntil = Date.now() + retryIn * 1000;
    }
    if (Date.now() < refuseUntil) {
      stats.complexityErrors += 1;
      return send(200, complexityError(retryIn));
    }
    let payload: { query?: string; variables?: Record<string, unknown> };
    try {
      payload = ((await readJsonBody(request)) ?? {}) as typeof payload;
    } catch {
      return send(400, { errors: [{ message: 'The request body is not valid JSON' }] });
    }
    const { query = '', variables = {} } = payload;
    if (/^\s*mutation\b/.test(query))
      return send(200, await answerMutation(query, variables, board, webhooks));
    const limit = Math.min(500, Number(variables.limit ?? 25));
    const page = (offset: number) => {
      const slice = items.slice(offset, offset + limit);
      const next = offset + slice.length;
      let cursor: string | null = null;
      if (next < items.length) {
        cursor = randomBytes(12).toString('hex');
        cursors.set(cursor, { offset: next, expires: Date.now() + 3_600_000 });
      }
      return { cursor, items: slice };
    };
    if (query.includes('__typename')) return send(200, { data: { __typename: 'Query' } });
    if (query.includes('next_items_page')) {
      const state = cursors.get(String(variables.cursor ?? ''));
      if (!state || state.expires < Date.now()) {
        stats.expiredCursors += 1;
        // The code is monday's; the message and status_code are unconfirmed.
        return send(200, {
          errors: [
            {
              message: 'The cursor provided for pagination has expired. Please refresh your query.',
              extensions: { code: 'CursorExpiredError', status_code: 200 },
            },
          ],
          account_id: 1,
        });
      }
      return send(200, { data: { next_items_page: page(state.offset) } });
    }
    if (query.includes('items_page')) {
      const ids = ([] as unknown[]).concat(variables.boardId ?? []).map(String);
      if (!ids.includes(boardId)) return send(200, { data: { boards: [] } });
      return send(200, { data: { boards: [{ items_page: page(0) }] } });
    }
    return send(200, {
      errors: [{ message: 'Parse error on query', extensions: { code: 'GraphQLParseError' } }],
    });
  }

  const port = await new Promise<number>((resolve) =>
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    endpoint: `http://127.0.0.1:${port}/v2`,
    get token() {
      return token;
    },
    boardId,
    items,
    signingSecret: webhooks.signingSecret,
    webhooks: () => webhooks.list(),
    deliveries: () => webhooks.deliveries.map((delivery) => ({ ...delivery })),
    changeColumnValue: (itemId, columnId, text, signing) =>
      board.changeColumnValue(itemId, columnId, text, signing),
    renameItem: (itemId, name, signing) => board.rename(itemId, name, signing),
    exhaustBudget: (seconds, afterQueries = 0) => {
      retryIn = seconds;
      if (afterQueries > 0) exhaustAt = stats.queries + afterQueries;
      else refuseUntil = Date.now() + seconds * 1000;
    },
    refillBudget: () => {
      exhaustAt = Number.POSITIVE_INFINITY;
      refuseUntil = 0;
    },
    expireCursors: () => {
      for (const state of cursors.values()) state.expires = 0;
    },
    stats: () => ({ ...stats }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// The transport errors' bodies follow monday's errors[] format; their codes are unconfirmed.
const mondayError = (status: number, code: string, message: string, retryInSeconds?: number) => ({
  errors: [
    {
      message,
      extensions: {
        code,
        status_code: status,
        ...(retryInSeconds === undefined ? {} : { retry_in_seconds: retryInSeconds }),
      },
    },
  ],
  account_id: 1,
});

const complexityError = (retryInSeconds: number) => ({
  errors: [
    {
      message: 'Complexity budget exhausted',
      extensions: { code: 'ComplexityException', retry_in_seconds: retryInSeconds },
    },
  ],
  account_id: 1,
});

const mondayFaults: VendorFaultAnswers = {
  contentType: 'application/json',
  serverError: (status) => ({
    status,
    body:
      status === 503
        ? mondayError(503, 'SERVICE_UNAVAILABLE', 'Service unavailable')
        : mondayError(500, 'INTERNAL_SERVER_ERROR', 'Internal server error'),
  }),
  throttled: (retryAfter) => ({
    status: 429,
    headers: { 'retry-after': String(retryAfter) },
    body: mondayError(429, 'RATE_LIMIT_EXCEEDED', 'Rate Limit Exceeded', retryAfter),
  }),
  // A spent complexity budget is an application error: HTTP 200.
  quotaExceeded: (retryAfter) => ({ status: 200, body: complexityError(retryAfter) }),
};
