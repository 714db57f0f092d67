// Where the OpenID provider sends the browser back (/signin/callback): the answer is checked
// against the sign-in begun in this tab, the code exchanged, the token shown to the hub, and the
// person taken back to the page they started from; any failure lands on the sign-in page with why.
import { Center, Loader, Stack, Text } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ApiError } from '../api/client.ts';
import { completeProviderLogin, ProviderRefusedError, StateMismatchError } from './oidcLogin.ts';
import { type SignInNotice, useSession } from './SessionProvider.tsx';

export function OidcCallbackPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { signInWithProvider, showNotice } = useSession();
  const started = useRef(false);

  useEffect(() => {
    // The answer is single-use: never exchange it twice, even when an effect runs again.
    if (started.current) return;
    started.current = true;
    const answer = new URL(window.location.href);
    void (async () => {
      try {
        const { tokens, provider, returnTo } = await completeProviderLogin(answer);
        await signInWithProvider(tokens, provider, () => navigate(returnTo, { replace: true }));
      } catch (error) {
        showNotice(refusal(error));
        navigate('/', { replace: true });
      }
    })();
  }, [navigate, signInWithProvider, showNotice]);

  return (
    <Center mih="100vh" component="main">
      <Stack align="center" gap="sm">
        <Loader aria-hidden />
        <Text role="status">{t('sso.completing')}</Text>
      </Stack>
    </Center>
  );
}

function refusal(error: unknown): SignInNotice {
  const detail = error instanceof Error ? error.message : String(error);
  if (error instanceof StateMismatchError) return { kind: 'refused', reason: 'state', detail };
  if (error instanceof ProviderRefusedError) return { kind: 'refused', reason: 'provider', detail };
  if (error instanceof ApiError && error.status === 401) return { kind: 'refused', reason: 'hub', detail };
  return { kind: 'refused', reason: 'failed', detail };
}
