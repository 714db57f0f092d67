// The two numbers at the top of the overview: active integrations and open issues.
import { Paper, SimpleGrid, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Overview } from '../api/types.ts';

export function SummaryStats({ counts }: { counts: Overview['counts'] }) {
  const { t } = useTranslation();
  return (
    <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="md">
      <Paper withBorder radius="md" p="md" data-testid="stat-active">
        <Text size="sm" c="dimmed">
          {t('overview.active')}
        </Text>
        <Text fz={32} fw={700} lh={1.2}>
          {counts.active}
        </Text>
        {counts.paused > 0 && (
          <Text size="sm" c="dimmed">
            {t('overview.paused', { count: counts.paused })}
          </Text>
        )}
      </Paper>
      <Paper withBorder radius="md" p="md" data-testid="stat-issues">
        <Text size="sm" c="dimmed">
          {t('overview.issues')}
        </Text>
        <Text fz={32} fw={700} lh={1.2} c={counts.issues > 0 ? 'red.9' : undefined}>
          {counts.issues}
        </Text>
        <Text size="sm" c="dimmed">
          {t('overview.issuesDetail', { errors: counts.error, conflicts: counts.openConflicts })}
        </Text>
      </Paper>
    </SimpleGrid>
  );
}
