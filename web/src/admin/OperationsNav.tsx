// Header links to the conflicts, events and administration pages; administration only for admins.
import { Anchor, Group } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import { hasRole } from '../session/roles.ts';
import { useSession } from '../session/SessionProvider.tsx';

export function OperationsNav() {
  const { t } = useTranslation();
  const { principal } = useSession();
  const links = [
    { to: '/conflicts', label: t('operations.nav.conflicts') },
    { to: '/events', label: t('operations.nav.events') },
    ...(hasRole(principal, 'admin') ? [{ to: '/admin', label: t('operations.nav.admin') }] : []),
  ];
  return (
    <Group component="nav" aria-label={t('operations.nav.label')} gap="md" wrap="nowrap">
      {links.map((link) => (
        <Anchor key={link.to} component={NavLink} to={link.to} size="sm">
          {link.label}
        </Anchor>
      ))}
    </Group>
  );
}
