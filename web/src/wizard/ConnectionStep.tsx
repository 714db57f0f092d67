// Step 2: a name and the connector's settings and credentials, generated from its JSON Schemas.
// Settings that are objects or lists (a generic connector's endpoints, auth, headers) are edited
// as JSON, prefilled from the template or the schema's default. "Verbindung testen" stores the
// integration paused (or updates it) and tests it.
import {
  Alert,
  Button,
  Group,
  JsonInput,
  NumberInput,
  PasswordInput,
  Stack,
  Switch,
  TextInput,
} from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import type { Integration } from '../api/types.ts';
import { type Choice, choiceName, type Draft, resumePath } from './wizardState.ts';

interface TestResult {
  ok: boolean;
  message: string;
  latencyMs: number;
}

type Value = string | number | boolean;
const scalar = new Set(['string', 'number', 'integer', 'boolean']);
const structured = new Set(['object', 'array']);

export function ConnectionStep({
  choice,
  draft,
  onDraft,
  onNext,
}: {
  choice: Choice;
  draft: Draft | null;
  onDraft: (draft: Draft) => void;
  onNext: () => void;
}) {
  const { t } = useTranslation();
  const { connector, template } = choice;
  const configFields = Object.entries(connector.configSchema.properties ?? {}).filter(
    ([, schema]) => schema.type && scalar.has(schema.type),
  );
  const jsonFields = Object.entries(connector.configSchema.properties ?? {}).filter(
    ([, schema]) => schema.type && structured.has(schema.type),
  );
  const requiredConfig = new Set(connector.configSchema.required ?? []);
  const requiredCredentials = new Set(connector.credentialsSchema.required ?? []);
  const credentialFields =
    template?.credentialFields ?? Object.keys(connector.credentialsSchema.properties ?? {});
  const [name, setName] = useState(choiceName(choice));
  const [config, setConfig] = useState<Record<string, Value>>(() => initialConfig(choice));
  const [jsonConfig, setJsonConfig] = useState<Record<string, string>>(() => initialJsonConfig(choice));
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const oauth = connector.authKind === 'oauth2';

  const save = async (): Promise<Draft> => {
    const structuredConfig = parsedJson(jsonConfig, (field) =>
      t('wizard.connection.invalidJson', {
        field: connector.configSchema.properties?.[field]?.title ?? field,
      }),
    );
    const body = {
      name,
      config: { ...filled(config), ...structuredConfig },
      credentials: filledStrings(credentials),
    };
    const saved = draft
      ? await api<Integration>(`/integrations/${draft.id}`, {
          method: 'PATCH',
          body,
          headers: { 'if-match': `"${draft.version}"` },
        })
      : await api<Integration>('/integrations', {
          method: 'POST',
          body: {
            ...body,
            connector: connector.id,
            ...(template ? { template: template.id } : {}),
            status: 'inactive',
            schedule: { enabled: false },
          },
        });
    const next = { id: saved.data.id, version: saved.data.version, entities: saved.data.entities };
    onDraft(next);
    return next;
  };

  const test = useMutation({
    mutationFn: async () => {
      const saved = await save();
      return (await api<TestResult>(`/integrations/${saved.id}/test`, { method: 'POST' })).data;
    },
  });
  // The provider's consent page opens in this tab (where the session is), and the hub sends the
  // browser back to the wizard at the mapping step of the same draft.
  const connect = useMutation({
    mutationFn: async () => {
      const saved = await save();
      const { data } = await api<{ authorizationUrl: string }>(`/integrations/${saved.id}/oauth/authorize`, {
        method: 'POST',
        body: { returnTo: resumePath(choice, saved.id) },
      });
      window.location.assign(data.authorizationUrl);
    },
  });

  return (
    <Stack gap="sm" mt="md" maw={560}>
      <TextInput
        label={t('wizard.connection.name')}
        required
        value={name}
        onChange={(event) => setName(event.currentTarget.value)}
      />
      {configFields.map(([field, schema]) => {
        const label = schema.title ?? field;
        const common = { label, description: schema.description, required: requiredConfig.has(field) };
        if (schema.type === 'boolean')
          return (
            <Switch
              key={field}
              {...common}
              checked={config[field] === true}
              onChange={(event) => {
                const checked = event.currentTarget.checked;
                setConfig((current) => ({ ...current, [field]: checked }));
              }}
            />
          );
        if (schema.type === 'number' || schema.type === 'integer')
          return (
            <NumberInput
              key={field}
              {...common}
              value={typeof config[field] === 'number' ? config[field] : ''}
              onChange={(value) => setConfig((current) => ({ ...current, [field]: value }))}
            />
          );
        return (
          <TextInput
            key={field}
            {...common}
            value={String(config[field] ?? '')}
            onChange={(event) => {
              const value = event.currentTarget.value;
              setConfig((current) => ({ ...current, [field]: value }));
            }}
          />
        );
      })}
      {jsonFields.map(([field, schema]) => (
        <JsonInput
          key={field}
          label={schema.title ?? field}
          description={schema.description ?? t('wizard.connection.jsonHint')}
          required={requiredConfig.has(field)}
          validationError={t('wizard.connection.invalidJson', { field: schema.title ?? field })}
          formatOnBlur
          autosize
          minRows={3}
          maxRows={14}
          value={jsonConfig[field] ?? ''}
          onChange={(value) => setJsonConfig((current) => ({ ...current, [field]: value }))}
        />
      ))}
      {credentialFields.map((field) => (
        <PasswordInput
          key={field}
          label={connector.credentialsSchema.properties?.[field]?.title ?? field}
          required={requiredCredentials.has(field)}
          autoComplete="off"
          value={credentials[field] ?? ''}
          onChange={(event) => {
            const value = event.currentTarget.value;
            setCredentials((current) => ({ ...current, [field]: value }));
          }}
        />
      ))}
      {test.data && (
        <Alert color={test.data.ok ? 'green' : 'red'} variant="light" role="status">
          {test.data.ok
            ? t('wizard.connection.ok', { ms: Math.round(test.data.latencyMs) })
            : t('wizard.connection.failed', { detail: test.data.message })}
        </Alert>
      )}
      {(test.error ?? connect.error) && (
        <Alert color="red" variant="light" role="alert">
          {(test.error ?? connect.error)?.message}
        </Alert>
      )}
      {connect.isSuccess && <Alert color="blue">{t('wizard.connection.oauthLeaving')}</Alert>}
      <Group>
        {oauth && (
          <Button variant="default" loading={connect.isPending} onClick={() => connect.mutate()}>
            {t('wizard.connection.connect')}
          </Button>
        )}
        <Button variant="default" loading={test.isPending} onClick={() => test.mutate()}>
          {t('wizard.connection.test')}
        </Button>
        <Button disabled={!draft || (!test.data?.ok && !connect.isSuccess)} onClick={onNext}>
          {t('wizard.next')}
        </Button>
      </Group>
    </Stack>
  );
}

function initialConfig(choice: Choice): Record<string, Value> {
  const values: Record<string, Value> = {};
  for (const [field, schema] of Object.entries(choice.connector.configSchema.properties ?? {})) {
    const given = choice.template?.config[field] ?? schema.default;
    if (typeof given === 'string' || typeof given === 'number' || typeof given === 'boolean')
      values[field] = given;
  }
  return values;
}

function initialJsonConfig(choice: Choice): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const [field, schema] of Object.entries(choice.connector.configSchema.properties ?? {})) {
    if (!schema.type || !structured.has(schema.type)) continue;
    const given = choice.template?.config[field] ?? schema.default;
    if (given !== undefined && given !== null && typeof given === 'object')
      texts[field] = JSON.stringify(given, null, 2);
  }
  return texts;
}

/** The JSON settings that were filled in, parsed; a field that is not JSON stops the save, named. */
function parsedJson(
  texts: Record<string, string>,
  invalid: (field: string) => string,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [field, text] of Object.entries(texts)) {
    if (text.trim() === '') continue;
    try {
      values[field] = JSON.parse(text);
    } catch {
      throw new Error(invalid(field));
    }
  }
  return values;
}

function filled(values: Record<string, Value>): Record<string, Value> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== ''));
}

function filledStrings(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value.trim() !== ''));
}
