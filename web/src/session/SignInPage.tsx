// Signing in: single sign-on at the hub's OpenID provider when the hub offers it, beside the form
// for an API token; and why the page is shown again (expired, signed out, a refused answer).
import {
  Alert,
  Button,
  Center,
  Divider,
  Group,
  Paper,
  PasswordInput,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { IconKey, IconLogin2 } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router';
import { ApiError, apiGet } from '../api/client.ts';
import { LanguageSwitch } from '../layout/LanguageSwitch.tsx';
import { CALLBACK_PATH, type LoginOffer, startProviderLogin } from './oidcLogin.ts';
import { type SignInNotice, useSession } from './SessionProvider.tsx';

export function SignInPage() {
  const { t } = useTranslation();
  const { signIn, notice } = useSession();
  const offer = useQuery({
    queryKey: ['login-offer'],
    queryFn: () => apiGet<LoginOffer>('/session/oidc'),
    staleTime: 60_000,
    retry: false,
  });
  const ssoOffered = offer.data?.enabled === true;
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const candidate = token.trim();
    if (!candidate) {
      setError(t('signIn.required'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await signIn(candidate);
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.status === 401
          ? t('signIn.invalid')
          : t('signIn.failed', { detail: (failure as Error).message }),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder radius="md" p="xl" w={440} maw="100%">
        <form onSubmit={submit} noValidate>
          <Stack>
            <Group justify="space-between">
              <Title order={1} size="h2">
                {t('app.title')}
              </Title>
              <LanguageSwitch />
            </Group>
            <Title order={2} size="h4">
              {t('signIn.title')}
            </Title>
            {notice && <NoticeAlert notice={notice} />}
            {offer.data?.enabled && <SsoSignIn offer={offer.data} />}
            {offer.error && (
              <Alert color="yellow" variant="light" role="status">
                {t('sso.unavailable', { detail: offer.error.message })}
              </Alert>
            )}
            {ssoOffered && <Divider label={t('sso.or')} labelPosition="center" />}
            <Text size="sm">{t('signIn.intro')}</Text>
            <PasswordInput
              label={t('signIn.tokenLabel')}
              description={t('signIn.tokenDescription')}
              value={token}
              onChange={(event) => setToken(event.currentTarget.value)}
              error={error}
              autoComplete="off"
              spellCheck={false}
              autoFocus={!ssoOffered}
              required
            />
            <Button type="submit" loading={busy} leftSection={<IconKey size={16} aria-hidden />}>
              {t('signIn.submit')}
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}

type EnabledOffer = Extract<LoginOffer, { enabled: true }>;

function SsoSignIn({ offer }: { offer: EnabledOffer }) {
  const { t } = useTranslation();
  const location = useLocation();
  const [leaving, setLeaving] = useState(false);
  const here = `${location.pathname}${location.search}`;
  const returnTo = location.pathname === CALLBACK_PATH ? '/' : here;
  return (
    <Stack gap="xs">
      <Text size="sm">{t('sso.intro', { host: new URL(offer.issuer).host })}</Text>
      <Button
        size="md"
        loading={leaving}
        leftSection={<IconLogin2 size={18} aria-hidden />}
        onClick={() => {
          setLeaving(true);
          void startProviderLogin(offer, returnTo).catch(() => setLeaving(false));
        }}
      >
        {t('sso.button')}
      </Button>
    </Stack>
  );
}

function NoticeAlert({ notice }: { notice: SignInNotice }) {
  const { t } = useTranslation();
  if (notice.kind === 'refused') {
    return (
      <Alert color="red" variant="light" role="alert" data-testid="sign-in-notice">
        {t(`sso.refused.${notice.reason}`, { detail: notice.detail })}
      </Alert>
    );
  }
  return (
    <Alert
      color={notice.kind === 'expired' ? 'yellow' : 'blue'}
      variant="light"
      role="status"
      data-testid="sign-in-notice"
    >
      {t(notice.kind === 'expired' ? 'sso.expired' : 'sso.signedOut')}
    </Alert>
  );
}

export function SessionProblem({
  detail,
  onRetry,
  onSignOut,
}: {
  detail: string;
  onRetry(): void;
  onSignOut(): void;
}) {
  const { t } = useTranslation();
  return (
    <Center mih="100vh" p="md" component="main">
      <Alert color="red" variant="light" title={t('app.title')} maw={480} role="alert">
        <Stack gap="sm">
          <Text size="sm">{t('session.unreachable', { detail })}</Text>
          <Group gap="sm">
            <Button size="xs" onClick={onRetry}>
              {t('session.tryAgain')}
            </Button>
            <Button size="xs" variant="subtle" color="gray" onClick={onSignOut}>
              {t('session.signOut')}
            </Button>
          </Group>
        </Stack>
      </Alert>
    </Center>
  );
}
