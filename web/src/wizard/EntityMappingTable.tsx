// One entity's field mapping: the canonical fields beside a source field and transform each, the
// sample records' fields to choose from, and the mapped samples as the hub would store them.
import { Alert, Code, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import type { CanonicalEntity, EntityMapping, FieldMapping } from '../api/types.ts';
import { ScrollableTable } from '../layout/ScrollableTable.tsx';
import { transformChoices, transformKey } from './transformChoices.ts';
import { sourcePaths } from './wizardState.ts';

type PreviewResult =
  | { ok: true; record: Record<string, unknown> }
  | { ok: false; errors: { field: string; message: string }[] };

export function EntityMappingTable({
  entity,
  samples,
  canonical,
  mapping,
  onChange,
}: {
  entity: string;
  samples: unknown[];
  canonical: CanonicalEntity[];
  mapping: EntityMapping | null;
  onChange: (mapping: EntityMapping | null) => void;
}) {
  const { t } = useTranslation();
  const fields = canonical.find((item) => item.name === mapping?.target)?.fields ?? [];
  const mapped = mapping?.fields ?? {};
  const rows = [
    ...fields.map((field) => field.name),
    ...Object.keys(mapped).filter((name) => !fields.some((f) => f.name === name)),
  ];
  const sources = sourcePaths(samples);
  const usable = mapping && Object.keys(mapping.fields).length > 0 ? mapping : null;
  const preview = useQuery({
    queryKey: ['mapping-preview', JSON.stringify(usable), samples],
    enabled: usable !== null,
    queryFn: async () =>
      (
        await api<{ results: PreviewResult[] }>('/mapping/preview', {
          method: 'POST',
          body: { mapping: usable, records: samples },
        })
      ).data.results,
    retry: false,
  });

  const setField = (name: string, change: FieldMapping | null) => {
    if (!mapping) return;
    const next = { ...mapping.fields };
    if (change) next[name] = change;
    else delete next[name];
    onChange({ ...mapping, fields: next });
  };

  const first = preview.data?.[0];
  return (
    <Stack gap="sm">
      <Select
        label={t('wizard.mapping.target', { entity })}
        maw={360}
        data={canonical.map((item) => item.name)}
        value={mapping?.target ?? null}
        placeholder={t('wizard.mapping.noTarget')}
        clearable
        onChange={(value) =>
          onChange(value ? { target: value, fields: mapping?.target === value ? mapped : {} } : null)
        }
      />
      <Text size="sm" c="dimmed">
        {t('wizard.mapping.samples', { count: samples.length })}
      </Text>
      {mapping && (
        <Table striped withTableBorder aria-label={t('wizard.mapping.tableLabel', { entity })}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('wizard.mapping.canonicalField')}</Table.Th>
              <Table.Th>{t('wizard.mapping.sourceField')}</Table.Th>
              <Table.Th>{t('wizard.mapping.transform')}</Table.Th>
              <Table.Th>{t('wizard.mapping.example')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((name) => {
              const field = mapped[name];
              const from = typeof field?.from === 'string' ? field.from : field?.from?.join(' + ');
              const key = transformKey(field?.transforms);
              return (
                <Table.Tr key={name}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {name}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {fields.find((f) => f.name === name)?.description}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Select
                      aria-label={t('wizard.mapping.sourceFor', { field: name })}
                      w={260}
                      data={[...new Set([...(from ? [from] : []), ...sources])]}
                      value={from ?? null}
                      searchable
                      clearable
                      placeholder={t('wizard.mapping.unmapped')}
                      onChange={(value) =>
                        setField(
                          name,
                          value ? { ...field, from: value, transforms: field?.transforms ?? [] } : null,
                        )
                      }
                    />
                  </Table.Td>
                  <Table.Td>
                    <Select
                      aria-label={t('wizard.mapping.transformFor', { field: name })}
                      w={200}
                      disabled={!field}
                      data={[
                        ...Object.keys(transformChoices).map((choice) => ({
                          value: choice,
                          label: t(`wizard.transforms.${choice}` as 'wizard.transforms.none'),
                        })),
                        ...(key === 'custom'
                          ? [
                              {
                                value: 'custom',
                                label: (field?.transforms ?? []).map((x) => x.op).join(', '),
                              },
                            ]
                          : []),
                      ]}
                      value={key}
                      allowDeselect={false}
                      onChange={(value) =>
                        field &&
                        value &&
                        value !== 'custom' &&
                        setField(name, { ...field, transforms: transformChoices[value] ?? [] })
                      }
                    />
                  </Table.Td>
                  <Table.Td>
                    <Code>{first?.ok ? display(valueAt(first.record, name)) : ''}</Code>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      {preview.isError && <Alert color="red">{preview.error.message}</Alert>}
      {preview.data && <PreviewTable results={preview.data} columns={rows.filter((name) => mapped[name])} />}
    </Stack>
  );
}

function PreviewTable({ results, columns }: { results: PreviewResult[]; columns: string[] }) {
  const { t } = useTranslation();
  return (
    <Stack gap="xs">
      <Title order={3}>{t('wizard.mapping.preview')}</Title>
      <ScrollableTable minWidth={600} label={t('wizard.mapping.preview')}>
        <Table withTableBorder aria-label={t('wizard.mapping.preview')}>
          <Table.Thead>
            <Table.Tr>
              {columns.map((column) => (
                <Table.Th key={column}>{column}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {results.map((result, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the samples have no other identity here
              <Table.Tr key={index}>
                {result.ok ? (
                  columns.map((column) => (
                    <Table.Td key={column}>{display(valueAt(result.record, column))}</Table.Td>
                  ))
                ) : (
                  <Table.Td colSpan={columns.length} c="red">
                    {result.errors.map((error) => `${error.field}: ${error.message}`).join('; ')}
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollableTable>
    </Stack>
  );
}

function valueAt(record: Record<string, unknown>, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (value, part) =>
        value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined,
      record,
    );
}

function display(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
