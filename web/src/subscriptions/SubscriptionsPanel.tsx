// Subscriptions with their delivery health, replaying dead letters and re-enabling a disabled one.
import { Alert, Badge, Button, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../admin/ConfirmButton.tsx';
import { api, apiGet } from '../api/client.ts';
import type { Subscription } from '../api/operationsTypes.ts';
import { hasRole } from '../session/roles.ts';
import { useSession } from '../session/SessionProvider.tsx';
import { DeliveryLog } from './DeliveryLog.tsx';

export function SubscriptionsPanel() {
  const { t, i18n } = useTranslation();
  const { principal } = useSession();
  const queryClient = useQueryClient();
  const [selected, setSelected] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useQuery({
    queryKey: ['subscriptions'],
    queryFn: async () => (await apiGet<{ items: Subscription[] }>('/subscriptions')).items,
    refetchInterval: 5_000,
  });
  const details = useQueries({
    queries: (list.data ?? []).map((subscription) => ({
      queryKey: ['subscriptions', subscription.id],
      queryFn: () => apiGet<Subscription>(`/subscriptions/${subscription.id}`),
      refetchInterval: 5_000,
    })),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['subscriptions'] });
  const replay = useMutation({
    mutationFn: async (id: string) =>
      (
        await api<{ queued: number }>(`/subscriptions/${id}/replay`, {
          method: 'POST',
          body: { deadLetters: true },
        })
      ).data,
    onSuccess: async (result) => {
      setNotice(t('operations.subscriptions.replayed', { count: result.queued }));
      await refresh();
    },
  });
  const enable = useMutation({
    mutationFn: (id: string) => api(`/subscriptions/${id}`, { method: 'PATCH', body: { enabled: true } }),
    onSuccess: refresh,
  });
  const error = list.error ?? replay.error ?? enable.error;
  const chosen = list.data?.find((subscription) => subscription.id === selected);
  return (
    <Stack gap="md" component="section" aria-label={t('operations.subscriptions.subscriptionsTitle')}>
      <Title order={2}>{t('operations.subscriptions.subscriptionsTitle')}</Title>
      {list.isPending && <Loader aria-label={t('app.loading')} />}
      {error && <Alert color="red">{t('operations.common.failed', { detail: error.message })}</Alert>}
      {notice && (
        <Alert color="green" role="status" withCloseButton onClose={() => setNotice(null)}>
          {notice}
        </Alert>
      )}
      {list.data?.length === 0 && <Text>{t('operations.subscriptions.none')}</Text>}
      {!!list.data?.length && (
        <Table.ScrollContainer minWidth={900}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('operations.subscriptions.name')}</Table.Th>
                <Table.Th>{t('operations.subscriptions.target')}</Table.Th>
                <Table.Th>{t('operations.subscriptions.state')}</Table.Th>
                <Table.Th>{t('operations.subscriptions.pending')}</Table.Th>
                <Table.Th>{t('operations.subscriptions.delivered')}</Table.Th>
                <Table.Th>{t('operations.subscriptions.dead')}</Table.Th>
                <Table.Th>{t('operations.subscriptions.failingSince')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.map((subscription, index) => {
                const counts = details[index]?.data?.deliveries;
                return (
                  <Table.Tr key={subscription.id} data-testid={`subscription-${subscription.name}`}>
                    <Table.Td fw={600}>{subscription.name}</Table.Td>
                    <Table.Td>
                      <Text size="sm" style={{ wordBreak: 'break-all' }}>
                        {subscription.url ?? subscription.natsSubject ?? subscription.handler}
                      </Text>
                      {subscription.batchSize > 1 && (
                        <Text size="xs" c="dimmed">
                          {t('operations.subscriptions.batches', { count: subscription.batchSize })}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Badge color={subscription.enabled ? 'green' : 'red'} variant="light">
                        {subscription.enabled
                          ? t('operations.subscriptions.enabled')
                          : t('operations.subscriptions.disabled')}
                      </Badge>
                      {subscription.disabledReason && (
                        <Text size="xs" c="dimmed">
                          {t('operations.subscriptions.disabledReason')}: {subscription.disabledReason}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td data-testid="count-pending">{counts?.pending ?? '…'}</Table.Td>
                    <Table.Td data-testid="count-delivered">{counts?.delivered ?? '…'}</Table.Td>
                    <Table.Td data-testid="count-dead" c={counts?.dead ? 'red' : undefined}>
                      {counts?.dead ?? '…'}
                    </Table.Td>
                    <Table.Td>{formatTime(subscription.failingSince, i18n.language)}</Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Button size="xs" variant="light" onClick={() => setSelected(subscription.id)}>
                          {t('operations.subscriptions.showLog')}
                        </Button>
                        {hasRole(principal, 'operator') && !!counts?.dead && (
                          <Button
                            size="xs"
                            color="orange"
                            loading={replay.isPending}
                            onClick={() => replay.mutate(subscription.id)}
                          >
                            {t('operations.subscriptions.replay')}
                          </Button>
                        )}
                        {hasRole(principal, 'admin') && !subscription.enabled && (
                          <Button
                            size="xs"
                            loading={enable.isPending}
                            onClick={() => enable.mutate(subscription.id)}
                          >
                            {t('operations.subscriptions.enable')}
                          </Button>
                        )}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {chosen && <DeliveryLog subscription={chosen} />}
    </Stack>
  );
}
