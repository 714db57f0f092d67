// The delivery log of one subscription, newest first, filterable by state.
import { Alert, Badge, Card, Loader, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../admin/ConfirmButton.tsx';
import { apiGet } from '../api/client.ts';
import type { Delivery, Subscription } from '../api/operationsTypes.ts';

const stateColor = { pending: 'blue', delivered: 'green', dead: 'red' } as const;

export function DeliveryLog({ subscription }: { subscription: Subscription }) {
  const { t, i18n } = useTranslation();
  const [state, setState] = useState('all');
  const log = useQuery({
    queryKey: ['subscriptions', subscription.id, 'deliveries', state],
    queryFn: async () =>
      (
        await apiGet<{ items: Delivery[] }>(
          `/subscriptions/${subscription.id}/deliveries?limit=100${state === 'all' ? '' : `&state=${state}`}`,
        )
      ).items,
    refetchInterval: 5_000,
  });
  const title = t('operations.subscriptions.logTitle', { name: subscription.name });
  return (
    <Card withBorder component="section" aria-label={title}>
      <Stack gap="sm">
        <Title order={3}>{title}</Title>
        <SegmentedControl
          aria-label={t('operations.subscriptions.stateFilter')}
          value={state}
          onChange={setState}
          data={[
            { value: 'all', label: t('operations.subscriptions.all') },
            { value: 'pending', label: t('operations.subscriptions.pending') },
            { value: 'delivered', label: t('operations.subscriptions.delivered') },
            { value: 'dead', label: t('operations.subscriptions.dead') },
          ]}
        />
        {log.isPending && <Loader aria-label={t('app.loading')} />}
        {log.error && (
          <Alert color="red">{t('operations.common.failed', { detail: log.error.message })}</Alert>
        )}
        {log.data?.length === 0 && <Text>{t('operations.common.empty')}</Text>}
        {!!log.data?.length && (
          <Table.ScrollContainer minWidth={800}>
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('operations.subscriptions.event')}</Table.Th>
                  <Table.Th>{t('operations.subscriptions.state')}</Table.Th>
                  <Table.Th>{t('operations.subscriptions.attempts')}</Table.Th>
                  <Table.Th>{t('operations.subscriptions.lastStatus')}</Table.Th>
                  <Table.Th>{t('operations.subscriptions.lastError')}</Table.Th>
                  <Table.Th>{t('operations.subscriptions.lastAttempt')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {log.data.map((delivery) => (
                  <Table.Tr key={delivery.seq}>
                    <Table.Td>
                      <Text size="sm">{delivery.type}</Text>
                      <Text size="xs" c="dimmed">
                        {delivery.subject ?? delivery.eventId}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={stateColor[delivery.state]}>
                        {t(`operations.subscriptions.${delivery.state}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{delivery.attempts}</Table.Td>
                    <Table.Td>{delivery.lastStatus ?? '–'}</Table.Td>
                    <Table.Td>{delivery.lastError ?? '–'}</Table.Td>
                    <Table.Td>{formatTime(delivery.lastAttemptAt, i18n.language)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Card>
  );
}
