// The soap package's client over a transport the hub chooses: the adapter's ConnectorHttpClient
// (auth, the shared rate limit, retries, request log) or plain fetch for a connection test, which
// has no runtime. SOAP faults are read here into the connector error taxonomy.
import { type Client, createClientAsync, type IHttpClient, WSSecurity } from 'soap';
import { type AuthProvider, basicAuth, noAuth } from '../sdk/auth/authProvider.ts';
import { ConnectorError, kindOfHttpStatus, toConnectorError } from '../sdk/connectorError.ts';
import { type HeaderBag, retryAfterMs } from '../sdk/rateLimitHeaders.ts';
import type { SoapConfig, SoapCredentials, SoapFaults } from './config.ts';

export interface SoapExchange {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface SoapAnswer {
  status: number;
  headers: HeaderBag;
  body: string;
}

/** Sends one request; an answer that is a failure is thrown as a ConnectorError. */
export type SoapTransport = (exchange: SoapExchange) => Promise<SoapAnswer>;

export class SoapFault extends ConnectorError {
  override name = 'SoapFault';
  readonly faultcode: string;
  readonly faultstring: string;
  /** The source asks for a full pass: its change log does not reach back to "changed since". */
  readonly resync: boolean;

  constructor(
    kind: ConnectorError['kind'],
    fault: { code: string; message: string },
    details: { httpStatus: number; retryAfterMs?: number | undefined; resync?: boolean },
  ) {
    super(kind, `SOAP fault ${fault.code}: ${fault.message}`, details);
    this.faultcode = fault.code;
    this.faultstring = fault.message;
    this.resync = details.resync === true;
  }
}

export interface SoapSession {
  /** Calls an operation; resolves with its result as plain JSON (dates as ISO strings). */
  call(
    operation: string,
    args: Record<string, unknown>,
    signal: AbortSignal,
    where?: { service?: string | undefined; port?: string | undefined },
  ): Promise<unknown>;
}

type SoapMethod = (
  args: unknown,
  callback: (error: unknown, result: unknown) => void,
  options: { signal: AbortSignal },
) => void;

export async function openSoapSession(
  config: SoapConfig,
  credentials: SoapCredentials,
  transport: SoapTransport,
  signal: AbortSignal,
): Promise<SoapSession> {
  let client: Client;
  try {
    client = await createClientAsync(config.wsdlUrl, {
      httpClient: bridge(transport),
      // One parse per adapter: a shared cache would also share the first integration's transport.
      disableCache: true,
      forceSoap12Headers: config.soapVersion === '1.2',
      wsdl_options: { signal },
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    });
  } catch (error) {
    if (error instanceof ConnectorError) throw error;
    throw new ConnectorError(
      'config',
      `the WSDL at ${config.wsdlUrl} could not be read: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (config.auth.kind === 'wsSecurity') {
    client.setSecurity(
      new WSSecurity(credentials.username ?? '', credentials.password ?? '', {
        passwordType: config.auth.passwordType,
        hasTimeStamp: config.auth.timestamp,
      }),
    );
  }
  const services = client.describe() as Record<string, Record<string, Record<string, unknown>>>;
  const ports = client as unknown as Record<string, Record<string, Record<string, SoapMethod>>>;

  const locate = (operation: string, where: { service?: string | undefined; port?: string | undefined }) => {
    for (const [serviceName, servicePorts] of Object.entries(services)) {
      if (where.service && serviceName !== where.service) continue;
      for (const [portName, operations] of Object.entries(servicePorts)) {
        if (where.port && portName !== where.port) continue;
        const method = ports[serviceName]?.[portName]?.[operation];
        if (operation in operations && typeof method === 'function') return method;
      }
    }
    const offered = Object.values(services).flatMap((servicePorts) =>
      Object.values(servicePorts).flatMap((operations) => Object.keys(operations)),
    );
    throw new ConnectorError(
      'config',
      `the WSDL has no operation "${operation}"${where.service || where.port ? ' at the configured service and port' : ''} (it offers ${[...new Set(offered)].join(', ') || 'none'})`,
    );
  };

  return {
    call: (operation, args, callSignal, where = {}) =>
      new Promise((resolve, reject) => {
        const method = locate(operation, where);
        method(
          args,
          (error, result) => {
            if (error) reject(soapFailure(error, operation));
            else resolve(JSON.parse(JSON.stringify(result ?? null)));
          },
          { signal: callSignal },
        );
      }),
  };
}

/** The soap package's HTTP, routed through the transport. */
function bridge(transport: SoapTransport): IHttpClient {
  return {
    request(url, data, callback, extraHeaders, extraOptions) {
      const headers: Record<string, string> = {
        accept: 'text/xml, application/soap+xml, application/xml;q=0.9, */*;q=0.5',
      };
      for (const [name, value] of Object.entries(extraHeaders ?? {})) {
        if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
      }
      const exchange: SoapExchange = {
        method: data ? 'POST' : 'GET',
        url: new URL(url),
        headers,
        body: typeof data === 'string' ? data : undefined,
        signal: (extraOptions?.signal as AbortSignal | undefined) ?? undefined,
      };
      const sent = transport(exchange).then(
        (answer) => {
          const response = { status: answer.status, headers: answer.headers, data: answer.body };
          callback(null, response, answer.body);
          return response;
        },
        (error: unknown) => {
          callback(error);
          return undefined;
        },
      );
      // A throw while the soap package reads the answer must still settle its call.
      sent.catch((error: unknown) => callback(error));
      return sent as ReturnType<IHttpClient['request']>;
    },
  };
}

function soapFailure(error: unknown, operation: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const code = (error as { code?: string }).code;
  if (code) return toConnectorError(error, operation);
  return new ConnectorError(
    'permanent',
    `${operation}: the answer could not be read as the WSDL describes it (${(error as Error).message})`,
    { cause: error },
  );
}

/** Auth on the HTTP level; a UsernameToken travels in the envelope, where the log must not show it. */
export function soapHttpAuth(config: SoapConfig, credentials: SoapCredentials): AuthProvider {
  const password = credentials.password ?? '';
  if (config.auth.kind === 'basic') return basicAuth(credentials.username ?? '', password);
  if (config.auth.kind === 'wsSecurity') {
    return { kind: 'wsSecurity', apply: async () => {}, secrets: () => [password, escapeXml(password)] };
  }
  return noAuth;
}

/** Credentials go to the WSDL's own origin and to the service address, never to schemas elsewhere. */
export function sendsCredentials(exchange: SoapExchange, wsdlUrl: string): boolean {
  return exchange.method === 'POST' || exchange.url.origin === new URL(wsdlUrl).origin;
}

/** What a SOAP answer means beyond its HTTP status: a fault, or a 503 that asks to wait. */
export function classifySoapAnswer(answer: SoapAnswer, faults: SoapFaults): ConnectorError | undefined {
  const httpStatus = answer.status;
  const wait = retryAfterMs(answer.headers);
  const fault = httpStatus === 401 ? undefined : readFault(answer.body);
  if (fault) {
    const matches = (names: string[]) => names.some((name) => faultMatches(fault, name));
    if (matches(faults.auth)) return new SoapFault('auth', fault, { httpStatus });
    if (matches(faults.rateLimit) || (httpStatus === 503 && wait !== undefined)) {
      return new SoapFault('rate_limited', fault, {
        httpStatus,
        retryAfterMs: wait ?? faults.retryAfterSeconds * 1000,
      });
    }
    return new SoapFault('permanent', fault, { httpStatus, resync: matches(faults.resync) });
  }
  if (httpStatus === 503 && wait !== undefined) {
    return new ConnectorError('rate_limited', `HTTP 503 with Retry-After (${Math.ceil(wait / 1000)} s)`, {
      httpStatus,
      retryAfterMs: wait,
    });
  }
  return undefined;
}

/** For transports without the SDK's status handling (the connection test). */
export function failureOfAnswer(
  answer: SoapAnswer,
  faults: SoapFaults,
  what: string,
): ConnectorError | undefined {
  const failure = classifySoapAnswer(answer, faults);
  if (failure) return failure;
  const kind = kindOfHttpStatus(answer.status);
  if (!kind) return undefined;
  const reason = answer.status === 401 ? 'the credentials were refused' : `HTTP ${answer.status}`;
  return new ConnectorError(kind, `${what}: ${reason}`, {
    httpStatus: answer.status,
    retryAfterMs: retryAfterMs(answer.headers),
  });
}

/** A transport of plain fetch, for a connection test before the integration has a runtime. */
export function fetchTransport(
  config: SoapConfig,
  credentials: SoapCredentials,
  signal: AbortSignal,
  fetch: typeof globalThis.fetch,
): SoapTransport {
  const auth = soapHttpAuth(config, credentials);
  return async (exchange) => {
    const outgoing = {
      method: exchange.method,
      url: new URL(exchange.url),
      headers: { ...config.headers, ...exchange.headers },
    };
    if (sendsCredentials(exchange, config.wsdlUrl)) await auth.apply(outgoing);
    const what = `${exchange.method} ${outgoing.url.host}${outgoing.url.pathname}`;
    let response: Response;
    try {
      response = await fetch(outgoing.url, {
        method: outgoing.method,
        headers: outgoing.headers,
        body: exchange.body ?? null,
        signal: AbortSignal.any([signal, AbortSignal.timeout(config.timeoutMs)]),
        redirect: 'manual',
      });
    } catch (error) {
      throw toConnectorError(error, what);
    }
    const answer = {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      body: await response.text(),
    };
    const failure = failureOfAnswer(answer, config.faults, what);
    if (failure) throw failure;
    return answer;
  };
}

// A fault is the first element of the Body; looking only there keeps record data that happens to
// contain the word out of it.
const faultStart = /<(?:[\w.-]+:)?Body(?:\s[^>]*)?>\s*<(?:[\w.-]+:)?Fault[\s/>]/;

/** SOAP 1.1 faultcode/faultstring or SOAP 1.2 Code/Value (most specific last) and Reason/Text. */
export function readFault(body: string): { code: string; codes: string[]; message: string } | undefined {
  const start = faultStart.exec(body);
  if (!start) return undefined;
  const fault = body.slice(start.index);
  const faultcodes = elements(fault, 'faultcode');
  const codes = faultcodes.length > 0 ? faultcodes : elements(fault, 'Value');
  const message = elements(fault, 'faultstring')[0] ?? elements(fault, 'Text')[0] ?? '';
  return { code: codes.at(-1) ?? 'unknown', codes, message };
}

function faultMatches(fault: { codes: string[]; message: string }, name: string): boolean {
  const local = localName(name);
  return (
    fault.codes.some((code) => code === name || localName(code) === local) ||
    fault.message.toLowerCase().includes(name.toLowerCase())
  );
}

const localName = (qualified: string) => qualified.slice(qualified.lastIndexOf(':') + 1);

function elements(xml: string, name: string): string[] {
  const pattern = new RegExp(`<(?:[\\w.-]+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w.-]+:)?${name}>`, 'g');
  return [...xml.matchAll(pattern)].map((match) =>
    decodeXml(
      (match[1] ?? '')
        .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_, text: string) => escapeXml(text))
        .replace(/<[^>]*>/g, '')
        .trim(),
    ),
  );
}

const namedEntities: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeXml(text: string): string {
  return text.replace(/&(#x[\da-f]+|#\d+|\w+);/gi, (entity, name: string) => {
    if (/^#x/i.test(name)) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
    return namedEntities[name] ?? entity;
  });
}

/** As the soap package escapes text, so the password in a UsernameToken is found in the log. */
function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#x9;')
    .replace(/\r/g, '&#xD;')
    .replace(/\n/g, '&#xA;');
}
