/** The dashboard's few pages, in the address bar so they can be bookmarked and shared. */
export type Route = { page: 'journeys' } | { page: 'journey'; id: string };

/** Keep in step with DASHBOARD_PAGES in src/api/dashboard.ts: the server answers these paths with the app. */
export function routeOf(pathname: string): Route {
  const match = /^\/journeys\/([^/]+)\/?$/.exec(pathname);
  if (match) {
    try {
      return { page: 'journey', id: decodeURIComponent(match[1]!) };
    } catch {
      return { page: 'journeys' };
    }
  }
  return { page: 'journeys' };
}

export function pathOf(route: Route): string {
  return route.page === 'journey' ? `/journeys/${encodeURIComponent(route.id)}` : '/journeys';
}
