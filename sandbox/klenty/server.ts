// An imitation of Klenty's API (VENDORS.md): /apis/v1/user/{accountEmail}/… with the x-API-key
// header, prospects filtered by last-updated date (yyyy/mm/dd) and paged by offset, cadences.
// Klenty documents neither response envelopes nor rate limits; this sandbox answers bare JSON
// arrays and sets no limit (both unconfirmed).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateCustomers } from '../recordSource/customers.ts';

export interface KlentySandbox {
  url: string;
  accountEmail: string;
  apiKey: string;
  /** The base URL an integration uses: the API root of the account. */
  baseUrl: string;
  prospects: Record<string, string>[];
  updateProspect(email: string, patch: Record<string, string>): void;
  requests(): number;
  close(): Promise<void>;
}

export async function startKlentySandbox(
  options: { prospects?: number; port?: number } = {},
): Promise<KlentySandbox> {
  const accountEmail = 'vertrieb@frischdienst.example';
  const apiKey = 'klenty-sandbox-key-0000';
  let requestCount = 0;
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

  const server = http.createServer((request, response) => {
    requestCount += 1;
    const url = new URL(request.url ?? '/', 'http://klenty.local');
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.headers['x-api-key'] !== apiKey)
      return send(401, { status: 'error', message: 'Invalid API Key' });
    const path = url.pathname.replace(base.replace(/%40/g, '@'), '').replace(base, '');
    if (path === '/cadences') return send(200, cadences);
    if (path !== '/prospects') return send(404, { status: 'error', message: 'Not found' });
    const start = Number(url.searchParams.get('start') ?? '0');
    const limit = Math.min(100, Number(url.searchParams.get('limit') ?? '100'));
    const since = url.searchParams.get('lastUpdatedDateStart');
    const sinceDay = since ? since.replaceAll('/', '-') : undefined;
    const selected = sinceDay
      ? prospects.filter((prospect) => prospect.LastUpdated.slice(0, 10) >= sinceDay)
      : prospects;
    return send(200, selected.slice(start, start + limit));
  });

  const port = await new Promise<number>((resolve) =>
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    accountEmail,
    apiKey,
    baseUrl: `${url}/apis/v1/user/${accountEmail}`,
    prospects,
    updateProspect: (email, patch) => {
      const prospect = prospects.find((item) => item.Email === email);
      if (!prospect) throw new Error(`no prospect ${email}`);
      clock = Math.max(Date.now(), clock + 1000);
      Object.assign(prospect, patch, { LastUpdated: new Date(clock).toISOString() });
    },
    requests: () => requestCount,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
