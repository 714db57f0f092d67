// The HTTP client every connector gets: undici with keep-alive, auth injection, the shared rate
// limit, retries with backoff that honour Retry-After, the circuit breaker, conditional requests,
// the error taxonomy and one integration_logs row per attempt with secrets redacted.
import { randomBytes } from 'node:crypto';
import type { CircuitBreakerPolicy } from 'cockatiel';
import { type Dispatcher, request as undiciRequest } from 'undici';
import type { RetryPolicy } from '../../registry/integrationSchema.ts';
import type { AuthProvider, OutgoingRequest } from './auth/authProvider.ts';
import type { ConditionalCache } from './conditionalCache.ts';
import { ConnectorError, kindOfHttpStatus, toConnectorError } from './connectorError.ts';
import type { IntegrationRateLimiter } from './rateLimiter.ts';
import {
  type HeaderBag,
  type RateLimitHint,
  retryAfterMs,
  standardRateLimitHint,
} from './rateLimitHeaders.ts';
import type { Redactor } from './redact.ts';
import type { RequestLogWriter } from './requestLog.ts';
import { createRetry, resilient } from './resilience.ts';

export interface HttpRequest {
  method?: string;
  /** A path joined to the base URL, or an absolute URL on the base URL's origin (next links). */
  path: string;
  query?: Record<string, string | number | boolean | undefined | null>;
  headers?: Record<string, string>;
  json?: unknown;
  body?: string | Buffer;
  /** Send If-None-Match / If-Modified-Since from the last answer and reuse its body on 304. */
  conditional?: boolean;
  /** Retry failures; defaults to true for idempotent methods only. */
  retry?: boolean;
  signal?: AbortSignal;
  /** Override how long a rate limit or Retry-After may be waited out before the error goes up. */
  maxWaitMs?: number;
  /** Hand the source's own 4xx answers back instead of throwing (the outbound proxy). */
  passClientErrors?: boolean;
  /** Parse the body as JSON within the attempt, so a malformed answer is retried like a failed one. */
  parseJson?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: HeaderBag;
  body: Buffer;
  url: string;
  /** The source answered 304 and the body is the cached one. */
  notModified: boolean;
  /** With notModified: when the hub stored the cached answer. */
  cachedAt?: Date | undefined;
  durationMs: number;
  json<T = unknown>(): T;
  text(): string;
}

/** A vendor's own reading of an answer, e.g. errors inside an HTTP 200 (GraphQL complexity limits). */
export type ResponseClassifier = (response: HttpResponse) => ConnectorError | undefined;

export interface HttpClientOptions {
  integrationId: string;
  baseUrl: string;
  auth: AuthProvider;
  redactor: Redactor;
  dispatcher: Dispatcher;
  timeoutMs: number;
  retryPolicy: RetryPolicy;
  breaker: CircuitBreakerPolicy;
  rateLimiter: IntegrationRateLimiter;
  log: RequestLogWriter;
  cache?: ConditionalCache | undefined;
  defaultHeaders?: Record<string, string>;
  /** How long rate limits and Retry-After are waited out by default. */
  maxWaitMs: number;
  rateLimitHint?: (headers: HeaderBag) => RateLimitHint | undefined;
  classify?: ResponseClassifier;
  traceId?: string | undefined;
  onRateLimited?: (details: { retryAfterMs: number | undefined; url: string }) => void;
  /** Told of every attempt: its status (undefined when no answer came) and duration. */
  onAttempt?: (status: number | undefined, durationMs: number) => void;
}

const idempotent = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export class ConnectorHttpClient {
  readonly #options: HttpClientOptions;
  readonly #base: URL;

  constructor(options: HttpClientOptions) {
    this.#options = options;
    this.#base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  }

  get baseUrl(): string {
    return this.#base.toString();
  }

  async request(input: HttpRequest): Promise<HttpResponse> {
    const method = (input.method ?? 'GET').toUpperCase();
    const url = this.resolve(input.path, input.query);
    const what = `${method} ${this.#options.redactor.url(url)}`;
    const maxWaitMs = input.maxWaitMs ?? this.#options.maxWaitMs;
    const attempt = () => this.#attempt(method, url, input, maxWaitMs);
    if (input.retry === false || (input.retry === undefined && !idempotent.has(method))) {
      return attempt();
    }
    return resilient(
      createRetry(this.#options.retryPolicy, { maxRetryWaitMs: maxWaitMs }),
      this.#options.breaker,
      attempt,
      input.signal,
      what,
    );
  }

  /** Joins a path to the base URL; absolute URLs must stay on the base URL's origin. */
  resolve(path: string, query?: HttpRequest['query']): URL {
    let url: URL;
    if (/^https?:\/\//i.test(path)) {
      url = new URL(path);
      if (url.origin !== this.#base.origin) {
        throw new ConnectorError(
          'config',
          `refusing to follow ${url.origin}: credentials are only sent to ${this.#base.origin}`,
        );
      }
    } else {
      url = new URL(path.replace(/^\//, ''), this.#base);
    }
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    }
    return url;
  }

  async #attempt(method: string, url: URL, input: HttpRequest, maxWaitMs: number): Promise<HttpResponse> {
    const options = this.#options;
    await options.rateLimiter.take(maxWaitMs, input.signal);
    const cacheKey = input.conditional && method === 'GET' && options.cache ? `GET ${url}` : undefined;
    const cached = cacheKey ? await options.cache?.get(cacheKey) : undefined;
    let authRetried = false;
    for (;;) {
      const outgoing: OutgoingRequest = {
        method,
        url: new URL(url),
        headers: {
          accept: 'application/json',
          ...lowerKeys(options.defaultHeaders),
          ...lowerKeys(input.headers),
        },
      };
      if (cached?.etag) outgoing.headers['if-none-match'] = cached.etag;
      if (cached?.lastModified) outgoing.headers['if-modified-since'] = cached.lastModified;
      let body: string | Buffer | undefined = input.body;
      if (input.json !== undefined) {
        body = JSON.stringify(input.json);
        outgoing.headers['content-type'] ??= 'application/json';
      }
      if (options.traceId && /^[\da-f]{32}$/.test(options.traceId)) {
        // W3C trace context: the hub's trace continues at the source, with a new span id per request.
        outgoing.headers.traceparent ??= `00-${options.traceId}-${randomBytes(8).toString('hex')}-01`;
      }
      await options.auth.apply(outgoing);
      const started = performance.now();
      let response: HttpResponse;
      try {
        response = await this.#send(outgoing, body, input.signal);
      } catch (error) {
        const failure = toConnectorError(error, `${method} ${options.redactor.url(url)}`);
        options.onAttempt?.(undefined, performance.now() - started);
        this.#log(outgoing, body, undefined, performance.now() - started, failure);
        throw failure;
      }
      options.onAttempt?.(response.status, response.durationMs);
      this.#readRateLimitHint(response.headers);
      if (response.status === 401 && !authRetried && options.auth.onUnauthorized) {
        authRetried = true;
        this.#log(outgoing, body, response, response.durationMs, undefined);
        if (await options.auth.onUnauthorized({ status: 401, headers: response.headers }, outgoing)) continue;
      }
      if (response.status === 304 && cached) {
        response = {
          ...response,
          status: 200,
          body: cached.body,
          notModified: true,
          cachedAt: cached.storedAt,
        };
        response.json = jsonReader(response);
        response.text = () => response.body.toString('utf8');
      }
      const failure = this.#failureOf(response, method, url, input.passClientErrors === true);
      this.#log(outgoing, body, response, response.durationMs, failure);
      if (failure) {
        if (failure.kind === 'rate_limited') {
          options.onRateLimited?.({ retryAfterMs: failure.retryAfterMs, url: options.redactor.url(url) });
        }
        throw failure;
      }
      if (input.parseJson) {
        try {
          response.json();
        } catch (error) {
          const malformed = error as ConnectorError;
          this.#log(outgoing, body, response, response.durationMs, malformed);
          throw malformed;
        }
      }
      // Only an answer that parsed is kept for conditional requests.
      if (cacheKey && !response.notModified && response.status === 200) {
        const etag = header(response.headers, 'etag');
        const lastModified = header(response.headers, 'last-modified');
        if (etag || lastModified) {
          await options.cache?.put(cacheKey, {
            etag: etag ?? null,
            lastModified: lastModified ?? null,
            body: response.body,
            contentType: header(response.headers, 'content-type') ?? null,
          });
        }
      }
      return response;
    }
  }

  async #send(outgoing: OutgoingRequest, body: string | Buffer | undefined, signal?: AbortSignal) {
    const options = this.#options;
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const started = performance.now();
    const answer = await undiciRequest(outgoing.url, {
      method: outgoing.method as Dispatcher.HttpMethod,
      headers: outgoing.headers,
      body: body ?? null,
      dispatcher: options.dispatcher,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of answer.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) {
        answer.body.destroy();
        throw new ConnectorError('permanent', `the answer is larger than ${MAX_BODY_BYTES} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    const response: HttpResponse = {
      status: answer.statusCode,
      headers: answer.headers,
      body: Buffer.concat(chunks),
      url: outgoing.url.toString(),
      notModified: false,
      durationMs: performance.now() - started,
      json: () => undefined as never,
      text: () => '',
    };
    response.json = jsonReader(response);
    response.text = () => response.body.toString('utf8');
    return response;
  }

  #failureOf(
    response: HttpResponse,
    method: string,
    url: URL,
    passClientErrors: boolean,
  ): ConnectorError | undefined {
    const vendor = this.#options.classify?.(response);
    if (vendor) return vendor;
    const kind = kindOfHttpStatus(response.status);
    if (!kind) return undefined;
    if (passClientErrors && response.status < 500 && (kind === 'permanent' || response.status === 403))
      return undefined;
    const what = `${method} ${this.#options.redactor.url(url)}`;
    const detail = problemDetail(response, this.#options.redactor);
    return new ConnectorError(kind, `${what}: HTTP ${response.status}${detail ? ` (${detail})` : ''}`, {
      httpStatus: response.status,
      retryAfterMs: retryAfterMs(response.headers),
    });
  }

  #readRateLimitHint(headers: HeaderBag): void {
    const hint = (this.#options.rateLimitHint ?? standardRateLimitHint)(headers);
    if (hint?.remaining === 0 && hint.resetMs !== undefined && hint.resetMs > 0) {
      this.#options.rateLimiter.pauseFor(hint.resetMs);
    }
  }

  #log(
    outgoing: OutgoingRequest,
    body: string | Buffer | undefined,
    response: HttpResponse | undefined,
    durationMs: number,
    failure: ConnectorError | undefined,
  ): void {
    const { redactor } = this.#options;
    this.#options.log.write({
      integrationId: this.#options.integrationId,
      eventType: 'http_request',
      status: failure || (response && response.status >= 400) ? 'error' : 'success',
      method: outgoing.method,
      url: redactor.url(outgoing.url),
      httpStatus: response?.status,
      requestData: {
        headers: redactor.headers(outgoing.headers),
        body:
          typeof body === 'string' ? redactor.bodySummary(body) : body ? `${body.length} bytes` : undefined,
      },
      responseData: response
        ? {
            headers: redactor.headers(pickHeaders(response.headers)),
            bytes: response.body.length,
            notModified: response.notModified || undefined,
            body: response.status >= 400 ? redactor.bodySummary(response.text()) : undefined,
          }
        : undefined,
      errorDetails: failure ? { kind: failure.kind, message: redactor.text(failure.message) } : undefined,
      durationMs,
      traceId: this.#options.traceId,
    });
  }
}

function jsonReader(response: HttpResponse) {
  let parsed: { value: unknown } | undefined;
  return <T>(): T => {
    if (parsed) return parsed.value as T;
    try {
      parsed = { value: JSON.parse(response.body.toString('utf8')) };
      return parsed.value as T;
    } catch (error) {
      throw new ConnectorError('transient', `${response.url}: the source sent malformed JSON`, {
        httpStatus: response.status,
        cause: error,
      });
    }
  };
}

function problemDetail(response: HttpResponse, redactor: Redactor): string | undefined {
  try {
    const body = response.json<Record<string, unknown>>();
    const detail = body.detail ?? body.title ?? body.message ?? body.error;
    return typeof detail === 'string' ? redactor.text(detail).slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}

const loggedHeaders = [
  'content-type',
  'retry-after',
  'etag',
  'last-modified',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
  'www-authenticate',
];

function pickHeaders(headers: HeaderBag): HeaderBag {
  const picked: HeaderBag = {};
  for (const name of loggedHeaders) if (headers[name] !== undefined) picked[name] = headers[name];
  return picked;
}

function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function lowerKeys(headers: Record<string, string> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) result[name.toLowerCase()] = value;
  return result;
}
