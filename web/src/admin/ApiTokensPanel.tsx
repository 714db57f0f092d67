// API tokens: create one (shown once, with a copy button) and revoke one after asking.
import {
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, apiGet } from '../api/client.ts';
import type { ApiToken } from '../api/operationsTypes.ts';
import type { Role } from '../api/types.ts';
import { ScrollableTable } from '../layout/ScrollableTable.tsx';
import { ConfirmButton, formatTime } from './ConfirmButton.tsx';

const roles: Role[] = ['viewer', 'operator', 'admin'];

export function ApiTokensPanel() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [created, setCreated] = useState<string | null>(null);
  const tokens = useQuery({
    queryKey: ['api-keys'],
    queryFn: async () => (await apiGet<{ items: ApiToken[] }>('/api-keys')).items,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['api-keys'] });
  const create = useMutation({
    mutationFn: async () =>
      (
        await api<ApiToken & { token: string }>('/api-keys', {
          method: 'POST',
          body: { name: name.trim(), role },
        })
      ).data,
    onSuccess: async (result) => {
      setCreated(result.token);
      setName('');
      await Promise.all([refresh(), queryClient.invalidateQueries({ queryKey: ['audit'] })]);
    },
  });
  const error = tokens.error ?? create.error;
  return (
    <Stack gap="md" component="section" aria-label={t('operations.admin.tokensTitle')}>
      <Title order={2}>{t('operations.admin.tokensTitle')}</Title>
      {error && <Alert color="red">{t('operations.common.failed', { detail: error.message })}</Alert>}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate();
        }}
      >
        <Group align="flex-end">
          <TextInput
            label={t('operations.admin.tokenName')}
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
            required
          />
          <Select
            label={t('operations.admin.role')}
            value={role}
            onChange={(value) => value && setRole(value as Role)}
            data={roles.map((value) => ({ value, label: t(`roles.${value}`) }))}
            allowDeselect={false}
          />
          <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
            {t('operations.admin.create')}
          </Button>
        </Group>
      </form>
      {!!tokens.data?.length && (
        <ScrollableTable minWidth={800} label={t('operations.admin.tokensTitle')}>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('operations.admin.tokenName')}</Table.Th>
                <Table.Th>{t('operations.admin.role')}</Table.Th>
                <Table.Th>{t('operations.admin.prefix')}</Table.Th>
                <Table.Th>{t('operations.admin.createdAt')}</Table.Th>
                <Table.Th>{t('operations.admin.lastUsed')}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {tokens.data.map((token) => (
                <Table.Tr key={token.id} data-testid={`token-${token.name}`}>
                  <Table.Td fw={600}>{token.name}</Table.Td>
                  <Table.Td>{t(`roles.${token.role}`)}</Table.Td>
                  <Table.Td>
                    <Code>{token.tokenPrefix}</Code>
                  </Table.Td>
                  <Table.Td>{formatTime(token.createdAt, i18n.language)}</Table.Td>
                  <Table.Td>{formatTime(token.lastUsedAt, i18n.language)}</Table.Td>
                  <Table.Td>
                    {token.revokedAt ? (
                      <Badge color="gray">{t('operations.admin.revoked')}</Badge>
                    ) : (
                      <ConfirmButton
                        size="xs"
                        color="red"
                        variant="light"
                        aria-label={`${t('operations.admin.revoke')}: ${token.name}`}
                        label={t('operations.admin.revoke')}
                        title={t('operations.admin.revokeTitle')}
                        question={t('operations.admin.revokeConfirm', { name: token.name })}
                        onConfirm={async () => {
                          await api(`/api-keys/${token.id}`, { method: 'DELETE' });
                          await refresh();
                        }}
                      />
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollableTable>
      )}
      <Modal
        opened={created !== null}
        onClose={() => setCreated(null)}
        title={t('operations.admin.newTokenTitle')}
      >
        <Stack gap="sm">
          <Text>{t('operations.admin.newTokenOnce')}</Text>
          <Code block data-testid="new-token">
            {created}
          </Code>
          <Group justify="flex-end">
            <CopyButton value={created ?? ''}>
              {({ copied, copy }) => (
                <Button variant="light" color={copied ? 'teal' : 'blue'} onClick={copy}>
                  {copied ? t('operations.admin.copied') : t('operations.admin.copy')}
                </Button>
              )}
            </CopyButton>
            <Button onClick={() => setCreated(null)}>{t('operations.admin.close')}</Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
