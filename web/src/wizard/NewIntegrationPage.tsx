// The setup wizard (FC-021): choose the system, connect it, map its fields, schedule and activate.
// The integration is stored paused at the first connection test and activated in the last step.
import { Alert, Anchor, Loader, Stack, Stepper, Title } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import type { EntityMapping } from '../api/types.ts';
import { useConnectors } from '../overview/queries.ts';
import { hasRole } from '../session/roles.ts';
import { useSession } from '../session/SessionProvider.tsx';
import { ChooseConnectorStep } from './ChooseConnectorStep.tsx';
import { ConnectionStep } from './ConnectionStep.tsx';
import { MappingStep } from './MappingStep.tsx';
import { ScheduleStep } from './ScheduleStep.tsx';
import { type Choice, choiceEntities, choiceKey, choicesOf, type Draft } from './wizardState.ts';

export function NewIntegrationPage() {
  const { t } = useTranslation();
  const { principal } = useSession();
  const [params] = useSearchParams();
  const connectors = useConnectors();
  const [picked, setPicked] = useState<Choice | null>(null);
  const [active, setActive] = useState<number | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [mapping, setMapping] = useState<Record<string, EntityMapping>>({});

  if (!hasRole(principal, 'admin')) return <Alert color="orange">{t('wizard.adminOnly')}</Alert>;
  if (connectors.isError) return <Alert color="red">{connectors.error.message}</Alert>;
  if (!connectors.data) return <Loader aria-label={t('app.loading')} />;

  const preselected = choicesOf(connectors.data).find(
    (choice) => choiceKey(choice) === params.get('connector'),
  );
  const choice = picked ?? preselected ?? null;
  const step = active ?? (choice ? 1 : 0);

  return (
    <Stack gap="md">
      <Title order={1}>{t('wizard.title')}</Title>
      <Stepper
        active={step}
        onStepClick={(index) => index < step && setActive(index)}
        allowNextStepsSelect={false}
      >
        <Stepper.Step label={t('wizard.steps.system')}>
          <ChooseConnectorStep
            connectors={connectors.data}
            onChoose={(next) => {
              setPicked(next);
              setDraft(null);
              setActive(1);
            }}
          />
        </Stepper.Step>
        <Stepper.Step label={t('wizard.steps.connection')}>
          {choice && (
            <ConnectionStep
              key={choiceKey(choice)}
              choice={choice}
              draft={draft}
              onDraft={setDraft}
              onNext={() => setActive(2)}
            />
          )}
        </Stepper.Step>
        <Stepper.Step label={t('wizard.steps.mapping')}>
          {choice && draft && (
            <MappingStep
              choice={choice}
              draft={draft}
              entities={choiceEntities(choice)}
              onNext={(next) => {
                setMapping(next);
                setActive(3);
              }}
            />
          )}
        </Stepper.Step>
        <Stepper.Step label={t('wizard.steps.schedule')}>
          {choice && draft && (
            <ScheduleStep choice={choice} draft={draft} mapping={mapping} onDraft={setDraft} />
          )}
        </Stepper.Step>
      </Stepper>
      <Anchor component={Link} to="/">
        {t('navigation.back')}
      </Anchor>
    </Stack>
  );
}
