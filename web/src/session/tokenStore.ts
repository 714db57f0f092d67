// The API token lives in sessionStorage: it survives reloads and the OAuth round trip in this tab,
// and is gone when the tab closes.
const TOKEN_KEY = 'hub.token';

export function readToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}
