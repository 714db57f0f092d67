// An imitation of Klenty's API (VENDORS.md): /apis/v1/user/{accountEmail}/… with the x-API-key
// header, prospects filtered by last-updated date (yyyy/mm/dd) and paged by offset, cadences.
// Klenty documents neither response envelopes, error bodies nor rate limits; this sandbox answers
// bare JSON arrays, errors as {"status":"error","message"} (injected 429s with Retry-After), and
// sets no limit of its own (all unconfirmed).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateCustomers } from '../recordSource/customers.ts';
import { SandboxAdmin } from '../shared/adminRoutes.ts';
import type { VendorFaultAnswers } from '../shared/faultInjection.ts';

export interface KlentySandbox {
  url: string;
  accountEmail: string;
  /** POST /__sandbox/tokens/expire replaces the key, as Klenty has no refresh. */
  readonly apiKey: string;
  /** The base URL an integration uses: the API root of the account. */
  baseUrl: string;
  prospects: Record<string, string>[];
  updateProspect(email: string, patch: Record<string, string>): void;
  requests(): number;
  /** Path and query of every API request so far, in order. */
  requestLog(): string[];
  close(): Promise<void>;
}

export async function startKlentySandbox(
  options: { prospects?: number; port?: number } = {},
): Promise<KlentySandbox> {
  const accountEmail = 'vertrieb@frischdienst.example';
  let apiKey = 'klenty-sandbox-key-0000';
  let requestCount = 0;
  const requestLog: string[] = [];
  const firstUpdate = Date.parse('2026-11-01T08:00:00.000Z');
  const prospects = generateCustomers(options.prospects ?? 150, 7).map((customer, index) => ({
    Email: customer.ansprechpartner.email,
    FirstName: customer.ansprechpartner.vorname,
    LastName: customer.ansprechpartner.nachname,
    Company: customer.firma,
    Phone: customer.ansprechpartner.telefon,
    Title: 'Küchenchef',
    City: customer.adresse.ort,
    Country: customer.adresse.land,
    LastUpdated: new Date(firstUpdate + (index + 1) * 60_000).toISOString(),
  }));
  let clock = firstUpdate + prospects.length * 60_000;
  const cadences = [
    { id: 'cad-1', name: 'Neukunden Gastronomie' },
    { id: 'cad-2', name: 'Reaktivierung Kantinen' },
  ];
  const base = `/apis/v1/user/${encodeURIComponent(accountEmail)}`;

  const admin = new SandboxAdmin({
    answers: klentyFaults,
    expireTokens: () => {
      apiKey = `klenty-sandbox-key-${randomBytes(4).toString('hex')}`;
    },
    credentials: () => ({ apiKey }),
  });

  const server = http.createServer(admin.listener(handle));

  async function handle(request: http.IncomingMessage, response: http.ServerResponse, url: URL) {
    requestCount += 1;
    requestLog.push(`${url.pathname}${url.search}`);
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': klentyFaults.contentType });
      response.end(JSON.stringify(body));
    };
    if (await admin.intercept(request, response)) return;
    if (request.headers['x-api-key'] !== apiKey) return send(401, klentyError('Invalid API Key'));
    const path = url.pathname.replace(base.replace(/%40/g, '@'), '').replace(base, '');
    if (path === '/cadences') return send(200, cadences);
    if (path !== '/prospects') return send(404, klentyError('Not found'));
    const start = Number(url.searchParams.get('start') ?? '0');
    const limit = Math.min(100, Number(url.searchParams.get('limit') ?? '100'));
    const since = url.searchParams.get('lastUpdatedDateStart');
    const sinceDay = since ? since.replaceAll('/', '-') : undefined;
    const selected = sinceDay
      ? prospects.filter((prospect) => prospect.LastUpdated.slice(0, 10) >= sinceDay)
      : prospects;
    return send(200, selected.slice(start, start + limit));
  }

  const port = await new Promise<number>((resolve) =>
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    accountEmail,
    get apiKey() {
      return apiKey;
    },
    baseUrl: `${url}/apis/v1/user/${accountEmail}`,
    prospects,
    updateProspect: (email, patch) => {
      const prospect = prospects.find((item) => item.Email === email);
      if (!prospect) throw new Error(`no prospect ${email}`);
      clock = Math.max(Date.now(), clock + 1000);
      Object.assign(prospect, patch, { LastUpdated: new Date(clock).toISOString() });
    },
    requests: () => requestCount,
    requestLog: () => [...requestLog],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const klentyError = (message: string) => ({ status: 'error', message });

const klentyFaults: VendorFaultAnswers = {
  contentType: 'application/json',
  serverError: (status) => ({
    status,
    body: klentyError(status === 503 ? 'Service Unavailable' : 'Internal Server Error'),
  }),
  throttled: (retryAfter) => ({
    status: 429,
    headers: { 'retry-after': String(retryAfter) },
    body: klentyError('Too many requests'),
  }),
};
