// Charts over time from GET /monitoring: records synced, error rate, latency and rate-limit hits,
// for all integrations or the one chosen, over the last day or week.
import { BarChart, LineChart } from '@mantine/charts';
import { Alert, Card, Group, SegmentedControl, Select, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiGet } from '../api/client.ts';
import type { MonitoringBucket } from '../detail/types.ts';
import { formatNumber } from '../format/relativeTime.ts';
import { currentLanguage } from '../i18n/i18n.ts';
import { useOverview } from '../overview/queries.ts';

const ALL = 'all';
const percent = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10);

export function MonitoringPage() {
  const { t } = useTranslation();
  const language = currentLanguage();
  const [hours, setHours] = useState('24');
  const [integrationId, setIntegrationId] = useState<string | null>(null);
  const integrations = useOverview().data?.integrations ?? [];
  const query = new URLSearchParams({ hours, ...(integrationId ? { integrationId } : {}) });
  const { data, error } = useQuery({
    queryKey: ['monitoring', hours, integrationId],
    queryFn: () => apiGet<{ buckets: MonitoringBucket[] }>(`/monitoring?${query}`),
    refetchInterval: 30_000,
  });
  const buckets = data?.buckets ?? [];
  const locale = language === 'de' ? 'de-DE' : 'en-GB';
  const hourLabel = new Intl.DateTimeFormat(locale, {
    ...(hours === '24' ? {} : { day: '2-digit', month: '2-digit' }),
    hour: '2-digit',
    minute: '2-digit',
  });
  const series = buckets.map((bucket) => ({
    hour: hourLabel.format(new Date(bucket.hour)),
    synced: bucket.recordsSynced,
    failed: bucket.recordsFailed,
    failedRuns: percent(bucket.failedRuns, bucket.runs),
    failedRequests: percent(bucket.requestErrors, bucket.requests),
    p50: bucket.latencyP50Ms,
    p95: bucket.latencyP95Ms,
    rateLimited: bucket.rateLimited,
  }));
  const sum = (key: keyof MonitoringBucket) =>
    formatNumber(
      buckets.reduce((total, bucket) => total + Number(bucket[key] ?? 0), 0),
      language,
    );

  return (
    <Stack gap="lg">
      <div>
        <Title order={1}>{t('monitoring.title')}</Title>
        <Text c="dimmed">{t('monitoring.intro')}</Text>
      </div>
      <Group align="flex-end">
        <Select
          label={t('monitoring.integration')}
          w={320}
          value={integrationId ?? ALL}
          onChange={(value) => setIntegrationId(value && value !== ALL ? value : null)}
          data={[
            { value: ALL, label: t('monitoring.all') },
            ...integrations.map((item) => ({ value: item.id, label: item.name })),
          ]}
          allowDeselect={false}
        />
        <SegmentedControl
          aria-label={t('monitoring.window')}
          value={hours}
          onChange={setHours}
          data={[
            { value: '24', label: t('monitoring.hours24') },
            { value: '168', label: t('monitoring.days7') },
          ]}
        />
      </Group>
      {error && <Alert color="red">{t('monitoring.loadFailed', { detail: error.message })}</Alert>}
      {data && (
        <Text fw={500} data-testid="monitoring-totals">
          {t('monitoring.totals', {
            records: sum('recordsSynced'),
            runs: sum('runs'),
            requests: sum('requests'),
            rateLimited: sum('rateLimited'),
          })}
        </Text>
      )}
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Chart title={t('monitoring.records')}>
          <BarChart
            h={240}
            data={series}
            dataKey="hour"
            type="stacked"
            withLegend
            series={[
              { name: 'synced', label: t('monitoring.recordsSynced'), color: 'teal.6' },
              { name: 'failed', label: t('monitoring.recordsFailed'), color: 'red.6' },
            ]}
          />
        </Chart>
        <Chart title={t('monitoring.errorRate')}>
          <LineChart
            h={240}
            data={series}
            dataKey="hour"
            withLegend
            unit=" %"
            curveType="linear"
            series={[
              { name: 'failedRuns', label: t('monitoring.failedRunsRate'), color: 'red.6' },
              { name: 'failedRequests', label: t('monitoring.requestErrorRate'), color: 'orange.6' },
            ]}
          />
        </Chart>
        <Chart title={t('monitoring.latency')}>
          <LineChart
            h={240}
            data={series}
            dataKey="hour"
            withLegend
            unit=" ms"
            connectNulls
            curveType="linear"
            series={[
              { name: 'p50', label: t('monitoring.p50'), color: 'blue.6' },
              { name: 'p95', label: t('monitoring.p95'), color: 'grape.6' },
            ]}
          />
        </Chart>
        <Chart title={t('monitoring.rateLimits')}>
          <BarChart
            h={240}
            data={series}
            dataKey="hour"
            series={[{ name: 'rateLimited', label: t('monitoring.rateLimited'), color: 'yellow.6' }]}
          />
        </Chart>
      </SimpleGrid>
    </Stack>
  );
}

function Chart({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Card withBorder radius="md" component="section" aria-label={title}>
      <Title order={2} size="h5" mb="sm">
        {title}
      </Title>
      {children}
    </Card>
  );
}
