// Keeps a sign-in at the OpenID provider alive: renews the access token with the refresh token a
// little before it expires, and again when the hub refuses it; without a refresh token (or when
// renewal fails) the session ends and the sign-in page says why.
import { useCallback, useEffect, useRef } from 'react';
import { ApiError, api } from '../api/client.ts';
import { renewTokens } from './oidcLogin.ts';
import { readSession, type StoredSession } from './tokenStore.ts';

export type SignInNotice =
  | { kind: 'expired' }
  | { kind: 'signedOut' }
  | { kind: 'refused'; reason: 'state' | 'provider' | 'hub' | 'failed'; detail: string };

const SIGNED_OUT_KEY = 'hub.signedOut';
/** Renew this long before expiry at most (a quarter of the token's remaining life when shorter). */
const RENEW_AHEAD_MS = 60_000;

/** Marks a sign-out that leaves the page for the provider's end-session endpoint. */
export function markSignedOut(): void {
  sessionStorage.setItem(SIGNED_OUT_KEY, 'provider');
}

/** The notice for the page the provider sends the browser back to after ending its session. */
export function takeSignedOutNotice(): SignInNotice | null {
  const flag = sessionStorage.getItem(SIGNED_OUT_KEY);
  sessionStorage.removeItem(SIGNED_OUT_KEY);
  return flag ? { kind: 'signedOut' } : null;
}

export function useTokenRenewal(
  session: StoredSession | null,
  onRenewed: (next: StoredSession) => void,
  onEnded: (notice: SignInNotice) => void,
): { renewNow(): Promise<void> } {
  const inFlight = useRef<Promise<void> | null>(null);

  const renew = useCallback(async () => {
    const current = readSession();
    if (current?.kind !== 'oidc') return;
    if (!current.refreshToken) {
      onEnded({ kind: 'expired' });
      return;
    }
    try {
      const tokens = await renewTokens(current.provider, current.refreshToken);
      onRenewed({
        ...current,
        token: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        idToken: tokens.idToken ?? current.idToken,
        expiresAt: tokens.expiresAt,
      });
    } catch {
      onEnded({ kind: 'expired' });
    }
  }, [onEnded, onRenewed]);

  /** After a 401: is the current token still good (the refused request used an older one)? Else renew. */
  const renewNow = useCallback(() => {
    inFlight.current ??= (async () => {
      const current = readSession();
      if (current?.kind !== 'oidc') return;
      try {
        await api('/me', { token: current.token });
        onRenewed(current);
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) await renew();
      }
    })().finally(() => {
      inFlight.current = null;
    });
    return inFlight.current;
  }, [onRenewed, renew]);

  const expiresAt = session?.kind === 'oidc' ? session.expiresAt : null;
  const canRenew = session?.kind === 'oidc' && session.refreshToken !== null;
  useEffect(() => {
    if (expiresAt === null) return;
    const remaining = expiresAt - Date.now();
    const ahead = canRenew ? Math.min(RENEW_AHEAD_MS, remaining / 4) : 0;
    const timer = window.setTimeout(
      () => {
        if (!canRenew) {
          onEnded({ kind: 'expired' });
          return;
        }
        inFlight.current ??= renew().finally(() => {
          inFlight.current = null;
        });
      },
      Math.max(0, remaining - ahead),
    );
    return () => window.clearTimeout(timer);
  }, [expiresAt, canRenew, renew, onEnded]);

  return { renewNow };
}
