// One integration in detail: its health and the actions on it for those allowed to take them,
// then tabs with per-entity status, the sync history, the request log and received webhooks.
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Loader,
  Modal,
  Stack,
  Tabs,
  Text,
  Title,
} from '@mantine/core';
import {
  IconPlayerPause,
  IconPlayerPlay,
  IconPlugConnected,
  IconRefresh,
  IconTrash,
} from '@tabler/icons-react';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError } from '../api/client.ts';
import { relativeTime } from '../format/relativeTime.ts';
import { useNow } from '../format/useNow.ts';
import { currentLanguage } from '../i18n/i18n.ts';
import { useOverview } from '../overview/queries.ts';
import { hasRole } from '../session/roles.ts';
import { useSession } from '../session/SessionProvider.tsx';
import { EntitiesTable } from './EntitiesTable.tsx';
import { dateTime } from './format.ts';
import { LogsTable } from './LogsTable.tsx';
import { useIntegration } from './queries.ts';
import { RunsTable } from './RunsTable.tsx';
import { useDetailActions } from './useDetailActions.ts';
import { WebhooksTable } from './WebhooksTable.tsx';

const statusColor = { active: 'green', error: 'red', inactive: 'gray' } as const;

export function IntegrationDetailPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const { data, error, isPending } = useIntegration(id);
  if (isPending) return <Loader aria-label={t('app.loading')} />;
  if (!data) {
    const gone = error instanceof ApiError && (error.status === 404 || error.status === 400);
    return (
      <Stack>
        <Alert color={gone ? 'gray' : 'red'}>
          {gone ? t('detail.notFound') : t('detail.loadFailed', { detail: error?.message ?? '' })}
        </Alert>
        <BackLink />
      </Stack>
    );
  }
  return <Detail id={id} etag={data.etag} integration={data.integration} />;
}

function BackLink() {
  const { t } = useTranslation();
  return (
    <Anchor component={Link} to="/" size="sm">
      ← {t('detail.back')}
    </Anchor>
  );
}

function Detail({
  id,
  etag,
  integration,
}: {
  id: string;
  etag: string;
  integration: NonNullable<ReturnType<typeof useIntegration>['data']>['integration'];
}) {
  const { t } = useTranslation();
  const { principal } = useSession();
  const now = useNow();
  const language = currentLanguage();
  const summary = useOverview().data?.integrations.find((item) => item.id === id);
  const actions = useDetailActions({ id, name: integration.name, etag });
  const [confirmDelete, setConfirmDelete] = useState(false);
  const operator = hasRole(principal, 'operator');
  const admin = hasRole(principal, 'admin');
  const paused = integration.status === 'inactive';
  const check = summary?.lastHealthCheck ?? null;
  const tested = actions.test.data;

  return (
    <Stack gap="lg">
      <BackLink />
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={1}>{integration.name}</Title>
          <Text c="dimmed">{summary?.connectorName ?? integration.connector}</Text>
        </div>
        {(operator || admin) && (
          <Group gap="sm">
            {operator && (
              <Button
                variant="default"
                leftSection={<IconPlugConnected size={16} aria-hidden />}
                loading={actions.test.isPending}
                onClick={() => actions.test.mutate()}
              >
                {t('detail.actions.test')}
              </Button>
            )}
            {operator && (
              <Button
                leftSection={<IconRefresh size={16} aria-hidden />}
                loading={actions.sync.isPending}
                disabled={paused}
                onClick={() => actions.sync.mutate()}
              >
                {t('detail.actions.sync')}
              </Button>
            )}
            {admin && (
              <Button
                variant="light"
                color={paused ? 'green' : 'yellow'}
                leftSection={
                  paused ? (
                    <IconPlayerPlay size={16} aria-hidden />
                  ) : (
                    <IconPlayerPause size={16} aria-hidden />
                  )
                }
                loading={actions.setStatus.isPending}
                onClick={() => actions.setStatus.mutate(paused ? 'active' : 'inactive')}
              >
                {paused ? t('detail.actions.resume') : t('detail.actions.pause')}
              </Button>
            )}
            {admin && (
              <Button
                variant="light"
                color="red"
                leftSection={<IconTrash size={16} aria-hidden />}
                onClick={() => setConfirmDelete(true)}
              >
                {t('detail.actions.delete')}
              </Button>
            )}
          </Group>
        )}
      </Group>

      <Card withBorder radius="md" component="section" aria-label={t('detail.health')}>
        <Stack gap="sm">
          <Title order={2} size="h4">
            {t('detail.health')}
          </Title>
          <Group gap="xl" align="flex-start">
            <Field label={t('detail.status')}>
              <Badge
                color={statusColor[integration.status]}
                variant="light"
                size="lg"
                data-testid="detail-status"
              >
                {t(`status.${integration.status}`)}
              </Badge>
            </Field>
            <Field label={t('detail.lastSync')}>
              {summary?.lastSyncAt
                ? relativeTime(summary.lastSyncAt, now, language, t('time.justNow'))
                : t('detail.never')}
            </Field>
            <Field label={t('detail.lastHealthCheck')}>
              {check
                ? `${dateTime(check.checkedAt)}: ${
                    check.ok
                      ? t('detail.healthOk', { latency: check.latencyMs })
                      : t('detail.healthFailed', { message: check.message })
                  }`
                : t('detail.never')}
            </Field>
          </Group>
          {integration.statusReason && (
            <Field label={t('detail.reason')}>
              <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                {integration.statusReason}
              </Text>
            </Field>
          )}
          {tested && (
            <Alert color={tested.ok ? 'green' : 'red'} variant="light" role="status">
              {tested.ok
                ? t('detail.actions.testOk', { latency: tested.latencyMs })
                : t('detail.actions.testFailed', { message: tested.message })}
            </Alert>
          )}
        </Stack>
      </Card>

      <Tabs defaultValue="runs" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="runs">{t('detail.tabs.runs')}</Tabs.Tab>
          <Tabs.Tab value="status">{t('detail.tabs.status')}</Tabs.Tab>
          <Tabs.Tab value="logs">{t('detail.tabs.logs')}</Tabs.Tab>
          <Tabs.Tab value="webhooks">{t('detail.tabs.webhooks')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="runs" pt="md">
          <RunsTable integrationId={id} />
        </Tabs.Panel>
        <Tabs.Panel value="status" pt="md">
          <EntitiesTable integrationId={id} />
        </Tabs.Panel>
        <Tabs.Panel value="logs" pt="md">
          <LogsTable integrationId={id} />
        </Tabs.Panel>
        <Tabs.Panel value="webhooks" pt="md">
          <WebhooksTable
            integrationId={id}
            onReplay={operator ? (webhookId) => actions.replay.mutate(webhookId) : undefined}
            replaying={actions.replay.isPending}
          />
        </Tabs.Panel>
      </Tabs>

      <Modal
        opened={confirmDelete}
        onClose={() => setConfirmDelete(false)}
        title={t('detail.actions.deleteTitle', { name: integration.name })}
      >
        <Stack>
          <Text>{t('detail.actions.deleteText')}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmDelete(false)}>
              {t('detail.actions.cancel')}
            </Button>
            <Button color="red" loading={actions.remove.isPending} onClick={() => actions.remove.mutate()}>
              {t('detail.actions.deleteConfirm')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text component="div" fw={500}>
        {children}
      </Text>
    </div>
  );
}
