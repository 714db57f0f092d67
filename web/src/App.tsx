// Providers and routes. Signed out, every path shows the sign-in; signed in, the pages.
import { Center, Loader } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Route, Routes, useLocation } from 'react-router';
import { AdminPage } from './admin/AdminPage.tsx';
import { ConflictsPage } from './conflicts/ConflictsPage.tsx';
import { IntegrationDetailPage } from './detail/IntegrationDetailPage.tsx';
import { CredentialsPage } from './integrations/CredentialsPage.tsx';
import { AppLayout } from './layout/AppLayout.tsx';
import { MonitoringPage } from './monitoring/MonitoringPage.tsx';
import { NotFoundPage } from './NotFoundPage.tsx';
import { OverviewPage } from './overview/OverviewPage.tsx';
import { OidcCallbackPage } from './session/OidcCallbackPage.tsx';
import { CALLBACK_PATH } from './session/oidcLogin.ts';
import { useSession } from './session/SessionProvider.tsx';
import { SessionProblem, SignInPage } from './session/SignInPage.tsx';
import { EventsPage } from './subscriptions/EventsPage.tsx';
import { NewIntegrationPage } from './wizard/NewIntegrationPage.tsx';

export function App() {
  return (
    <BrowserRouter>
      <SignedIn />
    </BrowserRouter>
  );
}

function SignedIn() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const { token, principal, checking, error, signOut } = useSession();
  const { pathname } = useLocation();
  if (!token) return pathname === CALLBACK_PATH ? <OidcCallbackPage /> : <SignInPage />;
  if (checking) {
    return (
      <Center mih="100vh">
        <Loader aria-label={t('app.loading')} />
      </Center>
    );
  }
  if (!principal) {
    return (
      <SessionProblem
        detail={error?.message ?? ''}
        onRetry={() => void queryClient.invalidateQueries({ queryKey: ['me'] })}
        onSignOut={signOut}
      />
    );
  }
  return (
    <AppLayout>
      <Routes>
        <Route path="/" element={<OverviewPage />} />
        <Route path="/integrations/new" element={<NewIntegrationPage />} />
        <Route path="/integrations/:id/credentials" element={<CredentialsPage />} />
        <Route path="/integrations/:id" element={<IntegrationDetailPage />} />
        <Route path="/monitoring" element={<MonitoringPage />} />
        <Route path="/conflicts" element={<ConflictsPage />} />
        <Route path="/events" element={<EventsPage />} />
        <Route path="/admin" element={<AdminPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </AppLayout>
  );
}
