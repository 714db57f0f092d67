// The frame around every signed-in page: the hub's name, the language switch, who is signed in
// with which role, and signing out.
import { Anchor, AppShell, Badge, Button, Container, Group, Text, VisuallyHidden } from '@mantine/core';
import { IconLogout } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { OperationsNav } from '../admin/OperationsNav.tsx';
import { useSession } from '../session/SessionProvider.tsx';
import { LanguageSwitch } from './LanguageSwitch.tsx';

export function AppLayout({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { principal, signOut } = useSession();
  return (
    <AppShell header={{ height: 60 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Anchor component={Link} to="/" fw={700} size="lg" c="var(--mantine-color-text)" underline="never">
            {t('app.title')}
          </Anchor>
          <Group gap="md" wrap="nowrap">
            <Anchor component={Link} to="/monitoring" size="sm">
              {t('monitoring.nav')}
            </Anchor>
            <OperationsNav />
            <LanguageSwitch />
            {principal && (
              <Group gap={6} wrap="nowrap" data-testid="principal">
                <Text size="sm" visibleFrom="sm">
                  {t('session.signedInAs', { name: principal.name })}
                </Text>
                <Badge variant="light" color={principal.role === 'admin' ? 'grape' : 'blue'}>
                  <VisuallyHidden>{principal.name}: </VisuallyHidden>
                  {t(`roles.${principal.role}`)}
                </Badge>
              </Group>
            )}
            <Button
              variant="subtle"
              color="gray"
              leftSection={<IconLogout size={16} aria-hidden />}
              onClick={signOut}
            >
              {t('session.signOut')}
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main id="main" tabIndex={-1}>
        <Container size="xl" px={0}>
          {children}
        </Container>
      </AppShell.Main>
    </AppShell>
  );
}
