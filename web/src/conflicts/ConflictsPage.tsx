// Open conflicts of two-way syncs; opening one shows its three versions to decide per field.
import { Alert, Badge, Button, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../admin/ConfirmButton.tsx';
import { apiGet } from '../api/client.ts';
import type { Conflict } from '../api/operationsTypes.ts';
import { ConflictDetail } from './ConflictDetail.tsx';

export const openConflictsKey = ['conflicts', 'open'] as const;

export function ConflictsPage() {
  const { t, i18n } = useTranslation();
  const [selected, setSelected] = useState<string | null>(null);
  const conflicts = useQuery({
    queryKey: openConflictsKey,
    queryFn: async () => (await apiGet<{ items: Conflict[] }>('/conflicts?state=open&limit=200')).items,
    refetchInterval: 15_000,
  });
  return (
    <Stack gap="lg">
      <Title order={1}>{t('operations.conflicts.title')}</Title>
      <Text c="dimmed">{t('operations.conflicts.intro')}</Text>
      {conflicts.isPending && <Loader aria-label={t('app.loading')} />}
      {conflicts.error && (
        <Alert color="red">{t('operations.common.failed', { detail: conflicts.error.message })}</Alert>
      )}
      {conflicts.data?.length === 0 && <Text>{t('operations.conflicts.none')}</Text>}
      {!!conflicts.data?.length && (
        <Table.ScrollContainer minWidth={600}>
          <Table striped aria-label={t('operations.conflicts.title')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('operations.conflicts.record')}</Table.Th>
                <Table.Th>{t('operations.conflicts.contested')}</Table.Th>
                <Table.Th>{t('operations.conflicts.created')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {conflicts.data.map((conflict) => (
                <Table.Tr
                  key={conflict.id}
                  bg={conflict.id === selected ? 'var(--mantine-color-blue-light)' : undefined}
                >
                  <Table.Td>
                    {conflict.entity} {conflict.externalId}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {conflict.contested.map((field) => (
                        <Badge key={field} variant="light" color="orange">
                          {field}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>{formatTime(conflict.createdAt, i18n.language)}</Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="light"
                      aria-label={`${t('operations.conflicts.open')}: ${conflict.entity} ${conflict.externalId}`}
                      onClick={() => setSelected(conflict.id)}
                    >
                      {t('operations.conflicts.open')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {selected && <ConflictDetail key={selected} id={selected} onResolved={() => setSelected(null)} />}
    </Stack>
  );
}
