// Step 4: when to sync, which entities, where webhooks go; "Aktivieren" stores it all, sets the
// integration active and follows its first sync until it finishes.
import {
  Alert,
  Anchor,
  Button,
  Checkbox,
  Code,
  Group,
  Loader,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, apiGet } from '../api/client.ts';
import type { EntityMapping, Integration, SyncRun } from '../api/types.ts';
import { overviewKey } from '../overview/queries.ts';
import type { Choice, Draft } from './wizardState.ts';

const timeZones = Intl.supportedValuesOf('timeZone');
const finished = new Set(['succeeded', 'partial', 'failed']);

export function ScheduleStep({
  choice,
  draft,
  mapping,
  onDraft,
}: {
  choice: Choice;
  draft: Draft;
  mapping: Record<string, EntityMapping>;
  onDraft: (draft: Draft) => void;
}) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [cron, setCron] = useState('*/15 * * * *');
  const [timezone, setTimezone] = useState('Europe/Berlin');
  const [scheduled, setScheduled] = useState(true);
  // The draft's entities when the step opened; activating may narrow the draft's own.
  const [available] = useState<string[]>(draft.entities);
  const [entities, setEntities] = useState<string[]>(draft.entities);

  const activate = useMutation({
    mutationFn: async () => {
      const stored = await apiGet<Integration>(`/integrations/${draft.id}`);
      const { data } = await api<Integration>(`/integrations/${draft.id}`, {
        method: 'PATCH',
        headers: { 'if-match': `"${stored.version}"` },
        body: {
          status: 'active',
          entities,
          schedule: { enabled: scheduled, cron, timezone },
          mapping: mappingPatch(stored.mapping, mapping),
        },
      });
      onDraft({ id: data.id, version: data.version, entities: data.entities });
      const run = await api<SyncRun>(`/integrations/${draft.id}/sync`, {
        method: 'POST',
        body: { entities, full: true },
      });
      return run.data.id;
    },
  });
  const run = useQuery({
    queryKey: ['sync-run', activate.data],
    enabled: !!activate.data,
    queryFn: () => apiGet<SyncRun>(`/sync-runs/${activate.data}`),
    refetchInterval: (query) => (query.state.data && finished.has(query.state.data.state) ? false : 1_000),
  });
  const done = run.data && finished.has(run.data.state);
  useEffect(() => {
    if (done) void queryClient.invalidateQueries({ queryKey: overviewKey });
  }, [done, queryClient]);
  const number = new Intl.NumberFormat(i18n.language);

  return (
    <Stack gap="sm" mt="md" maw={560}>
      <Switch
        label={t('wizard.schedule.enabled')}
        checked={scheduled}
        onChange={(e) => setScheduled(e.currentTarget.checked)}
      />
      <TextInput
        label={t('wizard.schedule.cron')}
        description={t('wizard.schedule.cronHint')}
        required
        disabled={!scheduled}
        value={cron}
        onChange={(event) => setCron(event.currentTarget.value)}
      />
      <Select
        label={t('wizard.schedule.timezone')}
        data={timeZones}
        searchable
        disabled={!scheduled}
        value={timezone}
        allowDeselect={false}
        onChange={(value) => value && setTimezone(value)}
      />
      <Checkbox.Group label={t('wizard.schedule.entities')} value={entities} onChange={setEntities} required>
        <Group mt="xs">
          {available.map((entity) => (
            <Checkbox key={entity} value={entity} label={entity} />
          ))}
        </Group>
      </Checkbox.Group>
      {choice.connector.webhooks && (
        <Alert color="blue" variant="light" title={t('wizard.schedule.webhooks')}>
          <Text size="sm">{t('wizard.schedule.webhooksHint')}</Text>
          <Code block>{`${window.location.origin}/webhooks/${draft.id}`}</Code>
        </Alert>
      )}
      {activate.error && (
        <Alert color="red" role="alert">
          {activate.error.message}
        </Alert>
      )}
      {!activate.data && (
        <Group>
          <Button
            loading={activate.isPending}
            disabled={entities.length === 0}
            onClick={() => activate.mutate()}
          >
            {t('wizard.schedule.activate')}
          </Button>
        </Group>
      )}
      {activate.data && (
        <Alert
          role="status"
          color={!done ? 'blue' : run.data?.state === 'succeeded' ? 'green' : 'red'}
          title={
            done ? t(`wizard.run.${run.data?.state}` as 'wizard.run.succeeded') : t('wizard.run.running')
          }
        >
          {!done && <Loader size="sm" aria-label={t('wizard.run.running')} />}
          {run.data && (
            <Text size="sm" data-testid="first-run-counts">
              {t('wizard.run.counts', {
                fetched: number.format(run.data.counts.fetched),
                created: number.format(run.data.counts.created),
                updated: number.format(run.data.counts.updated),
                failed: number.format(run.data.counts.failed),
              })}
            </Text>
          )}
          {run.data?.error && <Text size="sm">{run.data.error}</Text>}
        </Alert>
      )}
      {done && (
        <Anchor component={Link} to="/">
          {t('wizard.run.toOverview')}
        </Anchor>
      )}
    </Stack>
  );
}

/** A merge patch: the new mapping, and `null` for each field the stored one has and the new one dropped. */
function mappingPatch(
  stored: Record<string, EntityMapping>,
  chosen: Record<string, EntityMapping>,
): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [entity, next] of Object.entries(chosen)) {
    const dropped = Object.keys(stored[entity]?.fields ?? {}).filter((field) => !(field in next.fields));
    patch[entity] = {
      ...next,
      fields: { ...Object.fromEntries(dropped.map((field) => [field, null])), ...next.fields },
    };
  }
  return patch;
}
