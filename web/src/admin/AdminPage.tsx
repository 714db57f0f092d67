import { Alert, Stack, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { hasRole } from '../session/roles.ts';
import { useSession } from '../session/SessionProvider.tsx';
import { ApiTokensPanel } from './ApiTokensPanel.tsx';
import { AuditPanel } from './AuditPanel.tsx';
import { KeysPanel } from './KeysPanel.tsx';

export function AdminPage() {
  const { t } = useTranslation();
  const { principal } = useSession();
  return (
    <Stack gap="xl">
      <Title order={1}>{t('operations.admin.title')}</Title>
      {hasRole(principal, 'admin') ? (
        <>
          <ApiTokensPanel />
          <AuditPanel />
          <KeysPanel />
        </>
      ) : (
        <Alert color="gray">{t('operations.common.adminOnly')}</Alert>
      )}
    </Stack>
  );
}
