// An imitation of monday.com's GraphQL API (VENDORS.md): POST /v2 with the token in
// Authorization and an API-Version header; board items through items_page and next_items_page
// (cursors live 60 minutes); a per-minute complexity budget whose exhaustion is answered inside
// HTTP 200 with errors[].extensions.code = ComplexityException. Only the query shapes the hub's
// monday template sends are understood; this is not a GraphQL engine.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateCustomers } from '../recordSource/customers.ts';

export interface MondaySandbox {
  url: string;
  endpoint: string;
  token: string;
  boardId: string;
  items: { id: string; name: string }[];
  /** Spends the complexity budget, so the next query is refused until the minute turns. */
  exhaustBudget(retryInSeconds: number): void;
  stats(): { queries: number; complexityErrors: number };
  close(): Promise<void>;
}

export async function startMondaySandbox(
  options: { items?: number; port?: number } = {},
): Promise<MondaySandbox> {
  const token = 'monday-sandbox-token-0000';
  const boardId = '1234567890';
  const items = generateCustomers(options.items ?? 1200, 11).map((customer, index) => ({
    id: String(900_000 + index),
    name: customer.firma,
    updated_at: customer.updated_at,
    column_values: [
      { id: 'stadt', text: customer.adresse.ort },
      { id: 'telefon', text: customer.ansprechpartner.telefon },
    ],
  }));
  const cursors = new Map<string, { offset: number; expires: number }>();
  const stats = { queries: 0, complexityErrors: 0 };
  let refuseUntil = 0;
  let retryIn = 1;

  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const send = (status: number, payload: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(payload));
      };
      if (
        new URL(request.url ?? '/', 'http://monday.local').pathname !== '/v2' ||
        request.method !== 'POST'
      ) {
        return send(404, { errors: [{ message: 'Not Found' }] });
      }
      if (request.headers.authorization !== token)
        return send(401, { errors: [{ message: 'Not Authenticated' }], status_code: 401 });
      stats.queries += 1;
      if (Date.now() < refuseUntil) {
        stats.complexityErrors += 1;
        return send(200, {
          errors: [
            {
              message: 'Complexity budget exhausted',
              extensions: { code: 'ComplexityException', retry_in_seconds: retryIn },
            },
          ],
          account_id: 1,
        });
      }
      const { query, variables = {} } = JSON.parse(body || '{}') as {
        query?: string;
        variables?: Record<string, unknown>;
      };
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
      if (query?.includes('__typename')) return send(200, { data: { __typename: 'Query' } });
      if (query?.includes('next_items_page')) {
        const state = cursors.get(String(variables.cursor ?? ''));
        if (!state || state.expires < Date.now()) {
          return send(200, {
            errors: [{ message: 'CursorExpiredError', extensions: { code: 'CursorExpiredError' } }],
          });
        }
        return send(200, { data: { next_items_page: page(state.offset) } });
      }
      if (query?.includes('items_page')) {
        const ids = ([] as unknown[]).concat(variables.boardId ?? []).map(String);
        if (!ids.includes(boardId)) return send(200, { data: { boards: [] } });
        return send(200, { data: { boards: [{ items_page: page(0) }] } });
      }
      return send(200, {
        errors: [{ message: 'Parse error on query', extensions: { code: 'GraphQLParseError' } }],
      });
    });
  });

  const port = await new Promise<number>((resolve) =>
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    endpoint: `http://127.0.0.1:${port}/v2`,
    token,
    boardId,
    items,
    exhaustBudget: (seconds) => {
      retryIn = seconds;
      refuseUntil = Date.now() + seconds * 1000;
    },
    stats: () => ({ ...stats }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
