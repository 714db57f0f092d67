// Requests to the external system, newest first; a row opens to its request and response as the
// hub stored them (secrets already redacted by the hub).
import { Badge, Button, Code, Stack, Table, Text } from '@mantine/core';
import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ScrollableTable } from '../layout/ScrollableTable.tsx';
import { dateTime, duration } from './format.ts';
import { useRequestLogs } from './queries.ts';
import type { RequestLog } from './types.ts';

export function LogsTable({ integrationId }: { integrationId: string }) {
  const { t } = useTranslation();
  const { data: logs = [] } = useRequestLogs(integrationId);
  const [open, setOpen] = useState<string | null>(null);
  if (logs.length === 0) return <Text c="dimmed">{t('detail.logs.empty')}</Text>;
  return (
    <Stack gap="xs">
      <Text size="sm" c="dimmed">
        {t('detail.logs.redactedNote')}
      </Text>
      <ScrollableTable minWidth={800} label={t('detail.tabs.logs')}>
        <Table aria-label={t('detail.tabs.logs')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('detail.logs.time')}</Table.Th>
              <Table.Th>{t('detail.logs.request')}</Table.Th>
              <Table.Th>{t('detail.logs.status')}</Table.Th>
              <Table.Th ta="right">{t('detail.logs.duration')}</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {logs.map((log) => (
              <Fragment key={log.id}>
                <Table.Tr data-testid="request-log">
                  <Table.Td>{dateTime(log.createdAt)}</Table.Td>
                  <Table.Td>
                    <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                      <Text span fw={600} size="sm">
                        {log.method ?? log.eventType}
                      </Text>{' '}
                      {log.url}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={log.status === 'success' ? 'green' : 'red'} variant="light">
                      {log.httpStatus ?? log.status}
                    </Badge>
                  </Table.Td>
                  <Table.Td ta="right">{duration(log.durationMs)}</Table.Td>
                  <Table.Td>
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      aria-expanded={open === log.id}
                      onClick={() => setOpen(open === log.id ? null : log.id)}
                    >
                      {open === log.id ? t('detail.logs.hide') : t('detail.logs.show')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
                {open === log.id && (
                  <Table.Tr>
                    <Table.Td colSpan={5}>
                      <LogBodies log={log} />
                    </Table.Td>
                  </Table.Tr>
                )}
              </Fragment>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollableTable>
    </Stack>
  );
}

function LogBodies({ log }: { log: RequestLog }) {
  const { t } = useTranslation();
  const parts = [
    ['requestData', log.requestData],
    ['responseData', log.responseData],
    ['errorDetails', log.errorDetails],
  ] as const;
  return (
    <Stack gap="xs" data-testid="request-log-details">
      {parts
        .filter(([, value]) => value !== null && value !== undefined)
        .map(([key, value]) => (
          <div key={key}>
            <Text size="xs" c="dimmed">
              {t(`detail.logs.${key}`)}
            </Text>
            <Code block style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
              {JSON.stringify(value, null, 2)}
            </Code>
          </div>
        ))}
    </Stack>
  );
}
