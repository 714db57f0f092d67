import { Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../format/relativeTime.ts';
import { currentLanguage } from '../i18n/i18n.ts';
import { ScrollableTable } from '../layout/ScrollableTable.tsx';
import { dateTime } from './format.ts';
import { useSyncStatus } from './queries.ts';

export function EntitiesTable({ integrationId }: { integrationId: string }) {
  const { t } = useTranslation();
  const { data: entities = [] } = useSyncStatus(integrationId);
  if (entities.length === 0) return <Text c="dimmed">{t('detail.entities.empty')}</Text>;
  return (
    <ScrollableTable minWidth={700} label={t('detail.tabs.status')}>
      <Table striped aria-label={t('detail.tabs.status')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('detail.entities.entity')}</Table.Th>
            <Table.Th>{t('detail.entities.lastSync')}</Table.Th>
            <Table.Th>{t('detail.entities.nextSync')}</Table.Th>
            <Table.Th ta="right">{t('detail.entities.records')}</Table.Th>
            <Table.Th ta="right">{t('detail.entities.errors')}</Table.Th>
            <Table.Th>{t('detail.entities.lastError')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {entities.map((row) => (
            <Table.Tr key={row.entity}>
              <Table.Td fw={500}>{row.entity}</Table.Td>
              <Table.Td>{dateTime(row.lastSyncAt)}</Table.Td>
              <Table.Td>
                {row.nextSyncAt ? dateTime(row.nextSyncAt) : t('detail.entities.notScheduled')}
              </Table.Td>
              <Table.Td ta="right">{formatNumber(row.recordsSynced, currentLanguage())}</Table.Td>
              <Table.Td ta="right">{row.errorsCount}</Table.Td>
              <Table.Td>
                <Text size="sm" c="red.9" style={{ overflowWrap: 'anywhere' }}>
                  {row.lastError}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollableTable>
  );
}
