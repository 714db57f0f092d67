// The connectors the hub knows, each a way into the setup wizard for those who may add one.
import { Button, Group, Paper, Skeleton, Text, Title } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { hasRole } from '../session/roles.ts';
import { useSession } from '../session/SessionProvider.tsx';
import { useConnectors } from './queries.ts';

export function ConnectorCatalog() {
  const { t } = useTranslation();
  const { principal } = useSession();
  const connectors = useConnectors();
  const mayAdd = hasRole(principal, 'admin');

  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby="catalog-title">
      <Group justify="space-between" mb="md">
        <Title order={2} size="h3" id="catalog-title">
          {t('catalog.title')}
        </Title>
        {mayAdd && (
          <Button component={Link} to="/integrations/new" leftSection={<IconPlus size={16} aria-hidden />}>
            {t('catalog.addNew')}
          </Button>
        )}
      </Group>
      {connectors.isPending ? (
        <Skeleton h={36} />
      ) : (
        <Group gap="xs">
          {(connectors.data ?? []).map((connector) =>
            mayAdd ? (
              <Button
                key={connector.id}
                component={Link}
                to={`/integrations/new?connector=${encodeURIComponent(connector.id)}`}
                variant="default"
                aria-label={t('catalog.addConnector', { name: connector.name })}
                title={connector.description}
              >
                {connector.name}
              </Button>
            ) : (
              <Text
                key={connector.id}
                size="sm"
                px="sm"
                py={6}
                bd="1px solid var(--mantine-color-gray-4)"
                bdrs="sm"
              >
                {connector.name}
              </Text>
            ),
          )}
        </Group>
      )}
    </Paper>
  );
}
