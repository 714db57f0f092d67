import { Stack, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { SchemaRegistry } from './SchemaRegistry.tsx';
import { SubscriptionsPanel } from './SubscriptionsPanel.tsx';

export function EventsPage() {
  const { t } = useTranslation();
  return (
    <Stack gap="xl">
      <Title order={1}>{t('operations.subscriptions.title')}</Title>
      <SubscriptionsPanel />
      <SchemaRegistry />
    </Stack>
  );
}
