// Step 1: the catalog, with each template of REST and GraphQL as a system of its own.
import { Badge, Card, SimpleGrid, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Connector } from '../api/types.ts';
import { type Choice, choiceKey, choiceName, choicesOf } from './wizardState.ts';

export function ChooseConnectorStep({
  connectors,
  onChoose,
}: {
  connectors: Connector[];
  onChoose: (choice: Choice) => void;
}) {
  const { t } = useTranslation();
  const [filter, setFilter] = useState('');
  const needle = filter.trim().toLowerCase();
  const choices = choicesOf(connectors).filter((choice) => choiceName(choice).toLowerCase().includes(needle));
  return (
    <Stack gap="md" mt="md">
      <TextInput
        label={t('wizard.choose.search')}
        value={filter}
        onChange={(event) => setFilter(event.currentTarget.value)}
        maw={360}
      />
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        {choices.map((choice) => (
          <UnstyledButton
            key={choiceKey(choice)}
            onClick={() => onChoose(choice)}
            aria-label={t('wizard.choose.pick', { name: choiceName(choice) })}
          >
            <Card withBorder padding="md" h="100%">
              <Text fw={600}>{choiceName(choice)}</Text>
              <Badge variant="light" size="sm" mt={4}>
                {choice.template
                  ? t('wizard.choose.template', { type: choice.connector.name })
                  : choice.connector.type}
              </Badge>
              <Text size="sm" c="dimmed" mt="xs" lineClamp={3}>
                {choice.template?.description ?? choice.connector.description}
              </Text>
            </Card>
          </UnstyledButton>
        ))}
      </SimpleGrid>
    </Stack>
  );
}
