/** The dashboard's pages, in the address bar so they can be bookmarked and shared. */
export type Route =
  | { page: 'journeys' }
  | { page: 'journey'; id: string }
  | { page: 'users'; id: string | null }
  | { page: 'messages' }
  | { page: 'settings' }
  | { page: 'keys' }
  | { page: 'team' };

/** Keep in step with DASHBOARD_PAGES in src/api/dashboard.ts: the server answers these paths with the app. */
const PAGES: { pattern: RegExp; route: (id: string | null) => Route }[] = [
  { pattern: /^\/journeys\/([^/]+)\/?$/, route: (id) => ({ page: 'journey', id: id! }) },
  { pattern: /^\/users\/?$/, route: () => ({ page: 'users', id: null }) },
  { pattern: /^\/users\/([^/]+)\/?$/, route: (id) => ({ page: 'users', id }) },
  { pattern: /^\/messages\/?$/, route: () => ({ page: 'messages' }) },
  { pattern: /^\/settings\/?$/, route: () => ({ page: 'settings' }) },
  { pattern: /^\/keys\/?$/, route: () => ({ page: 'keys' }) },
  { pattern: /^\/team\/?$/, route: () => ({ page: 'team' }) },
];

export function routeOf(pathname: string): Route {
  for (const { pattern, route } of PAGES) {
    const match = pattern.exec(pathname);
    if (!match) continue;
    try {
      return route(match[1] === undefined ? null : decodeURIComponent(match[1]));
    } catch {
      return { page: 'journeys' };
    }
  }
  return { page: 'journeys' };
}

export function pathOf(route: Route): string {
  switch (route.page) {
    case 'journey':
      return `/journeys/${encodeURIComponent(route.id)}`;
    case 'users':
      return route.id === null ? '/users' : `/users/${encodeURIComponent(route.id)}`;
    case 'messages':
      return '/messages';
    case 'settings':
      return '/settings';
    case 'keys':
      return '/keys';
    case 'team':
      return '/team';
    case 'journeys':
      return '/journeys';
  }
}
