// One integration on the overview: status (active, error with its reason, paused), last sync,
// records held, and on problems the way out (Reconnect, Retry) for those allowed to take it.
import { Alert, Anchor, Badge, Button, Card, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconPlugConnected, IconRefresh } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { IntegrationSummary } from '../api/types.ts';
import { formatNumber, relativeTime } from '../format/relativeTime.ts';
import { currentLanguage } from '../i18n/i18n.ts';
import { hasRole } from '../session/roles.ts';
import { useSession } from '../session/SessionProvider.tsx';
import { useIntegrationActions } from './useIntegrationActions.ts';

const statusColor = { active: 'green', error: 'red', inactive: 'gray' } as const;
const unfinished = new Set(['queued', 'running', 'waiting']);
// Reasons often hold long URLs without spaces.
const breakAnywhere = { overflowWrap: 'anywhere' } as const;

export function IntegrationCard({ integration, now }: { integration: IntegrationSummary; now: number }) {
  const { t } = useTranslation();
  const { principal } = useSession();
  const { retry, reconnect, reconnecting } = useIntegrationActions(integration);
  const language = currentLanguage();
  const titleId = `integration-${integration.id}`;
  const run = integration.lastRun;
  const syncing = !!run && unfinished.has(run.state);
  const inError = integration.status === 'error';
  const lastRunFailed = !inError && run?.state === 'failed';
  const mayReconnect = hasRole(principal, integration.reconnect === 'oauth' ? 'operator' : 'admin');
  const showReconnect = inError && integration.errorKind === 'auth' && mayReconnect;
  const showRetry = (inError || lastRunFailed) && !syncing && hasRole(principal, 'operator');

  return (
    <Card withBorder radius="md" padding="md" component="article" aria-labelledby={titleId}>
      <Stack gap="sm" h="100%">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <div>
            <Title order={3} size="h4" id={titleId}>
              <Anchor component={Link} to={`/integrations/${integration.id}`} inherit c="inherit">
                {integration.name}
              </Anchor>
            </Title>
            <Text size="sm" c="dimmed">
              {integration.connectorName}
            </Text>
          </div>
          <Badge color={statusColor[integration.status]} variant="light" size="lg">
            {t(`status.${integration.status}`)}
          </Badge>
        </Group>

        {inError && (
          <Alert
            color="red"
            variant="light"
            icon={<IconAlertTriangle aria-hidden />}
            title={t(`errorKinds.${integration.errorKind ?? 'unknown'}`)}
          >
            <Text size="sm" lineClamp={4} style={breakAnywhere} title={integration.statusReason ?? undefined}>
              {integration.statusReason}
            </Text>
          </Alert>
        )}
        {lastRunFailed && run?.error && (
          <Text size="sm" c="red.9" lineClamp={3} style={breakAnywhere}>
            {t('card.lastRunFailed', { error: run.error })}
          </Text>
        )}

        <Group gap="xl">
          <div>
            <Text size="xs" c="dimmed">
              {t('card.lastSync')}
            </Text>
            <Text fw={500}>
              {integration.lastSyncAt
                ? relativeTime(integration.lastSyncAt, now, language, t('time.justNow'))
                : t('card.never')}
            </Text>
          </div>
          <div>
            <Text size="xs" c="dimmed">
              {t('card.records')}
            </Text>
            <Text fw={500} data-testid="record-count">
              {formatNumber(integration.records, language)}
            </Text>
          </div>
          {syncing && (
            <Group gap={6}>
              <Loader size="xs" aria-hidden />
              <Text size="sm">{t('status.syncing')}</Text>
            </Group>
          )}
        </Group>

        {(showReconnect || showRetry) && (
          <Group gap="sm" mt="auto">
            {showReconnect && (
              <Button
                color="red"
                leftSection={<IconPlugConnected size={16} aria-hidden />}
                onClick={reconnect}
                loading={reconnecting}
              >
                {t('card.reconnect')}
              </Button>
            )}
            {showRetry && (
              <Button
                variant="light"
                leftSection={<IconRefresh size={16} aria-hidden />}
                onClick={() => retry.mutate()}
                loading={retry.isPending}
              >
                {t('card.retry')}
              </Button>
            )}
          </Group>
        )}
      </Stack>
    </Card>
  );
}
