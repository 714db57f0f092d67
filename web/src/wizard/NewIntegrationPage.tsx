// Where the setup wizard (FC-021: system, connection, field mapping, schedule) will live.
import { Alert, Anchor, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { useConnectors } from '../overview/queries.ts';

export function NewIntegrationPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const connectors = useConnectors();
  const chosen = connectors.data?.find((connector) => connector.id === params.get('connector'));
  return (
    <Stack gap="md" maw={720}>
      <Title order={1}>{t('wizard.title')}</Title>
      {chosen && <Text fw={500}>{t('wizard.chosen', { name: chosen.name })}</Text>}
      <Alert variant="light" color="blue">
        {t('wizard.placeholder')}
      </Alert>
      <Anchor component={Link} to="/">
        {t('navigation.back')}
      </Anchor>
    </Stack>
  );
}
