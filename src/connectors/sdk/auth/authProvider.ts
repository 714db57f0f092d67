// Auth injection: every outbound request of a connector passes its provider, so no connector
// builds an Authorization header by hand.
import type { HeaderBag } from '../rateLimitHeaders.ts';

export interface OutgoingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
}

export interface UnauthorizedResponse {
  status: number;
  headers: HeaderBag;
}

export interface AuthProvider {
  readonly kind: string;
  apply(request: OutgoingRequest): Promise<void>;
  /** Called on a 401; true when a repeat may now succeed (token refreshed, digest challenge read). */
  onUnauthorized?(response: UnauthorizedResponse, request: OutgoingRequest): Promise<boolean>;
  /** Secret values to scrub from anything the SDK writes down. */
  secrets(): string[];
}

export const noAuth: AuthProvider = {
  kind: 'none',
  apply: async () => {},
  secrets: () => [],
};

export function apiKeyAuth(
  key: string,
  placement: { header?: string; queryParam?: string } = { header: 'X-API-Key' },
): AuthProvider {
  return {
    kind: 'apiKey',
    apply: async (request) => {
      if (placement.queryParam) request.url.searchParams.set(placement.queryParam, key);
      else request.headers[(placement.header ?? 'X-API-Key').toLowerCase()] = key;
    },
    secrets: () => [key],
  };
}

export function bearerAuth(token: string): AuthProvider {
  return {
    kind: 'bearer',
    apply: async (request) => {
      request.headers.authorization = `Bearer ${token}`;
    },
    secrets: () => [token],
  };
}

export function basicAuth(username: string, password: string): AuthProvider {
  const encoded = Buffer.from(`${username}:${password}`).toString('base64');
  return {
    kind: 'basic',
    apply: async (request) => {
      request.headers.authorization = `Basic ${encoded}`;
    },
    secrets: () => [password, encoded],
  };
}
