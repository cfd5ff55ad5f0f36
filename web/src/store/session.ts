/**
 * The session (who is signed in, with which role, and changing one's own password), the page in the address
 * bar, the node-kind registry, and the one notice on screen.
 */
import { abortSessionCalls, ApiFailure, client, fetchRegistry, isProjectGone, settle } from '../api/client.ts';
import { currentProject } from '../api/project-scope.ts';
import type { paths } from '../api/schema';
import { asRegistry, type Registry } from '../lib/meta.ts';
import { can } from '../lib/roles.ts';
import { pathOf, routeOf, type Route } from '../router.ts';
import { kit, messageOf, signedOut, type Notice, type Slice } from './kit.ts';

type SessionState = paths['/v1/session']['get']['responses'][200]['content']['application/json'];
export type Role = NonNullable<SessionState['role']>;
export type Me = NonNullable<SessionState['user']>;
/** An email and password, or the admin key. */
export type Credentials = { email: string; password: string } | { key: string };

const ADMIN_PAGES = new Set<Route['page']>(['keys', 'team']);

export interface SessionSlice {
  session: 'checking' | 'signedOut' | 'signedIn';
  /** What the session may do (the admin key's: admin); null when signed out. The server checks regardless. */
  role: Role | null;
  /** The user signed in; null when signed in with the admin key. */
  me: Me | null;
  /** Whether any user may sign in by password; false on a new server, where the sign-in page offers the key first. */
  userSignIn: boolean;
  signInError: string | null;
  route: Route;
  registry: Registry | null;
  /** Keys of actions under way ("pause:welcome"), so their buttons show it and cannot be pressed twice. */
  busy: Record<string, true>;
  notice: Notice | null;

  start(): Promise<void>;
  signIn(credentials: Credentials): Promise<void>;
  signOut(): Promise<void>;
  /** Reads who is signed in again (after a change to oneself on the Team page). */
  refreshSession(): Promise<void>;
  /**
   * Changes the signed-in user's own password (POST /v1/session/password): null when changed, else the
   * server's message (a wrong current password, a new one too short, too many attempts). This session goes on.
   */
  changePassword(oldPassword: string, newPassword: string): Promise<string | null>;
  navigate(route: Route): void;
  dismissNotice(): void;
}

export const sessionSlice: Slice<SessionSlice> = (set, get) => {
  const { guarded } = kit(set, get);
  /** After a change of page, the page's data is read afresh. */
  const loadPage = async () => {
    const { route } = get();
    if (route.page === 'journey') await get().loadJourney(route.id);
    else if (route.page === 'journeys') await get().loadJourneys();
    else if (route.page === 'users') await Promise.all([get().loadUser(route.id), get().loadSettings(), get().loadJourneyNames()]);
    else if (route.page === 'messages') await Promise.all([get().loadMessages(), get().loadSettings(), get().loadJourneyNames()]);
    else if (route.page === 'settings') await get().loadSettings();
    else if (route.page === 'keys') await get().loadKeys();
    else if (route.page === 'team') await get().loadTeam();
  };
  const signedIn = (state: SessionState) => {
    // Not signed in (a session that ended, read again): the same clean slate as signing out.
    if (!state.signedIn) return set({ ...signedOut(get, null), userSignIn: state.userSignIn });
    set({ session: 'signedIn', role: state.role, me: state.user, userSignIn: state.userSignIn });
    // An admin's page (left open by someone else, or bookmarked) is not for other roles: they start at the journeys.
    if (ADMIN_PAGES.has(get().route.page) && !can(state.role, 'admin')) {
      window.history.replaceState(null, '', pathOf({ page: 'journeys' }));
      set({ route: { page: 'journeys' } });
    }
  };
  const afterSignIn = async () => {
    const registry = fetchRegistry().then((value) => set({ registry: asRegistry(value) }));
    await Promise.all([registry, get().loadProjects(), loadPage().catch(() => {})]);
  };

  return {
    session: 'checking',
    role: null,
    me: null,
    userSignIn: false,
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
      const session = () => settle(client.GET('/v1/session'));
      // A project this browser remembers and the server no longer has (or never had): the default one then.
      const inDefault = (error: unknown) => (isProjectGone(error, currentProject()) && get().leaveGoneProject() ? session() : Promise.reject(error));
      try {
        signedIn(await session().catch(inDefault));
      } catch (error) {
        set({ session: 'signedOut', signInError: messageOf(error) });
      }
      if (get().session === 'signedIn') await afterSignIn();
    },

    async signIn(credentials) {
      set({ signInError: null });
      const byKey = 'key' in credentials;
      try {
        const body = byKey ? { key: credentials.key.trim() } : { email: credentials.email.trim(), password: credentials.password };
        signedIn(await settle(client.POST('/v1/session', { body })));
      } catch (error) {
        const status = error instanceof ApiFailure ? error.status : 0;
        const wrong = byKey ? 'That key is not valid. Use the admin key printed when the server first started.' : 'Wrong email or password.';
        set({ signInError: status === 401 ? wrong : messageOf(error) });
        return;
      }
      set({ notice: null });
      await afterSignIn();
    },

    async signOut() {
      // Nothing of this session is answered or asked any more (its pages go with the clean slate), and only
      // then is it ended: no call of it can reach the server after its end and come back 401.
      abortSessionCalls();
      set(signedOut(get, null));
      await settle(client.DELETE('/v1/session')).catch(() => null);
    },

    async refreshSession() {
      const state = await settle(client.GET('/v1/session')).catch(() => null);
      if (state) signedIn(state);
    },

    async changePassword(oldPassword, newPassword) {
      try {
        await guarded(() => settle(client.POST('/v1/session/password', { body: { oldPassword, newPassword } })));
        return null;
      } catch (error) {
        return messageOf(error);
      }
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
