// What a person can do from an integration's card: start a sync again, or restore its access
// (the provider's consent screen for OAuth connectors, new credentials for the others).
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api } from '../api/client.ts';
import type { IntegrationSummary } from '../api/types.ts';
import { overviewKey } from './queries.ts';

export function useIntegrationActions(integration: IntegrationSummary) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const failed = (error: Error) =>
    notifications.show({ color: 'red', message: t('card.actionFailed', { detail: error.message }) });

  const retry = useMutation({
    mutationFn: async () =>
      (
        await api<{ alreadyQueued: boolean }>(`/integrations/${integration.id}/sync`, {
          method: 'POST',
          body: {},
        })
      ).data,
    onSuccess: (run) => {
      notifications.show({
        message: t(run.alreadyQueued ? 'card.alreadyRunning' : 'card.syncStarted', {
          name: integration.name,
        }),
      });
      void queryClient.invalidateQueries({ queryKey: overviewKey });
    },
    onError: failed,
  });

  const authorize = useMutation({
    mutationFn: async () =>
      (
        await api<{ authorizationUrl: string }>(`/integrations/${integration.id}/oauth/authorize`, {
          method: 'POST',
          body: { returnTo: `/?connected=${integration.id}` },
        })
      ).data,
    onSuccess: ({ authorizationUrl }) => window.location.assign(authorizationUrl),
    onError: failed,
  });

  const reconnect = () => {
    if (integration.reconnect === 'oauth') authorize.mutate();
    else void navigate(`/integrations/${integration.id}/credentials`);
  };

  return { retry, reconnect, reconnecting: authorize.isPending };
}
