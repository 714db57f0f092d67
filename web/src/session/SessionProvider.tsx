// The signed-in person: their session (sessionStorage) and who the hub says they are (GET /me).
// Signing in checks the token with the hub before keeping it. Tokens from the OpenID provider are
// renewed before they expire (refresh token) or, without one, the session ends with a notice.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, UNAUTHORIZED_EVENT } from '../api/client.ts';
import type { Principal } from '../api/types.ts';
import { endSessionUrl, type ProviderTokens } from './oidcLogin.ts';
import { markSignedOut, type SignInNotice, takeSignedOutNotice, useTokenRenewal } from './tokenRenewal.ts';
import {
  forgetSession,
  type ProviderLink,
  readSession,
  type StoredSession,
  storeSession,
} from './tokenStore.ts';

export type { SignInNotice } from './tokenRenewal.ts';

interface Session {
  token: string | null;
  principal: Principal | undefined;
  checking: boolean;
  /** The hub could not be asked who the token belongs to (not a refusal: that signs out). */
  error: Error | null;
  /** Why the sign-in page is shown again: the provider session expired, sign-out, a refused answer. */
  notice: SignInNotice | null;
  signIn(token: string): Promise<void>;
  /** `accepted` runs once the hub has accepted the token, in the same render as the new session. */
  signInWithProvider(tokens: ProviderTokens, provider: ProviderLink, accepted?: () => void): Promise<void>;
  signOut(): void;
  showNotice(notice: SignInNotice | null): void;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [session, setSession] = useState(readSession);
  const [notice, setNotice] = useState<SignInNotice | null>(takeSignedOutNotice);
  const me = useQuery({
    queryKey: ['me', session?.id],
    queryFn: async () => (await api<Principal>('/me')).data,
    enabled: session !== null,
    staleTime: 5 * 60_000,
    retry: false,
  });

  const endLocally = useCallback(
    (reason: SignInNotice | null) => {
      forgetSession();
      setSession(null);
      setNotice(reason);
      queryClient.clear();
    },
    [queryClient],
  );

  const signOut = useCallback(() => {
    const ending = readSession();
    endLocally(null);
    const providerLogout = ending?.kind === 'oidc' ? endSessionUrl(ending.provider, ending.idToken) : null;
    if (providerLogout) {
      markSignedOut();
      window.location.assign(providerLogout);
    }
  }, [endLocally]);

  const keep = useCallback(
    async (candidate: StoredSession, accepted?: () => void) => {
      const { data } = await api<Principal>('/me', { token: candidate.token });
      storeSession(candidate);
      queryClient.setQueryData(['me', candidate.id], data);
      // In the same render as the session: the pages never show the address of the callback.
      accepted?.();
      setNotice(null);
      setSession(candidate);
    },
    [queryClient],
  );

  const signIn = useCallback(
    (token: string) => keep({ kind: 'token', id: crypto.randomUUID(), token }),
    [keep],
  );

  const signInWithProvider = useCallback(
    (tokens: ProviderTokens, provider: ProviderLink, accepted?: () => void) =>
      keep(
        {
          kind: 'oidc',
          id: crypto.randomUUID(),
          token: tokens.accessToken,
          refreshToken: tokens.refreshToken,
          idToken: tokens.idToken,
          expiresAt: tokens.expiresAt,
          provider,
        },
        accepted,
      ),
    [keep],
  );

  const renewed = useCallback(
    (next: StoredSession) => {
      storeSession(next);
      setSession(next);
      // Requests refused while the old token ran out are asked again with the new one.
      void queryClient.invalidateQueries({ predicate: (query) => query.state.status === 'error' });
    },
    [queryClient],
  );
  const { renewNow } = useTokenRenewal(session, renewed, endLocally);

  useEffect(() => {
    const refused = () => {
      const current = readSession();
      if (current?.kind === 'oidc') void renewNow();
      else endLocally(null);
    };
    window.addEventListener(UNAUTHORIZED_EVENT, refused);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, refused);
  }, [endLocally, renewNow]);

  const value = useMemo<Session>(
    () => ({
      token: session?.token ?? null,
      principal: me.data,
      checking: session !== null && me.isPending,
      error: me.error,
      notice,
      signIn,
      signInWithProvider,
      signOut,
      showNotice: setNotice,
    }),
    [session, me.data, me.isPending, me.error, notice, signIn, signInWithProvider, signOut],
  );
  return <SessionContext value={value}>{children}</SessionContext>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession needs a SessionProvider');
  return session;
}
