import { Badge, Button, Code, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { ScrollableTable } from '../layout/ScrollableTable.tsx';
import { dateTime } from './format.ts';
import { useWebhooks } from './queries.ts';
import type { ReceivedWebhook } from './types.ts';

const stateColor: Record<ReceivedWebhook['state'], string> = {
  received: 'blue',
  processed: 'green',
  failed: 'orange',
  dead: 'red',
};

export function WebhooksTable({
  integrationId,
  onReplay,
  replaying,
}: {
  integrationId: string;
  /** Absent for those who may not replay. */
  onReplay?: ((webhookId: string) => void) | undefined;
  replaying: boolean;
}) {
  const { t } = useTranslation();
  const { data: webhooks = [] } = useWebhooks(integrationId);
  if (webhooks.length === 0) return <Text c="dimmed">{t('detail.webhooks.empty')}</Text>;
  return (
    <ScrollableTable minWidth={800} label={t('detail.tabs.webhooks')}>
      <Table striped aria-label={t('detail.tabs.webhooks')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('detail.webhooks.received')}</Table.Th>
            <Table.Th>{t('detail.webhooks.messageId')}</Table.Th>
            <Table.Th>{t('detail.webhooks.state')}</Table.Th>
            <Table.Th ta="right">{t('detail.webhooks.attempts')}</Table.Th>
            <Table.Th>{t('detail.webhooks.lastError')}</Table.Th>
            {onReplay && <Table.Th />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {webhooks.map((webhook) => (
            <Table.Tr key={webhook.id}>
              <Table.Td>{dateTime(webhook.receivedAt)}</Table.Td>
              <Table.Td>
                <Code>{webhook.messageId ?? '–'}</Code>
              </Table.Td>
              <Table.Td>
                <Badge color={stateColor[webhook.state]} variant="light">
                  {t(`detail.webhooks.states.${webhook.state}`)}
                </Badge>
              </Table.Td>
              <Table.Td ta="right">{webhook.attempts}</Table.Td>
              <Table.Td>
                <Text size="sm" c="red.9" style={{ overflowWrap: 'anywhere' }}>
                  {webhook.lastError}
                </Text>
              </Table.Td>
              {onReplay && (
                <Table.Td>
                  <Button
                    size="compact-xs"
                    variant="light"
                    loading={replaying}
                    onClick={() => onReplay(webhook.id)}
                  >
                    {t('detail.webhooks.replay')}
                  </Button>
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollableTable>
  );
}
