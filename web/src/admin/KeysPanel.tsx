// Encryption key status and data key rotation.
import { Alert, Badge, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, apiGet } from '../api/client.ts';
import type { KeyStatus } from '../api/operationsTypes.ts';
import { ConfirmButton, formatTime } from './ConfirmButton.tsx';

export function KeysPanel() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const keys = useQuery({ queryKey: ['keys'], queryFn: () => apiGet<KeyStatus>('/keys') });
  const rotate = async () => {
    setFailure(null);
    try {
      await api('/keys/rotate', { method: 'POST' });
      setNotice(t('operations.admin.rotated'));
      await queryClient.invalidateQueries({ queryKey: ['keys'] });
      await queryClient.invalidateQueries({ queryKey: ['audit'] });
    } catch (error) {
      setFailure((error as Error).message);
    }
  };
  const error = keys.error?.message ?? failure;
  return (
    <Stack gap="md" component="section" aria-label={t('operations.admin.keysTitle')}>
      <Title order={2}>{t('operations.admin.keysTitle')}</Title>
      {error && <Alert color="red">{t('operations.common.failed', { detail: error })}</Alert>}
      {notice && (
        <Alert color="green" role="status">
          {notice}
        </Alert>
      )}
      {keys.data && (
        <>
          <Text size="sm">{t('operations.admin.masterKey', { id: keys.data.masterKeyId })}</Text>
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('operations.admin.keyId')}</Table.Th>
                <Table.Th>{t('operations.admin.keyState')}</Table.Th>
                <Table.Th>{t('operations.admin.sealed')}</Table.Th>
                <Table.Th>{t('operations.admin.createdAt')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {keys.data.dataKeys.map((key) => (
                <Table.Tr key={key.id}>
                  <Table.Td>{key.id}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={key.state === 'active' ? 'green' : 'gray'}>
                      {key.state}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{key.sealedValues}</Table.Td>
                  <Table.Td>{formatTime(key.createdAt, i18n.language)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
      <div>
        <ConfirmButton
          color="orange"
          label={t('operations.admin.rotate')}
          title={t('operations.admin.rotateTitle')}
          question={t('operations.admin.rotateConfirm')}
          onConfirm={rotate}
        />
      </div>
    </Stack>
  );
}
