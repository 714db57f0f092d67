// Xentral's legacy API, as older installations still run it: /api/v1/adressen with German field
// names, HTTP Digest authentication (MD5, qop=auth), paging with page and items (at most 1000),
// and errors shaped {"error": {"code", "http_code", "message"}}. The paging envelope follows the
// legacy documentation as far as it could be confirmed; its exact field names are unconfirmed.
import { createHash, randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { XentralRecord } from './data.ts';

export interface LegacyAccount {
  username: string;
  password: string;
}

const REALM = 'Xentral-API';
const md5 = (value: string) => createHash('md5').update(value).digest('hex');

export function createLegacyApi(
  account: LegacyAccount,
  customers: () => XentralRecord[],
  addresses: (id: string) => XentralRecord[],
) {
  const nonces = new Set<string>();

  const fail = (
    response: http.ServerResponse,
    status: number,
    code: number,
    message: string,
    headers: Record<string, string> = {},
  ) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify({ error: { code, http_code: status, message } }));
  };

  const authorised = (request: http.IncomingMessage): boolean => {
    const header = request.headers.authorization ?? '';
    if (!header.startsWith('Digest ')) return false;
    const fields: Record<string, string> = {};
    for (const match of header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]+))/g)) {
      fields[match[1] as string] = match[2] ?? match[3] ?? '';
    }
    if (fields.username !== account.username || !fields.nonce || !nonces.has(fields.nonce)) return false;
    const ha1 = md5(`${account.username}:${REALM}:${account.password}`);
    const ha2 = md5(`${request.method}:${fields.uri}`);
    const expected = md5(`${ha1}:${fields.nonce}:${fields.nc}:${fields.cnonce}:${fields.qop}:${ha2}`);
    return fields.qop === 'auth' && fields.response === expected && fields.uri === request.url;
  };

  return (request: http.IncomingMessage, response: http.ServerResponse, url: URL) => {
    if (!authorised(request)) {
      const nonce = randomBytes(16).toString('hex');
      nonces.add(nonce);
      return fail(response, 401, 7411, 'Unauthorized', {
        'www-authenticate': `Digest realm="${REALM}", qop="auth", nonce="${nonce}", opaque="${md5(REALM)}", algorithm=MD5`,
      });
    }
    if (url.pathname !== '/api/v1/adressen') return fail(response, 404, 7452, 'Resource not found');
    const page = Number(url.searchParams.get('page') ?? '1');
    const items = Number(url.searchParams.get('items') ?? '20');
    if (!Number.isInteger(items) || items < 1 || items > 1000)
      return fail(response, 400, 7453, 'items must be between 1 and 1000');
    const all = customers().map((customer) => {
      const address = addresses(customer.id)[0];
      const [strasse, hausnummer] = String(address?.street ?? '').split(/ (?=\S+$)/);
      return {
        id: customer.id,
        kundennummer: customer.number,
        typ: 'firma',
        name: customer.name,
        ansprechpartner: `${customer.firstname} ${customer.lastname}`,
        strasse,
        hausnummer,
        plz: address?.zip,
        ort: address?.city,
        land: address?.country,
        telefon: customer.phone,
        email: customer.email,
        ustid: customer.vatId,
        geaendert_am: customer.updatedAt,
      };
    });
    const data = all.slice((page - 1) * items, page * items);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        data,
        pagination: {
          items_per_page: items,
          items_current: data.length,
          items_total: all.length,
          page_current: page,
          page_last: Math.max(1, Math.ceil(all.length / items)),
        },
      }),
    );
  };
}
