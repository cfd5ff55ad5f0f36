/**
 * The users page: one user seen from every side (profile, events, journeys, and why each message was or was
 * not sent), read through GET /v1/users/:id and its sub-resources, a page at a time.
 */
import { ApiFailure, client, unwrap } from '../api/client.ts';
import type { paths } from '../api/schema';
import { appendUnique, nextEventLimit } from '../lib/lists.ts';
import { kit, messageOf, type Slice } from './kit.ts';

type Ok<P extends keyof paths> = paths[P] extends { get: { responses: { 200: { content: { 'application/json': infer T } } } } } ? T : never;

export type UserProfile = Ok<'/v1/users/{userId}'>;
export type UserEvent = Ok<'/v1/users/{userId}/events'>['events'][number];
export type UserInstance = Ok<'/v1/users/{userId}/journeys'>['instances'][number];
export type Explained = Ok<'/v1/users/{userId}/explain'>['journeys'][number];

/** A part of the page read on its own: it loads, fails, or pages independently of the others. */
export interface Part<T> {
  items: T[] | null;
  error: string | null;
  loading: boolean;
}

export interface UserLookup {
  id: string;
  /** null while loading; 'missing' when the project has never heard of this id. */
  profile: UserProfile | 'missing' | null;
  profileError: string | null;
  events: Part<UserEvent> & { limit: number; more: boolean };
  journeys: Part<UserInstance> & { cursor: string | null };
  explained: Part<Explained> & { cursor: string | null };
}

export interface UsersSlice {
  user: UserLookup | null;
  /** Reads the user afresh; null clears the page (the search box alone). */
  loadUser(id: string | null): Promise<void>;
  moreEvents(): Promise<void>;
  /** The next page of journeys and their explanations. */
  moreJourneys(): Promise<void>;
}

export const EVENTS_PAGE = 50;
/** The events route's own limit. */
export const EVENTS_MAX = 1000;
export const JOURNEYS_PAGE = 20;

const part = <T>() => ({ items: null as T[] | null, error: null, loading: true });

export const usersSlice: Slice<UsersSlice> = (set, get) => {
  const { guarded } = kit(set, get);
  const path = (userId: string) => ({ path: { userId } });

  /** Changes the user's lookup, unless the page has moved on to someone else meanwhile. */
  const update = (id: string, change: (user: UserLookup) => Partial<UserLookup>) => {
    const user = get().user;
    if (user?.id === id) set({ user: { ...user, ...change(user) } });
  };

  const readEvents = async (id: string, limit: number) => {
    update(id, (u) => ({ events: { ...u.events, loading: true } }));
    try {
      const { events } = await guarded(() => unwrap(client.GET('/v1/users/{userId}/events', { params: { ...path(id), query: { limit } } })));
      update(id, () => ({ events: { items: events, error: null, loading: false, limit, more: nextEventLimit(events.length, limit, EVENTS_PAGE, EVENTS_MAX) !== null } }));
    } catch (error) {
      update(id, (u) => ({ events: { ...u.events, error: messageOf(error), loading: false } }));
    }
  };

  const readJourneys = async (id: string, cursor: string | null) => {
    update(id, (u) => ({ journeys: { ...u.journeys, loading: true } }));
    const query = { limit: JOURNEYS_PAGE, ...(cursor ? { cursor } : {}) };
    try {
      const page = await guarded(() => unwrap(client.GET('/v1/users/{userId}/journeys', { params: { ...path(id), query } })));
      update(id, (u) => ({
        journeys: { items: appendUnique(cursor ? (u.journeys.items ?? []) : [], page.instances, (i) => i.id), error: null, loading: false, cursor: page.nextCursor },
      }));
    } catch (error) {
      update(id, (u) => ({ journeys: { ...u.journeys, error: messageOf(error), loading: false } }));
    }
  };

  const readExplained = async (id: string, cursor: string | null) => {
    update(id, (u) => ({ explained: { ...u.explained, loading: true } }));
    const query = { limit: JOURNEYS_PAGE, ...(cursor ? { cursor } : {}) };
    try {
      const page = await guarded(() => unwrap(client.GET('/v1/users/{userId}/explain', { params: { ...path(id), query } })));
      update(id, (u) => ({
        explained: { items: appendUnique(cursor ? (u.explained.items ?? []) : [], page.journeys, (e) => e.instanceId), error: null, loading: false, cursor: page.nextCursor },
      }));
    } catch (error) {
      update(id, (u) => ({ explained: { ...u.explained, error: messageOf(error), loading: false } }));
    }
  };

  const readProfile = async (id: string) => {
    try {
      const profile = await guarded(() => unwrap(client.GET('/v1/users/{userId}', { params: path(id) })));
      update(id, () => ({ profile, profileError: null }));
    } catch (error) {
      if (error instanceof ApiFailure && error.status === 404) update(id, () => ({ profile: 'missing' }));
      else update(id, () => ({ profileError: messageOf(error) }));
    }
  };

  return {
    user: null,

    async loadUser(id) {
      if (id === null) {
        set({ user: null });
        return;
      }
      set({
        user: {
          id,
          profile: null,
          profileError: null,
          events: { ...part<UserEvent>(), limit: EVENTS_PAGE, more: false },
          journeys: { ...part<UserInstance>(), cursor: null },
          explained: { ...part<Explained>(), cursor: null },
        },
      });
      // All at once: a user the project never heard of answers 404 to the first and empty lists to the rest.
      await Promise.all([readProfile(id), readEvents(id, EVENTS_PAGE), readJourneys(id, null), readExplained(id, null)]);
    },

    async moreEvents() {
      const user = get().user;
      if (!user || user.events.loading || !user.events.items) return;
      const limit = nextEventLimit(user.events.items.length, user.events.limit, EVENTS_PAGE, EVENTS_MAX);
      if (limit !== null) await readEvents(user.id, limit);
    },

    async moreJourneys() {
      const user = get().user;
      if (!user || user.journeys.loading || user.explained.loading) return;
      await Promise.all([
        user.journeys.cursor ? readJourneys(user.id, user.journeys.cursor) : Promise.resolve(),
        user.explained.cursor ? readExplained(user.id, user.explained.cursor) : Promise.resolve(),
      ]);
    },
  };
};
