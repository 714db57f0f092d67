// The sync history: each run with its state, counts, duration and error; a run's failed records
// open in a modal with the reason per field.
import { Badge, Button, Code, Modal, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../format/relativeTime.ts';
import { currentLanguage } from '../i18n/i18n.ts';
import { ScrollableTable } from '../layout/ScrollableTable.tsx';
import { dateTime, duration } from './format.ts';
import { useRunFailures, useSyncRuns } from './queries.ts';
import type { RecordFailure, SyncRunView } from './types.ts';

export const runStateColor: Record<SyncRunView['state'], string> = {
  queued: 'gray',
  running: 'blue',
  waiting: 'yellow',
  succeeded: 'green',
  partial: 'orange',
  failed: 'red',
};
const countKeys = ['fetched', 'created', 'updated', 'unchanged', 'deleted', 'failed'] as const;

export function RunsTable({ integrationId }: { integrationId: string }) {
  const { t } = useTranslation();
  const { data: runs = [] } = useSyncRuns(integrationId);
  const [failuresOf, setFailuresOf] = useState<string | null>(null);
  const language = currentLanguage();
  if (runs.length === 0) return <Text c="dimmed">{t('detail.runs.empty')}</Text>;
  return (
    <>
      <ScrollableTable minWidth={1000} label={t('detail.tabs.runs')}>
        <Table striped aria-label={t('detail.tabs.runs')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('detail.runs.started')}</Table.Th>
              <Table.Th>{t('detail.runs.trigger')}</Table.Th>
              <Table.Th>{t('detail.runs.state')}</Table.Th>
              {countKeys.map((key) => (
                <Table.Th key={key} ta="right">
                  {t(`detail.runs.${key}`)}
                </Table.Th>
              ))}
              <Table.Th ta="right">{t('detail.runs.duration')}</Table.Th>
              <Table.Th>{t('detail.runs.error')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {runs.map((run) => (
              <Table.Tr key={run.id} data-testid="sync-run">
                <Table.Td>{dateTime(run.startedAt ?? run.queuedAt)}</Table.Td>
                <Table.Td>{t(`detail.runs.triggers.${run.trigger}`)}</Table.Td>
                <Table.Td>
                  <Badge color={runStateColor[run.state]} variant="light">
                    {t(`detail.runs.states.${run.state}`)}
                  </Badge>
                </Table.Td>
                {countKeys.map((key) => (
                  <Table.Td key={key} ta="right" data-testid={`run-${key}`}>
                    {formatNumber(run.counts[key], language)}
                  </Table.Td>
                ))}
                <Table.Td ta="right">{duration(run.durationMs)}</Table.Td>
                <Table.Td>
                  {run.error && (
                    <Text size="sm" c="red.9" lineClamp={3} style={{ overflowWrap: 'anywhere' }}>
                      {run.error}
                    </Text>
                  )}
                  {run.counts.failed > 0 && (
                    <Button
                      size="compact-xs"
                      variant="light"
                      color="red"
                      onClick={() => setFailuresOf(run.id)}
                    >
                      {t('detail.runs.showFailures')}
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollableTable>
      <Modal
        opened={failuresOf !== null}
        onClose={() => setFailuresOf(null)}
        title={t('detail.runs.failuresTitle')}
        size="xl"
      >
        {failuresOf && <FailuresList runId={failuresOf} />}
      </Modal>
    </>
  );
}

function FailuresList({ runId }: { runId: string }) {
  const { t } = useTranslation();
  const { data: failures = [], isPending } = useRunFailures(runId);
  if (!isPending && failures.length === 0) return <Text c="dimmed">{t('detail.runs.noFailures')}</Text>;
  return (
    <Table>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('detail.entities.entity')}</Table.Th>
          <Table.Th>{t('detail.runs.record')}</Table.Th>
          <Table.Th>{t('detail.runs.reasons')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {failures.map((failure) => (
          <Table.Tr key={failure.id}>
            <Table.Td>{failure.entity}</Table.Td>
            <Table.Td>
              <Code>{failure.externalId ?? '–'}</Code>
            </Table.Td>
            <Table.Td>
              <Text size="sm" style={{ whiteSpace: 'pre-line' }}>
                {reasons(failure)}
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function reasons(failure: RecordFailure): string {
  const errors = Array.isArray(failure.errors) ? failure.errors : [];
  return errors.map((error) => `${error.field ? `${error.field}: ` : ''}${error.message ?? ''}`).join('\n');
}
