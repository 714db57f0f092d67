// Step 3: per entity, which source field fills each canonical field, with sample records from
// the source, suggestions (the connector's default mapping, or synonyms and similar names) and a
// live preview of the mapped samples.
import { Alert, Button, Group, Loader, Stack, Tabs, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, apiGet } from '../api/client.ts';
import type { CanonicalEntity, EntityMapping } from '../api/types.ts';
import { EntityMappingTable } from './EntityMappingTable.tsx';
import { type Choice, type Draft, startingMapping } from './wizardState.ts';

export function MappingStep({
  choice,
  draft,
  entities,
  onNext,
}: {
  choice: Choice;
  draft: Draft;
  entities: string[];
  onNext: (mapping: Record<string, EntityMapping>) => void;
}) {
  const { t } = useTranslation();
  const [mapping, setMapping] = useState<Record<string, EntityMapping | null>>(() => startingMapping(choice));
  const canonical = useQuery({
    queryKey: ['canonical-entities'],
    queryFn: async () => (await apiGet<{ items: CanonicalEntity[] }>('/mapping/canonical-entities')).items,
    staleTime: Number.POSITIVE_INFINITY,
  });
  if (canonical.isError) return <Alert color="red">{canonical.error.message}</Alert>;
  if (!canonical.data) return <Loader aria-label={t('app.loading')} />;
  const done = () =>
    onNext(
      Object.fromEntries(
        Object.entries(mapping).filter((entry): entry is [string, EntityMapping] => entry[1] !== null),
      ),
    );
  return (
    <Stack gap="md" mt="md">
      <Text size="sm">{t('wizard.mapping.intro')}</Text>
      <Tabs defaultValue={entities[0] ?? ''} keepMounted={false}>
        <Tabs.List>
          {entities.map((entity) => (
            <Tabs.Tab key={entity} value={entity}>
              {entity}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {entities.map((entity) => (
          <Tabs.Panel key={entity} value={entity} pt="md">
            <EntityPanel
              draft={draft}
              entity={entity}
              canonical={canonical.data}
              mapping={mapping[entity]}
              onChange={(next) => setMapping((current) => ({ ...current, [entity]: next }))}
            />
          </Tabs.Panel>
        ))}
      </Tabs>
      <Group>
        <Button onClick={done}>{t('wizard.next')}</Button>
      </Group>
    </Stack>
  );
}

function EntityPanel({
  draft,
  entity,
  canonical,
  mapping,
  onChange,
}: {
  draft: Draft;
  entity: string;
  canonical: CanonicalEntity[];
  mapping: EntityMapping | null | undefined;
  onChange: (mapping: EntityMapping | null) => void;
}) {
  const { t } = useTranslation();
  const samples = useQuery({
    queryKey: ['sample', draft.id, entity],
    queryFn: async () =>
      (
        await api<{ items: { externalId: string; data: unknown }[] }>(`/integrations/${draft.id}/sample`, {
          method: 'POST',
          body: { entity, limit: 5 },
        })
      ).data.items.map((item) => item.data),
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
  const target = mapping?.target ?? (canonical.some((item) => item.name === entity) ? entity : null);
  useQuery({
    queryKey: ['suggest', draft.id, entity, target],
    enabled: mapping === undefined && target !== null && !!samples.data,
    queryFn: async () => {
      const { data } = await api<{ suggestions: { target: string; from: string }[] }>('/mapping/suggest', {
        method: 'POST',
        body: { canonicalEntity: target, sampleRecords: samples.data },
      });
      const fields = Object.fromEntries(
        data.suggestions.map((s) => [s.target, { from: s.from, transforms: [] }]),
      );
      onChange(target && Object.keys(fields).length > 0 ? { target, fields } : null);
      return data.suggestions;
    },
  });

  if (samples.isError)
    return <Alert color="red">{t('wizard.mapping.sampleFailed', { detail: samples.error.message })}</Alert>;
  const settled = mapping === undefined && target === null ? null : mapping;
  if (!samples.data || settled === undefined)
    return <Loader aria-label={t('wizard.mapping.loadingSamples')} />;
  return (
    <EntityMappingTable
      entity={entity}
      samples={samples.data}
      canonical={canonical}
      mapping={settled}
      onChange={onChange}
    />
  );
}
