// One conflict: the common base, the hub's and the source's version side by side per field.
// Only contested fields need a choice; the hub merges the rest from whichever side changed them.
import {
  Alert,
  Button,
  Card,
  Group,
  Loader,
  Radio,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, apiGet } from '../api/client.ts';
import type { Conflict, Side } from '../api/operationsTypes.ts';
import { hasRole } from '../session/roles.ts';
import { useSession } from '../session/SessionProvider.tsx';

const show = (value: unknown) =>
  value === undefined || value === null ? '–' : typeof value === 'string' ? value : JSON.stringify(value);
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function ConflictDetail({ id, onResolved }: { id: string; onResolved(): void }) {
  const { t } = useTranslation();
  const { principal } = useSession();
  const queryClient = useQueryClient();
  const canResolve = hasRole(principal, 'operator');
  const [choices, setChoices] = useState<Record<string, Side>>({});
  const conflict = useQuery({
    queryKey: ['conflicts', id],
    queryFn: () => apiGet<Conflict>(`/conflicts/${id}`),
  });
  const resolve = useMutation({
    mutationFn: (body: { fields: Record<string, Side> } | { use: Side }) =>
      api(`/conflicts/${id}/resolve`, { method: 'POST', body }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['conflicts'] });
      onResolved();
    },
  });
  if (conflict.isPending) return <Loader aria-label={t('app.loading')} />;
  if (conflict.error) {
    return <Alert color="red">{t('operations.common.failed', { detail: conflict.error.message })}</Alert>;
  }
  const data = conflict.data;
  const base = data.base ?? {};
  const fields = [...new Set([...Object.keys(base), ...Object.keys(data.hub), ...Object.keys(data.external)])]
    .filter((field) => !(same(base[field], data.hub[field]) && same(base[field], data.external[field])))
    .sort();
  const undecided = data.contested.filter((field) => !choices[field]);
  const title = t('operations.conflicts.detailTitle', { entity: data.entity, externalId: data.externalId });
  return (
    <Card withBorder component="section" aria-label={title}>
      <Stack gap="md">
        <Title order={2}>{title}</Title>
        {!canResolve && <Alert color="gray">{t('operations.conflicts.readOnly')}</Alert>}
        <Table.ScrollContainer minWidth={700}>
          <Table withColumnBorders>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('operations.conflicts.field')}</Table.Th>
                <Table.Th>{t('operations.conflicts.base')}</Table.Th>
                <Table.Th>{t('operations.conflicts.hub')}</Table.Th>
                <Table.Th>{t('operations.conflicts.external')}</Table.Th>
                <Table.Th>{t('operations.conflicts.choice')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {fields.map((field) => {
                const differs = !same(data.hub[field], data.external[field]);
                const contested = data.contested.includes(field);
                const highlight = differs ? 'var(--mantine-color-yellow-light)' : undefined;
                return (
                  <Table.Tr key={field} data-testid={`conflict-field-${field}`}>
                    <Table.Td fw={600}>
                      {field}
                      {differs && (
                        <Text span size="xs" c="orange" ml={6}>
                          ({t('operations.conflicts.differs')})
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{show(base[field])}</Table.Td>
                    <Table.Td bg={highlight}>{show(data.hub[field])}</Table.Td>
                    <Table.Td bg={highlight}>{show(data.external[field])}</Table.Td>
                    <Table.Td>
                      {contested ? (
                        <Radio.Group
                          value={choices[field] ?? null}
                          onChange={(value) =>
                            setChoices((current) => ({ ...current, [field]: value as Side }))
                          }
                          label={
                            <VisuallyHidden>{t('operations.conflicts.choiceFor', { field })}</VisuallyHidden>
                          }
                        >
                          <Group gap="sm">
                            <Radio
                              value="hub"
                              label={t('operations.conflicts.useHub')}
                              disabled={!canResolve}
                            />
                            <Radio
                              value="external"
                              label={t('operations.conflicts.useExternal')}
                              disabled={!canResolve}
                            />
                          </Group>
                        </Radio.Group>
                      ) : (
                        <Text size="sm" c="dimmed">
                          {t('operations.conflicts.automatic')}
                        </Text>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {resolve.error && (
          <Alert color="red">{t('operations.common.failed', { detail: resolve.error.message })}</Alert>
        )}
        {canResolve && (
          <Group justify="space-between">
            <Group gap="xs">
              <Button
                variant="default"
                onClick={() => resolve.mutate({ use: 'hub' })}
                loading={resolve.isPending}
              >
                {t('operations.conflicts.allHub')}
              </Button>
              <Button
                variant="default"
                onClick={() => resolve.mutate({ use: 'external' })}
                loading={resolve.isPending}
              >
                {t('operations.conflicts.allExternal')}
              </Button>
            </Group>
            <Group gap="xs">
              {undecided.length > 0 && (
                <Text size="sm" c="dimmed">
                  {t('operations.conflicts.undecided')}
                </Text>
              )}
              <Button
                disabled={undecided.length > 0}
                loading={resolve.isPending}
                onClick={() => resolve.mutate({ fields: choices })}
              >
                {t('operations.conflicts.apply')}
              </Button>
            </Group>
          </Group>
        )}
      </Stack>
    </Card>
  );
}
