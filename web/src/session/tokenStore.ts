// The signed-in session lives in sessionStorage: it survives reloads and the OAuth round trips in
// this tab, and is gone when the tab closes. An API token, or the tokens the OpenID provider
// issued (the access token is the bearer token; the refresh and ID tokens renew and end it).
const SESSION_KEY = 'hub.session';

export interface ProviderLink {
  issuer: string;
  clientId: string;
  tokenEndpoint: string;
  endSessionEndpoint: string | null;
  resource: string | null;
}

export type StoredSession =
  | { kind: 'token'; id: string; token: string }
  | {
      kind: 'oidc';
      /** Stays the same when the tokens are renewed, so pages keep their state. */
      id: string;
      token: string;
      refreshToken: string | null;
      idToken: string | null;
      /** Milliseconds since the epoch; null when the provider said nothing about it. */
      expiresAt: number | null;
      provider: ProviderLink;
    };

export function readSession(): StoredSession | null {
  const raw = sessionStorage.getItem(SESSION_KEY);
  if (!raw) return null;
  try {
    const session = JSON.parse(raw) as StoredSession;
    return typeof session.token === 'string' ? session : null;
  } catch {
    return null;
  }
}

export function readToken(): string | null {
  return readSession()?.token ?? null;
}

export function storeSession(session: StoredSession): void {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

export function forgetSession(): void {
  sessionStorage.removeItem(SESSION_KEY);
}
