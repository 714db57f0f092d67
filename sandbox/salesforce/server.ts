// An imitation of the Salesforce REST API (VENDORS.md): an OAuth2 token endpoint with
// refresh-token grants (no expires_in; tokens expire after a while anyway and answer 401
// INVALID_SESSION_ID), SOQL queries with nextRecordsUrl batches, Sforce-Limit-Info on every
// answer, a daily request limit answered with 403 REQUEST_LIMIT_EXCEEDED, and error arrays
// [{message, errorCode}], injected faults included. Only the SOQL this hub sends is understood:
// SELECT fields FROM Account|Contact [WHERE SystemModstamp > <ISO>] ORDER BY <field> ASC.
// Query locators (the nextRecordsUrl) answer 400 INVALID_QUERY_LOCATOR once Salesforce has
// dropped them, as it does after 15 minutes unused (expireQueryLocators() stands for that).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateCustomers } from '../recordSource/customers.ts';
import { SandboxAdmin } from '../shared/adminRoutes.ts';
import type { VendorAnswer } from '../shared/faultInjection.ts';
import { readJsonBody, readTextBody } from '../shared/readJsonBody.ts';

export interface SalesforceSandboxOptions {
  accounts?: number;
  seed?: number;
  dailyLimit?: number;
  /** How long an access token lives; Salesforce does not say, sessions simply end. */
  tokenLifetimeMs?: number;
  batchSize?: number;
  port?: number;
}

type SObject = Record<string, unknown> & { Id: string; SystemModstamp: string };

export interface SalesforceSandbox {
  url: string;
  client: { clientId: string; clientSecret: string };
  /** Issues a fresh refresh token, as connecting an org through the browser would. */
  grant(): string;
  /** Ends every session at once, as an admin's "revoke sessions" would. */
  expireSessions(): void;
  /** As if 15 minutes passed without a request: every query locator handed out is dropped. */
  expireQueryLocators(): void;
  /** A new day: the daily request usage starts from zero (under a new limit, if given). */
  newDay(dailyLimit?: number): void;
  updateAccount(id: string, patch: Record<string, unknown>): void;
  accounts: SObject[];
  stats(): { requests: number; refreshes: number; byStatus: Record<string, number> };
  close(): Promise<void>;
}

const API = '/services/data/v65.0';

export async function startSalesforceSandbox(
  options: SalesforceSandboxOptions = {},
): Promise<SalesforceSandbox> {
  const client = { clientId: 'sandbox-connected-app', clientSecret: 'sandbox-client-secret-0000' };
  const refreshTokens = new Set<string>();
  const sessions = new Map<string, number>();
  const cursors = new Map<string, { rows: SObject[]; offset: number; fields: string[] }>();
  const lifetime = options.tokenLifetimeMs ?? 3_600_000;
  let dailyLimit = options.dailyLimit ?? 15_000;
  const batchSize = options.batchSize ?? 2000;
  const stats = { requests: 0, refreshes: 0, byStatus: {} as Record<string, number> };
  let usedToday = 0;
  let clock = Date.now();

  const accounts: SObject[] = generateCustomers(options.accounts ?? 300, options.seed ?? 3).map(
    (customer, index) => ({
      Id: `001${String(index).padStart(15, '0')}`,
      Name: customer.firma,
      AccountNumber: customer.kundennummer,
      Type: customer.typ,
      BillingStreet: `${customer.adresse.strasse} ${customer.adresse.hausnummer}`,
      BillingPostalCode: customer.adresse.plz,
      BillingCity: customer.adresse.ort,
      BillingCountry: customer.adresse.land,
      Phone: customer.ansprechpartner.telefon,
      SystemModstamp: customer.updated_at.replace('Z', '+0000'),
    }),
  );
  const contacts: SObject[] = accounts.slice(0, 50).map((account, index) => ({
    Id: `003${String(index).padStart(15, '0')}`,
    AccountId: account.Id,
    FirstName: 'Anna',
    LastName: `Schmidt ${index}`,
    Email: `anna.schmidt${index}@example.de`,
    SystemModstamp: account.SystemModstamp,
  }));
  const objects: Record<string, SObject[]> = { Account: accounts, Contact: contacts };

  const send = (
    response: http.ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    response.writeHead(status, {
      'content-type': 'application/json;charset=UTF-8',
      'sforce-limit-info': `api-usage=${Math.min(usedToday, dailyLimit)}/${dailyLimit}`,
      ...headers,
    });
    response.end(JSON.stringify(body));
  };
  const error = (errorCode: string, message: string) => [{ message, errorCode }];
  const faultAnswer = (status: number, errorCode: string, message: string): VendorAnswer => ({
    status,
    headers: { 'sforce-limit-info': `api-usage=${Math.min(usedToday, dailyLimit)}/${dailyLimit}` },
    body: error(errorCode, message),
  });
  // Salesforce never answers 429: going too fast is a 403 REQUEST_LIMIT_EXCEEDED as well.
  const admin = new SandboxAdmin({
    answers: {
      contentType: 'application/json;charset=UTF-8',
      serverError: (status) =>
        status === 503
          ? faultAnswer(503, 'SERVER_UNAVAILABLE', 'Server temporarily unavailable. Please try again later.')
          : faultAnswer(
              500,
              'UNKNOWN_EXCEPTION',
              'An unexpected error occurred. Please include this ErrorId if you contact support: 1930355745-55881 (-1240946453)',
            ),
      throttled: () => faultAnswer(403, 'REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.'),
      quotaExceeded: () => faultAnswer(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'),
    },
    expireTokens: () => sessions.clear(),
  });

  const server = http.createServer(admin.listener(handle));

  async function handle(request: http.IncomingMessage, response: http.ServerResponse, url: URL) {
    if (url.pathname === '/services/oauth2/token' && request.method === 'POST')
      return issueSession(request, response);
    stats.requests += 1;
    usedToday += 1;
    if (await admin.intercept(request, response)) return;
    if (usedToday > dailyLimit) {
      return send(response, 403, error('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'));
    }
    const token = request.headers.authorization?.replace(/^Bearer /, '') ?? '';
    const expires = sessions.get(token);
    if (!expires || expires < Date.now())
      return send(response, 401, error('INVALID_SESSION_ID', 'Session expired or invalid'));

    if (url.pathname === `${API}/limits`)
      return send(response, 200, {
        DailyApiRequests: { Max: dailyLimit, Remaining: dailyLimit - usedToday },
      });
    if (url.pathname === `${API}/query`)
      return query(response, url.searchParams.get('q') ?? '', request.headers['sforce-query-options']);
    const more = new RegExp(`^${API}/query/(01g[\\w-]+)$`).exec(url.pathname);
    if (more?.[1]) {
      const cursor = cursors.get(more[1]);
      if (!cursor) return send(response, 400, error('INVALID_QUERY_LOCATOR', 'invalid query locator'));
      return batch(response, more[1], cursor);
    }
    const sobject = new RegExp(`^${API}/sobjects/Account/(\\w+)$`).exec(url.pathname);
    const account = sobject && accounts.find((row) => row.Id === sobject[1]);
    if (account && request.method === 'GET') {
      return send(response, 200, { attributes: { type: 'Account', url: url.pathname }, ...account });
    }
    if (account && request.method === 'PATCH') {
      let patch: Record<string, unknown>;
      try {
        patch = ((await readJsonBody(request)) ?? {}) as Record<string, unknown>;
      } catch {
        return send(response, 400, error('JSON_PARSER_ERROR', 'The request body is not valid JSON'));
      }
      const unknown = Object.keys(patch).find((field) => !(field in account) || field === 'Id');
      if (unknown) {
        return send(
          response,
          400,
          error('INVALID_FIELD', `No such column '${unknown}' on sobject of type Account`),
        );
      }
      clock = Math.max(Date.now(), clock + 1000);
      Object.assign(account, patch, {
        SystemModstamp: new Date(clock).toISOString().replace('Z', '+0000'),
      });
      response.writeHead(204);
      response.end();
      return;
    }
    return send(response, 404, error('NOT_FOUND', 'The requested resource does not exist'));
  }

  /** The token endpoint: a refresh-token grant opens a session. */
  async function issueSession(request: http.IncomingMessage, response: http.ServerResponse) {
    const form = new URLSearchParams(await readTextBody(request));
    const basic = request.headers.authorization?.startsWith('Basic ')
      ? Buffer.from(request.headers.authorization.slice(6), 'base64').toString().split(':')
      : [];
    const clientId = form.get('client_id') ?? basic[0];
    const secret = form.get('client_secret') ?? basic[1];
    if (clientId !== client.clientId || secret !== client.clientSecret) {
      return send(response, 400, {
        error: 'invalid_client',
        error_description: 'invalid client credentials',
      });
    }
    if (form.get('grant_type') !== 'refresh_token' || !refreshTokens.has(form.get('refresh_token') ?? '')) {
      return send(response, 400, {
        error: 'invalid_grant',
        error_description: 'expired access/refresh token',
      });
    }
    stats.refreshes += 1;
    const access = `00D!${randomBytes(24).toString('base64url')}`;
    sessions.set(access, Date.now() + lifetime);
    return send(response, 200, {
      access_token: access,
      instance_url: `http://127.0.0.1:${port}`,
      id: `http://127.0.0.1:${port}/id/00D/005`,
      token_type: 'Bearer',
      issued_at: String(Date.now()),
      signature: randomBytes(16).toString('base64'),
    });
  }

  function query(response: http.ServerResponse, soql: string, options: string | string[] | undefined) {
    const match =
      /^SELECT\s+([\w,\s]+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+SystemModstamp\s*>\s*(\S+))?\s+ORDER\s+BY\s+(\w+)\s+ASC$/i.exec(
        soql.trim(),
      );
    if (!match)
      return send(response, 400, error('MALFORMED_QUERY', `unexpected token in: ${soql.slice(0, 80)}`));
    const [, fieldList, object, since, orderBy] = match as unknown as [
      string,
      string,
      string,
      string | undefined,
      string,
    ];
    const rows = objects[object];
    if (!rows) return send(response, 400, error('INVALID_TYPE', `sObject type '${object}' is not supported`));
    const fields = fieldList.split(',').map((field) => field.trim());
    const sinceMs = since ? Date.parse(since.replace(/\+0000$/, 'Z')) : Number.NEGATIVE_INFINITY;
    const selected = rows
      .filter((row) => Date.parse(row.SystemModstamp.replace(/\+0000$/, 'Z')) > sinceMs)
      .sort((a, b) => (String(a[orderBy]) < String(b[orderBy]) ? -1 : 1));
    const requested = /batchSize=(\d+)/.exec(String(options ?? ''))?.[1];
    const size = Math.min(batchSize, requested ? Number(requested) : batchSize);
    const locator = `01g${randomBytes(6).toString('hex')}`;
    const cursor = { rows: selected, offset: 0, fields, size };
    cursors.set(locator, cursor);
    return batch(response, locator, cursor);
  }

  function batch(
    response: http.ServerResponse,
    locator: string,
    cursor: { rows: SObject[]; offset: number; fields: string[]; size?: number },
  ) {
    const size = cursor.size ?? batchSize;
    const rows = cursor.rows.slice(cursor.offset, cursor.offset + size);
    const offset = cursor.offset + rows.length;
    const done = offset >= cursor.rows.length;
    let nextRecordsUrl: string | undefined;
    if (!done) {
      const next = `${locator.split('-')[0]}-${offset}`;
      cursors.set(next, { ...cursor, offset });
      nextRecordsUrl = `${API}/query/${next}`;
    }
    send(response, 200, {
      totalSize: cursor.rows.length,
      done,
      ...(nextRecordsUrl ? { nextRecordsUrl } : {}),
      records: rows.map((row) => ({
        attributes: {
          type: row.Id.startsWith('001') ? 'Account' : 'Contact',
          url: `${API}/sobjects/x/${row.Id}`,
        },
        ...Object.fromEntries(cursor.fields.map((field) => [field, row[field] ?? null])),
      })),
    });
  }

  const port = await new Promise<number>((resolve) =>
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    client,
    grant: () => {
      const token = `5Aep${randomBytes(24).toString('base64url')}`;
      refreshTokens.add(token);
      return token;
    },
    expireSessions: () => sessions.clear(),
    expireQueryLocators: () => cursors.clear(),
    newDay: (limit) => {
      usedToday = 0;
      dailyLimit = limit ?? dailyLimit;
    },
    updateAccount: (id, patch) => {
      const account = accounts.find((row) => row.Id === id);
      if (!account) throw new Error(`no account ${id}`);
      clock = Math.max(Date.now(), clock + 1000);
      Object.assign(account, patch, { SystemModstamp: new Date(clock).toISOString().replace('Z', '+0000') });
    },
    accounts,
    stats: () => structuredClone(stats),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
