/**
 * The dashboard's state, in one store: the session, the page, the journeys with their stats, the open
 * journey, and what is under way. Components read slices of it and call its actions; only the actions talk
 * to the server, and only through the generated client.
 */
import { create } from 'zustand';
import { ApiFailure, client, fetchRegistry, unwrap, type Definition, type Journey, type Stats } from './api/client.ts';
import { copyId } from './lib/format.ts';
import { asRegistry, type Registry } from './lib/meta.ts';
import { pathOf, routeOf, type Route } from './router.ts';

export interface JourneyRow {
  journey: Journey;
  /** null while loading, or when the stats could not be read. */
  stats: Stats | null;
}

export type LifecycleAction = 'publish' | 'pause' | 'resume' | 'stop';

export interface Notice {
  tone: 'error' | 'success';
  text: string;
}

interface State {
  session: 'checking' | 'signedOut' | 'signedIn';
  signInError: string | null;
  route: Route;
  journeys: JourneyRow[] | null;
  listError: string | null;
  registry: Registry | null;
  open: { journey: Journey; stats: Stats | null } | null;
  openError: string | null;
  /** Keys of actions under way ("pause:welcome"), so their buttons show it and cannot be pressed twice. */
  busy: Record<string, true>;
  notice: Notice | null;

  start(): Promise<void>;
  signIn(key: string): Promise<void>;
  signOut(): Promise<void>;
  navigate(route: Route): void;
  loadJourneys(): Promise<void>;
  loadJourney(id: string): Promise<void>;
  lifecycle(id: string, action: LifecycleAction): Promise<void>;
  duplicate(id: string): Promise<void>;
  createJourney(name: string, event: string): Promise<boolean>;
  dismissNotice(): void;
}

export const useStore = create<State>()((set, get) => {
  /** Runs a call; a 401 means the session is gone, so the sign-in page comes back. */
  const guarded = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 401) set({ session: 'signedOut', signInError: 'Your session has ended. Sign in again.' });
      throw error;
    }
  };
  const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
  const withBusy = async (key: string, run: () => Promise<void>) => {
    if (get().busy[key]) return;
    set((s) => ({ busy: { ...s.busy, [key]: true } }));
    try {
      await run();
    } catch (error) {
      if (!(error instanceof ApiFailure && error.status === 401)) set({ notice: { tone: 'error', text: messageOf(error) } });
    } finally {
      set((s) => {
        const { [key]: _, ...rest } = s.busy;
        return { busy: rest };
      });
    }
  };
  const statsOf = (id: string) => unwrap(client.GET('/v1/journeys/{id}/stats', { params: { path: { id } } })).catch(() => null);
  /** After a change, the list and the open journey show the server's word, not a guess. */
  const refresh = async () => {
    const { route } = get();
    await Promise.all([get().loadJourneys(), route.page === 'journey' ? get().loadJourney(route.id) : Promise.resolve()]);
  };

  return {
    session: 'checking',
    signInError: null,
    route: routeOf(window.location.pathname),
    journeys: null,
    listError: null,
    registry: null,
    open: null,
    openError: null,
    busy: {},
    notice: null,

    async start() {
      window.addEventListener('popstate', () => {
        set({ route: routeOf(window.location.pathname) });
        void refresh();
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
      set({ session: 'signedOut', signInError: null, journeys: null, open: null, notice: null });
    },

    navigate(route) {
      const path = pathOf(route);
      if (window.location.pathname !== path) window.history.pushState(null, '', path);
      set({ route, notice: null });
      if (route.page === 'journey') void get().loadJourney(route.id).catch(() => {});
      else void get().loadJourneys().catch(() => {});
      window.scrollTo(0, 0);
    },

    async loadJourneys() {
      try {
        const { journeys } = await guarded(() => unwrap(client.GET('/v1/journeys', { params: { query: { limit: 500 } } })));
        const previous = new Map((get().journeys ?? []).map((row) => [row.journey.id, row.stats]));
        // Rows show at once with the stats they had; fresh stats fill in as they come.
        set({ journeys: journeys.map((journey) => ({ journey, stats: previous.get(journey.id) ?? null })), listError: null });
        const stats = await Promise.all(journeys.map((j) => statsOf(j.id)));
        set({ journeys: journeys.map((journey, i) => ({ journey, stats: stats[i] ?? null })) });
      } catch (error) {
        set({ listError: messageOf(error) });
      }
    },

    async loadJourney(id) {
      if (get().open?.journey.id !== id) set({ open: null, openError: null });
      try {
        const [journey, stats] = await Promise.all([guarded(() => unwrap(client.GET('/v1/journeys/{id}', { params: { path: { id } } }))), statsOf(id)]);
        set({ open: { journey, stats }, openError: null });
      } catch (error) {
        set({ openError: error instanceof ApiFailure && error.status === 404 ? `There is no journey “${id}”.` : messageOf(error) });
      }
    },

    lifecycle(id, action) {
      return withBusy(`${action}:${id}`, async () => {
        const params = { params: { path: { id } } };
        if (action === 'publish') await guarded(() => unwrap(client.POST('/v1/journeys/{id}/publish', { ...params, body: {} })));
        else if (action === 'pause') await guarded(() => unwrap(client.POST('/v1/journeys/{id}/pause', params)));
        else if (action === 'resume') await guarded(() => unwrap(client.POST('/v1/journeys/{id}/resume', params)));
        else await guarded(() => unwrap(client.POST('/v1/journeys/{id}/stop', params)));
        const done = { publish: 'published', pause: 'paused', resume: 'resumed', stop: 'stopped' }[action];
        set({ notice: { tone: 'success', text: `Journey ${done}.` } });
        await refresh();
      });
    },

    duplicate(id) {
      return withBusy(`duplicate:${id}`, async () => {
        const source = await guarded(() => unwrap(client.GET('/v1/journeys/{id}', { params: { path: { id } } })));
        const definition = { ...(source.draft as Definition), name: `${source.name} (copy)` };
        // The first free id of "<id>-copy", "<id>-copy-2", ...: a second duplicate must not fail.
        for (let n = 1; ; n++) {
          try {
            const copy = await guarded(() => unwrap(client.POST('/v1/journeys', { body: { id: copyId(id, n), definition, layout: source.layout } })));
            set({ notice: { tone: 'success', text: `Created the draft “${copy.name}”.` } });
            await refresh();
            return;
          } catch (error) {
            if (!(error instanceof ApiFailure && error.status === 409) || n >= 20) throw error;
          }
        }
      });
    },

    async createJourney(name, event) {
      let created: Journey | null = null;
      await withBusy('create', async () => {
        const definition: Definition = {
          name: name.trim(),
          nodes: [
            { id: 'entry', kind: 'entry', trigger: { type: 'action', event: event.trim() } },
            { id: 'exit', kind: 'exit' },
          ],
          edges: [{ from: 'entry', to: 'exit' }],
        };
        created = await guarded(() => unwrap(client.POST('/v1/journeys', { body: { definition } })));
      });
      if (created === null) return false;
      get().navigate({ page: 'journey', id: (created as Journey).id });
      set({ notice: { tone: 'success', text: 'Draft created. Build it out through the API or the CLI, then publish it here.' } });
      return true;
    },

    dismissNotice() {
      set({ notice: null });
    },
  };

  async function afterSignIn() {
    const registry = fetchRegistry().then((value) => set({ registry: asRegistry(value) }));
    await Promise.all([registry, refresh()]);
  }
});
