import { useStore } from '../store/index.ts';
import { Logo } from './Logo.tsx';

export function TopBar() {
  const navigate = useStore((s) => s.navigate);
  const signOut = useStore((s) => s.signOut);
  return (
    <header className="topbar">
      <a
        className="brand"
        href="/journeys"
        onClick={(event) => {
          event.preventDefault();
          navigate({ page: 'journeys' });
        }}
      >
        <Logo />
        <span>Waymark</span>
      </a>
      <nav aria-label="Main">
        <a
          className="nav-link active"
          href="/journeys"
          aria-current="page"
          onClick={(event) => {
            event.preventDefault();
            navigate({ page: 'journeys' });
          }}
        >
          Journeys
        </a>
      </nav>
      <button type="button" className="button ghost" onClick={() => void signOut()}>
        Sign out
      </button>
    </header>
  );
}
