// The setup wizard (FC-021): choose the system, connect it, map its fields, schedule and activate.
// The integration is stored paused at the first connection test and activated in the last step.
// Back from an OAuth provider's consent (`?draft=<id>`), it resumes at the mapping step of that draft.
import { Alert, Anchor, Loader, Stack, Stepper, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { apiGet } from '../api/client.ts';
import type { EntityMapping, Integration } from '../api/types.ts';
import { useConnectors } from '../overview/queries.ts';
import { hasRole } from '../session/roles.ts';
import { useSession } from '../session/SessionProvider.tsx';
import { ChooseConnectorStep } from './ChooseConnectorStep.tsx';
import { ConnectionStep } from './ConnectionStep.tsx';
import { MappingStep } from './MappingStep.tsx';
import { ScheduleStep } from './ScheduleStep.tsx';
import { type Choice, choiceKey, choicesOf, type Draft } from './wizardState.ts';

export function NewIntegrationPage() {
  const { t } = useTranslation();
  const { principal } = useSession();
  const [params] = useSearchParams();
  const connectors = useConnectors();
  const [picked, setPicked] = useState<Choice | null>(null);
  const [active, setActive] = useState<number | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [mapping, setMapping] = useState<Record<string, EntityMapping>>({});
  const [leftResumed, setLeftResumed] = useState(false);
  const resumeId = params.get('draft');
  const resumed = useQuery({
    queryKey: ['wizard-draft', resumeId],
    queryFn: () => apiGet<Integration>(`/integrations/${resumeId}`),
    enabled: resumeId !== null && hasRole(principal, 'admin'),
    staleTime: Number.POSITIVE_INFINITY,
  });

  if (!hasRole(principal, 'admin')) return <Alert color="orange">{t('wizard.adminOnly')}</Alert>;
  if (connectors.isError) return <Alert color="red">{connectors.error.message}</Alert>;
  if (!connectors.data || (resumeId && resumed.isPending)) return <Loader aria-label={t('app.loading')} />;

  const preselected = choicesOf(connectors.data).find(
    (choice) => choiceKey(choice) === params.get('connector'),
  );
  const choice = picked ?? preselected ?? null;
  const resumedDraft =
    !leftResumed && resumed.data && resumed.data.connector === choice?.connector.id
      ? { id: resumed.data.id, version: resumed.data.version, entities: resumed.data.entities }
      : null;
  const current = draft ?? resumedDraft;
  const step = active ?? (choice ? (resumedDraft ? 2 : 1) : 0);

  return (
    <Stack gap="md">
      <Title order={1}>{t('wizard.title')}</Title>
      {resumed.error && (
        <Alert color="red" variant="light" role="alert">
          {resumed.error.message}
        </Alert>
      )}
      {resumedDraft && step === 2 && (
        <Alert color="green" variant="light" role="status">
          {t('wizard.connection.resumed')}
        </Alert>
      )}
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
              setLeftResumed(true);
              setActive(1);
            }}
          />
        </Stepper.Step>
        <Stepper.Step label={t('wizard.steps.connection')}>
          {choice && (
            <ConnectionStep
              key={choiceKey(choice)}
              choice={choice}
              draft={current}
              onDraft={setDraft}
              onNext={() => setActive(2)}
            />
          )}
        </Stepper.Step>
        <Stepper.Step label={t('wizard.steps.mapping')}>
          {choice && current && (
            <MappingStep
              choice={choice}
              draft={current}
              entities={current.entities}
              onNext={(next) => {
                setMapping(next);
                setActive(3);
              }}
            />
          )}
        </Stepper.Step>
        <Stepper.Step label={t('wizard.steps.schedule')}>
          {choice && current && (
            <ScheduleStep choice={choice} draft={current} mapping={mapping} onDraft={setDraft} />
          )}
        </Stepper.Step>
      </Stepper>
      <Anchor component={Link} to="/">
        {t('navigation.back')}
      </Anchor>
    </Stack>
  );
}
