// Signing in with an API token. Single sign-on (the hub's OIDC provider) goes beside the token
// form once the hub offers a browser login flow.
import { Alert, Button, Center, Group, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { IconKey } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { LanguageSwitch } from '../layout/LanguageSwitch.tsx';
import { useSession } from './SessionProvider.tsx';

export function SignInPage() {
  const { t } = useTranslation();
  const { signIn } = useSession();
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
            <Text size="sm">{t('signIn.intro')}</Text>
            <PasswordInput
              label={t('signIn.tokenLabel')}
              description={t('signIn.tokenDescription')}
              value={token}
              onChange={(event) => setToken(event.currentTarget.value)}
              error={error}
              autoComplete="off"
              spellCheck={false}
              data-autofocus
              autoFocus
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
