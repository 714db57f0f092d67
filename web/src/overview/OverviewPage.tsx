// FC-021's "Integration Hub" screen: counts, a card per integration, the connector catalog and
// Recent Activity, kept current by the event stream without reloading.
import { Alert, Grid, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useNow } from '../format/useNow.ts';
import { ConnectorCatalog } from './ConnectorCatalog.tsx';
import { IntegrationCard } from './IntegrationCard.tsx';
import { overviewKey, useOverview } from './queries.ts';
import { RecentActivity } from './RecentActivity.tsx';
import { SummaryStats } from './SummaryStats.tsx';

export function OverviewPage() {
  const { t } = useTranslation();
  const overview = useOverview();
  const queryClient = useQueryClient();
  const now = useNow();
  const refresh = useDebouncedCallback(() => queryClient.invalidateQueries({ queryKey: overviewKey }), 250);
  const integrations = overview.data?.integrations;
  const names = useMemo(
    () => new Map((integrations ?? []).map((integration) => [integration.id, integration.name])),
    [integrations],
  );
  useConnectedNotice(names);

  return (
    <Stack gap="lg">
      <Title order={1}>{t('app.title')}</Title>
      {overview.isError && (
        <Alert color="red" variant="light" role="alert">
          {t('overview.loadFailed', { detail: overview.error.message })}
        </Alert>
      )}
      {overview.data ? <SummaryStats counts={overview.data.counts} /> : <Skeleton h={110} />}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Stack gap="lg">
            <section aria-labelledby="integrations-title">
              <Title order={2} size="h3" id="integrations-title" mb="sm">
                {t('overview.integrations')}
              </Title>
              {integrations && integrations.length === 0 && <Text c="dimmed">{t('overview.empty')}</Text>}
              <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
                {(integrations ?? []).map((integration) => (
                  <IntegrationCard key={integration.id} integration={integration} now={now} />
                ))}
              </SimpleGrid>
            </section>
            <ConnectorCatalog />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <RecentActivity names={names} onEvents={refresh} />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

/** After an OAuth connect the hub sends the browser back with ?connected=<id>. */
function useConnectedNotice(names: ReadonlyMap<string, string>) {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const connected = params.get('connected');
  const name = connected ? names.get(connected) : undefined;
  useEffect(() => {
    if (!connected || !name) return;
    notifications.show({ color: 'green', message: t('overview.connected', { name }) });
    setParams({}, { replace: true });
  }, [connected, name, setParams, t]);
}
