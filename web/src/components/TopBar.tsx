import { can } from '../lib/roles.ts';
import type { Route } from '../router.ts';
import { pathOf } from '../router.ts';
import { useStore } from '../store/index.ts';
import { Logo } from './Logo.tsx';
import { ProjectMenu } from './projects/ProjectMenu.tsx';
import { WhoAmI } from './WhoAmI.tsx';

type Section = 'journeys' | 'users' | 'messages' | 'settings' | 'keys' | 'team';

/** Keys and Team are for admins only: other roles do not see them (the server refuses them regardless). */
const SECTIONS: { section: Section; label: string; route: Route; admin?: true }[] = [
  { section: 'journeys', label: 'Journeys', route: { page: 'journeys' } },
  { section: 'users', label: 'Users', route: { page: 'users', id: null } },
  { section: 'messages', label: 'Messages', route: { page: 'messages' } },
  { section: 'settings', label: 'Settings', route: { page: 'settings' } },
  { section: 'keys', label: 'Keys', route: { page: 'keys' }, admin: true },
  { section: 'team', label: 'Team', route: { page: 'team' }, admin: true },
];

/** The section a page belongs to: a journey's canvas is under Journeys, a user's lookup under Users. */
function sectionOf(route: Route): Section {
  return route.page === 'journey' ? 'journeys' : route.page;
}

export function TopBar() {
  const navigate = useStore((s) => s.navigate);
  const signOut = useStore((s) => s.signOut);
  const current = useStore((s) => sectionOf(s.route));
  const admin = useStore((s) => can(s.role, 'admin'));
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
      <ProjectMenu />
      <nav aria-label="Main">
        {SECTIONS.filter((s) => admin || !s.admin).map(({ section, label, route }) => (
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
      <WhoAmI />
      <button type="button" className="button ghost" onClick={() => void signOut()}>
        Sign out
      </button>
    </header>
  );
}
