import { lazy, Suspense } from 'react';
import { JourneysPage } from './pages/JourneysPage.tsx';
import { KeysPage } from './pages/KeysPage.tsx';
import { MessagesPage } from './pages/MessagesPage.tsx';
import { SettingsPage } from './pages/SettingsPage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { TeamPage } from './pages/TeamPage.tsx';
import { UsersPage } from './pages/UsersPage.tsx';
import { TopBar } from './components/TopBar.tsx';
import type { Route } from './router.ts';
import { useStore } from './store/index.ts';

// The canvas brings React Flow and dagre (most of the dashboard's weight): loaded only when a journey opens.
const JourneyPage = lazy(() => import('./pages/JourneyPage.tsx').then((m) => ({ default: m.JourneyPage })));

export function App() {
  const session = useStore((s) => s.session);
  const route = useStore((s) => s.route);
  if (session === 'checking') return <div className="loading-screen" aria-busy="true" />;
  if (session === 'signedOut') return <SignInPage />;
  return (
    <div className="shell">
      <TopBar />
      <Suspense fallback={<main className="page" aria-busy="true" aria-label="Loading" />}>
        <Page route={route} />
      </Suspense>
    </div>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'journey':
      return <JourneyPage id={route.id} />;
    case 'users':
      return <UsersPage id={route.id} />;
    case 'messages':
      return <MessagesPage />;
    case 'settings':
      return <SettingsPage />;
    case 'keys':
      return <KeysPage />;
    case 'team':
      return <TeamPage />;
    case 'journeys':
      return <JourneysPage />;
  }
}
