// The event schema registry: each type with its compatibility mode, its versions, and a version's JSON Schema.
import { Alert, Badge, Button, Card, Code, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../admin/ConfirmButton.tsx';
import { apiGet } from '../api/client.ts';
import type { SchemaType, SchemaVersion } from '../api/operationsTypes.ts';

export function SchemaRegistry() {
  const { t } = useTranslation();
  const [selected, setSelected] = useState<string | null>(null);
  const types = useQuery({
    queryKey: ['schemas'],
    queryFn: async () => (await apiGet<{ items: SchemaType[] }>('/schemas')).items,
  });
  return (
    <Stack gap="md" component="section" aria-label={t('operations.schemas.title')}>
      <Title order={2}>{t('operations.schemas.title')}</Title>
      {types.isPending && <Loader aria-label={t('app.loading')} />}
      {types.error && (
        <Alert color="red">{t('operations.common.failed', { detail: types.error.message })}</Alert>
      )}
      {!!types.data?.length && (
        <Table.ScrollContainer minWidth={600}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('operations.schemas.type')}</Table.Th>
                <Table.Th>{t('operations.schemas.compatibility')}</Table.Th>
                <Table.Th>{t('operations.schemas.latest')}</Table.Th>
                <Table.Th>{t('operations.schemas.writtenBy')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {types.data.map((type) => (
                <Table.Tr key={type.type}>
                  <Table.Td>
                    <Code>{type.type}</Code>
                  </Table.Td>
                  <Table.Td>{type.compatibility}</Table.Td>
                  <Table.Td>{type.latestVersion ?? '–'}</Table.Td>
                  <Table.Td>{type.writtenBy}</Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="light"
                      aria-label={`${t('operations.schemas.show')}: ${type.type}`}
                      onClick={() => setSelected(type.type)}
                    >
                      {t('operations.schemas.show')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {selected && <SchemaVersions key={selected} type={selected} />}
    </Stack>
  );
}

function SchemaVersions({ type }: { type: string }) {
  const { t, i18n } = useTranslation();
  const [version, setVersion] = useState<number | null>(null);
  const detail = useQuery({
    queryKey: ['schemas', type],
    queryFn: () => apiGet<SchemaType & { versions: SchemaVersion[] }>(`/schemas/${encodeURIComponent(type)}`),
  });
  const schema = useQuery({
    queryKey: ['schemas', type, version],
    queryFn: () => apiGet<unknown>(`/schemas/${encodeURIComponent(type)}/versions/${version}`),
    enabled: version !== null,
  });
  if (detail.isPending) return <Loader aria-label={t('app.loading')} />;
  if (detail.error) {
    return <Alert color="red">{t('operations.common.failed', { detail: detail.error.message })}</Alert>;
  }
  const title = t('operations.schemas.versionsTitle', { type, mode: detail.data.compatibility });
  return (
    <Card withBorder component="section" aria-label={title}>
      <Stack gap="sm">
        <Title order={3}>{title}</Title>
        <Group gap="xs">
          {detail.data.versions.map((entry) => (
            <Button
              key={entry.version}
              size="xs"
              variant={entry.version === version ? 'filled' : 'default'}
              onClick={() => setVersion(entry.version)}
            >
              {t('operations.schemas.version', { version: entry.version })}
              <Badge ml={6} size="xs" variant="light">
                {entry.compatibility}
              </Badge>
            </Button>
          ))}
        </Group>
        {version !== null && (
          <>
            <Text size="sm" c="dimmed">
              {t('operations.schemas.created')}:{' '}
              {formatTime(
                detail.data.versions.find((entry) => entry.version === version)?.createdAt,
                i18n.language,
              )}
            </Text>
            {schema.isPending && <Loader aria-label={t('app.loading')} />}
            {schema.data !== undefined && (
              <Code block aria-label={t('operations.schemas.schemaOf', { type, version })}>
                {JSON.stringify(schema.data, null, 2)}
              </Code>
            )}
          </>
        )}
      </Stack>
    </Card>
  );
}
