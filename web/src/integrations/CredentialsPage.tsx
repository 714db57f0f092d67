// New credentials for an integration (the "Reconnect" of connectors without OAuth): one field per
// credential the connector declares, sent as a merge patch with the version read (If-Match).
import { Alert, Anchor, Button, Group, Loader, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api, apiGet } from '../api/client.ts';
import type { Connector, Integration } from '../api/types.ts';
import { overviewKey } from '../overview/queries.ts';
import { hasRole } from '../session/roles.ts';
import { useSession } from '../session/SessionProvider.tsx';

export function CredentialsPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const { principal } = useSession();
  const integration = useQuery({
    queryKey: ['integration', id],
    queryFn: () => apiGet<Integration>(`/integrations/${id}`),
  });
  const connector = useQuery({
    queryKey: ['connector', integration.data?.connector],
    queryFn: () => apiGet<Connector>(`/connectors/${integration.data?.connector}`),
    enabled: !!integration.data,
  });

  if (!hasRole(principal, 'admin')) return <Alert color="orange">{t('credentials.adminOnly')}</Alert>;
  if (integration.isError) return <Alert color="red">{integration.error.message}</Alert>;
  if (!integration.data || !connector.data) return <Loader aria-label={t('app.loading')} />;
  return <CredentialsForm integration={integration.data} connector={connector.data} />;
}

function CredentialsForm({ integration, connector }: { integration: Integration; connector: Connector }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const fields = Object.entries(connector.credentialsSchema.properties ?? {});
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (credentials: Record<string, string>) =>
      api(`/integrations/${integration.id}`, {
        method: 'PATCH',
        body: { credentials },
        headers: { 'if-match': `"${integration.version}"` },
      }),
    onSuccess: async () => {
      notifications.show({ color: 'green', message: t('credentials.saved', { name: integration.name }) });
      await queryClient.invalidateQueries({ queryKey: overviewKey });
      await navigate('/');
    },
    onError: (failure: Error) => setError(t('credentials.failed', { detail: failure.message })),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const filled = Object.fromEntries(Object.entries(values).filter(([, value]) => value.trim() !== ''));
    if (Object.keys(filled).length === 0) setError(t('credentials.nothingToSave'));
    else save.mutate(filled);
  }

  return (
    <Stack gap="md" maw={560}>
      <Title order={1}>{t('credentials.title', { name: integration.name })}</Title>
      <Text size="sm">{t('credentials.intro')}</Text>
      {fields.length === 0 ? (
        <Alert color="blue">{t('credentials.noFields')}</Alert>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack gap="sm">
            {fields.map(([name, schema]) => (
              <PasswordInput
                key={name}
                label={schema.title ?? name}
                description={t('credentials.current', {
                  hint: integration.credentials[name] ?? t('credentials.notSet'),
                })}
                value={values[name] ?? ''}
                onChange={(event) => {
                  const value = event.currentTarget.value;
                  setValues((current) => ({ ...current, [name]: value }));
                }}
                autoComplete="off"
              />
            ))}
            {error && (
              <Alert color="red" variant="light" role="alert">
                {error}
              </Alert>
            )}
            <Group>
              <Button type="submit" loading={save.isPending}>
                {t('credentials.save')}
              </Button>
              <Anchor component={Link} to="/">
                {t('navigation.back')}
              </Anchor>
            </Group>
          </Stack>
        </form>
      )}
    </Stack>
  );
}
