import type { Route } from '../router.ts';
import { pathOf } from '../router.ts';
import { useStore } from '../store/index.ts';
import { Logo } from './Logo.tsx';

type Section = 'journeys' | 'users' | 'messages' | 'settings';

const SECTIONS: { section: Section; label: string; route: Route }[] = [
  { section: 'journeys', label: 'Journeys', route: { page: 'journeys' } },
  { section: 'users', label: 'Users', route: { page: 'users', id: null } },
  { section: 'messages', label: 'Messages', route: { page: 'messages' } },
  { section: 'settings', label: 'Settings', route: { page: 'settings' } },
];

/** The section a page belongs to: a journey's canvas is under Journeys, a user's lookup under Users. */
function sectionOf(route: Route): Section {
  return route.page === 'journey' ? 'journeys' : route.page;
}

export function TopBar() {
  const navigate = useStore((s) => s.navigate);
  const signOut = useStore((s) => s.signOut);
  const current = useStore((s) => sectionOf(s.route));
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
        {SECTIONS.map(({ section, label, route }) => (
          <a
            key={section}
            className={`nav-link${section === current ? ' active' : ''}`}
            href={pathOf(route)}
            aria-current={section === current ? 'page' : undefined}
            onClick={(event) => {
              event.preventDefault();
              navigate(route);
            }}
          >
            {label}
          </a>
        ))}
      </nav>
      <button type="button" className="button ghost" onClick={() => void signOut()}>
        Sign out
      </button>
    </header>
  );
}
