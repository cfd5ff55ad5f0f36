/** The session, the page in the address bar, the node-kind registry, and the one notice on screen. */
import { ApiFailure, client, fetchRegistry, unwrap } from '../api/client.ts';
import { asRegistry, type Registry } from '../lib/meta.ts';
import { pathOf, routeOf, type Route } from '../router.ts';
import { messageOf, type Notice, type Slice } from './kit.ts';

export interface SessionSlice {
  session: 'checking' | 'signedOut' | 'signedIn';
  signInError: string | null;
  route: Route;
  registry: Registry | null;
  /** Keys of actions under way ("pause:welcome"), so their buttons show it and cannot be pressed twice. */
  busy: Record<string, true>;
  notice: Notice | null;

  start(): Promise<void>;
  signIn(key: string): Promise<void>;
  signOut(): Promise<void>;
  navigate(route: Route): void;
  dismissNotice(): void;
}

export const sessionSlice: Slice<SessionSlice> = (set, get) => {
  /** After a change of page, the page's data is read afresh. */
  const loadPage = async () => {
    const { route } = get();
    if (route.page === 'journey') await get().loadJourney(route.id);
    else if (route.page === 'journeys') await get().loadJourneys();
    else if (route.page === 'users') await Promise.all([get().loadUser(route.id), get().loadSettings(), get().loadJourneyNames()]);
    else if (route.page === 'messages') await Promise.all([get().loadMessages(), get().loadSettings(), get().loadJourneyNames()]);
    else if (route.page === 'settings') await get().loadSettings();
  };
  const afterSignIn = async () => {
    const registry = fetchRegistry().then((value) => set({ registry: asRegistry(value) }));
    await Promise.all([registry, loadPage().catch(() => {})]);
  };

  return {
    session: 'checking',
    signInError: null,
    route: routeOf(window.location.pathname),
    registry: null,
    busy: {},
    notice: null,

    async start() {
      window.addEventListener('popstate', () => {
        set({ route: routeOf(window.location.pathname) });
        void loadPage().catch(() => {});
      });
      try {
        const state = await unwrap(client.GET('/v1/session'));
        set({ session: state.signedIn ? 'signedIn' : 'signedOut' });
      } catch (error) {
        set({ session: 'signedOut', signInError: messageOf(error) });
      }
      if (get().session === 'signedIn') await afterSignIn();
    },

    async signIn(key) {
      set({ signInError: null });
      try {
        await unwrap(client.POST('/v1/session', { body: { key: key.trim() } }));
      } catch (error) {
        const status = error instanceof ApiFailure ? error.status : 0;
        const text = status === 401 ? 'That key is not valid. Use the admin key printed when the server first started.' : messageOf(error);
        set({ signInError: text });
        return;
      }
      set({ session: 'signedIn', notice: null });
      await afterSignIn();
    },

    async signOut() {
      await unwrap(client.DELETE('/v1/session')).catch(() => null);
      set({ session: 'signedOut', signInError: null, journeys: null, open: null, notice: null, user: null, settings: null, journeyNames: null });
    },

    navigate(route) {
      const path = pathOf(route);
      if (window.location.pathname !== path) window.history.pushState(null, '', path);
      set({ route, notice: null });
      void loadPage().catch(() => {});
      window.scrollTo(0, 0);
    },

    dismissNotice() {
      set({ notice: null });
    },
  };
};
