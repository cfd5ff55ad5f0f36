import { JourneyPage } from './pages/JourneyPage.tsx';
import { JourneysPage } from './pages/JourneysPage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { TopBar } from './components/TopBar.tsx';
import { useStore } from './store.ts';

export function App() {
  const session = useStore((s) => s.session);
  const route = useStore((s) => s.route);
  if (session === 'checking') return <div className="loading-screen" aria-busy="true" />;
  if (session === 'signedOut') return <SignInPage />;
  return (
    <div className="shell">
      <TopBar />
      {route.page === 'journey' ? <JourneyPage id={route.id} /> : <JourneysPage />}
    </div>
  );
}
