// The signed-in person: their token (sessionStorage) and who the hub says they are (GET /me).
// Signing in checks the token with the hub before keeping it.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, UNAUTHORIZED_EVENT } from '../api/client.ts';
import type { Principal } from '../api/types.ts';
import { forgetToken, readToken, storeToken } from './tokenStore.ts';

interface Session {
  token: string | null;
  principal: Principal | undefined;
  checking: boolean;
  /** The hub could not be asked who the token belongs to (not a refusal: that signs out). */
  error: Error | null;
  signIn(token: string): Promise<void>;
  signOut(): void;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [token, setToken] = useState(readToken);
  const me = useQuery({
    queryKey: ['me', token],
    queryFn: async () => (await api<Principal>('/me')).data,
    enabled: token !== null,
    staleTime: 5 * 60_000,
    retry: false,
  });

  const signOut = useCallback(() => {
    forgetToken();
    setToken(null);
    queryClient.clear();
  }, [queryClient]);

  const signIn = useCallback(
    async (candidate: string) => {
      const { data } = await api<Principal>('/me', { token: candidate });
      storeToken(candidate);
      queryClient.setQueryData(['me', candidate], data);
      setToken(candidate);
    },
    [queryClient],
  );

  useEffect(() => {
    window.addEventListener(UNAUTHORIZED_EVENT, signOut);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, signOut);
  }, [signOut]);

  const value = useMemo<Session>(
    () => ({
      token,
      principal: me.data,
      checking: token !== null && me.isPending,
      error: me.error,
      signIn,
      signOut,
    }),
    [token, me.data, me.isPending, me.error, signIn, signOut],
  );
  return <SessionContext value={value}>{children}</SessionContext>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession needs a SessionProvider');
  return session;
}
