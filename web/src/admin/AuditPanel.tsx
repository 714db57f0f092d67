// The audit log, newest first, filtered by action, target type and time span, paged with `before`.
import { Alert, Button, Code, Group, Loader, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiGet } from '../api/client.ts';
import type { AuditEntry } from '../api/operationsTypes.ts';
import { formatTime } from './ConfirmButton.tsx';

interface Filters {
  action: string;
  targetType: string;
  since: string;
  until: string;
}
const noFilters: Filters = { action: '', targetType: '', since: '', until: '' };

function auditPath(filters: Filters, before: number | null): string {
  const query = new URLSearchParams({ limit: '50' });
  if (filters.action.trim()) query.set('action', filters.action.trim());
  if (filters.targetType.trim()) query.set('targetType', filters.targetType.trim());
  // datetime-local gives the browser's local time without an offset; the API wants an instant.
  if (filters.since) query.set('since', new Date(filters.since).toISOString());
  if (filters.until) query.set('until', new Date(filters.until).toISOString());
  if (before !== null) query.set('before', String(before));
  return `/audit?${query}`;
}

export function AuditPanel() {
  const { t, i18n } = useTranslation();
  const [draft, setDraft] = useState<Filters>(noFilters);
  const [filters, setFilters] = useState<Filters>(noFilters);
  const audit = useInfiniteQuery({
    queryKey: ['audit', filters],
    queryFn: ({ pageParam }) =>
      apiGet<{ items: AuditEntry[]; nextBefore: number | null }>(auditPath(filters, pageParam)),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.nextBefore,
  });
  const entries = audit.data?.pages.flatMap((page) => page.items) ?? [];
  const field = (key: keyof Filters) => ({
    value: draft[key],
    onChange: (event: React.ChangeEvent<HTMLInputElement>) => {
      const value = event.currentTarget.value;
      setDraft((current) => ({ ...current, [key]: value }));
    },
  });
  return (
    <Stack gap="md" component="section" aria-label={t('operations.admin.auditTitle')}>
      <Title order={2}>{t('operations.admin.auditTitle')}</Title>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setFilters(draft);
        }}
      >
        <Group align="flex-end">
          <TextInput
            label={t('operations.admin.action')}
            placeholder={t('operations.admin.actionHint')}
            {...field('action')}
          />
          <TextInput label={t('operations.admin.targetType')} {...field('targetType')} />
          <TextInput type="datetime-local" label={t('operations.admin.since')} {...field('since')} />
          <TextInput type="datetime-local" label={t('operations.admin.until')} {...field('until')} />
          <Button type="submit" variant="light">
            {t('operations.admin.filter')}
          </Button>
        </Group>
      </form>
      {audit.isPending && <Loader aria-label={t('app.loading')} />}
      {audit.error && (
        <Alert color="red">{t('operations.common.failed', { detail: audit.error.message })}</Alert>
      )}
      {audit.isSuccess && entries.length === 0 && <Text>{t('operations.common.empty')}</Text>}
      {entries.length > 0 && (
        <Table.ScrollContainer minWidth={800}>
          <Table striped data-testid="audit-log">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('operations.admin.time')}</Table.Th>
                <Table.Th>{t('operations.admin.action')}</Table.Th>
                <Table.Th>{t('operations.admin.actor')}</Table.Th>
                <Table.Th>{t('operations.admin.target')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {entries.map((entry) => (
                <Table.Tr key={entry.id}>
                  <Table.Td>{formatTime(entry.occurredAt, i18n.language)}</Table.Td>
                  <Table.Td>
                    <Code>{entry.action}</Code>
                  </Table.Td>
                  <Table.Td>{entry.actor.name}</Table.Td>
                  <Table.Td>
                    {entry.target.type}
                    {entry.target.id ? ` ${entry.target.id}` : ''}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {audit.hasNextPage && (
        <div>
          <Button
            variant="default"
            loading={audit.isFetchingNextPage}
            onClick={() => void audit.fetchNextPage()}
          >
            {t('operations.common.loadMore')}
          </Button>
        </div>
      )}
    </Stack>
  );
}
