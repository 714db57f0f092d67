// OAuth2 bearer tokens that refresh themselves: ahead of expiry, and once on a 401. The refresh
// itself is handed in by the hub (tokenRefresher), which serialises it across processes and stores
// a rotated refresh token before the new access token is used.
import type { AuthProvider, OutgoingRequest } from './authProvider.ts';

export interface OAuthTokens {
  accessToken: string;
  /** Epoch milliseconds; undefined when the server did not say. */
  expiresAt: number | undefined;
}

export interface OAuthTokenSource {
  current(): OAuthTokens;
  /** Returns fresh tokens; `rejected` is the access token the source just refused, if any. */
  refresh(rejected: string | undefined): Promise<OAuthTokens>;
  secrets(): string[];
}

/** Refresh this long before the server's expiry, so a token never expires mid-request. */
export const REFRESH_AHEAD_MS = 60_000;

export function oauth2Auth(source: OAuthTokenSource): AuthProvider {
  let tokens = source.current();
  let pending: Promise<OAuthTokens> | undefined;

  const refresh = (rejected: string | undefined) => {
    pending ??= source.refresh(rejected).finally(() => {
      pending = undefined;
    });
    return pending;
  };

  return {
    kind: 'oauth2',
    apply: async (request: OutgoingRequest) => {
      if (tokens.expiresAt !== undefined && tokens.expiresAt - REFRESH_AHEAD_MS <= Date.now()) {
        tokens = await refresh(undefined);
      }
      request.headers.authorization = `Bearer ${tokens.accessToken}`;
    },
    onUnauthorized: async () => {
      const rejected = tokens.accessToken;
      const fresh = await refresh(rejected);
      if (fresh.accessToken === rejected) return false;
      tokens = fresh;
      return true;
    },
    secrets: () => [tokens.accessToken, ...source.secrets()],
  };
}
