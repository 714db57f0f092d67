// Step 1: the catalog, with each template of REST and GraphQL as a system of its own.
import { Badge, Button, Card, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
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
          // The whole card takes a click; its button is the keyboard's and screen reader's way in.
          <Card
            key={choiceKey(choice)}
            withBorder
            padding="md"
            h="100%"
            onClick={() => onChoose(choice)}
            style={{ cursor: 'pointer' }}
          >
            <Stack gap={4} h="100%" align="flex-start">
              <Text fw={600}>{choiceName(choice)}</Text>
              <Badge variant="light" size="sm">
                {choice.template
                  ? t('wizard.choose.template', { type: choice.connector.name })
                  : choice.connector.type}
              </Badge>
              <Text size="sm" c="dimmed" mt={4} lineClamp={3} style={{ flexGrow: 1 }}>
                {choice.template?.description ?? choice.connector.description}
              </Text>
              <Button
                variant="light"
                size="xs"
                mt="xs"
                aria-label={t('wizard.choose.pick', { name: choiceName(choice) })}
                onClick={(event) => {
                  event.stopPropagation();
                  onChoose(choice);
                }}
              >
                {t('wizard.choose.button')}
              </Button>
            </Stack>
          </Card>
        ))}
      </SimpleGrid>
    </Stack>
  );
}
