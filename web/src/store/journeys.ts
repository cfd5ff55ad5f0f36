/** The journeys: the list with each one's stats, the open journey, and their lifecycle actions. */
import { ApiFailure, client, unwrap, type Definition, type Journey, type Stats } from '../api/client.ts';
import { copyId } from '../lib/format.ts';
import { kit, messageOf, type Slice } from './kit.ts';

export interface JourneyRow {
  journey: Journey;
  /** null while loading, or when the stats could not be read. */
  stats: Stats | null;
}

export type LifecycleAction = 'publish' | 'pause' | 'resume' | 'stop';

export interface JourneysSlice {
  journeys: JourneyRow[] | null;
  /** Where the next page of the list starts; null when every journey is shown. */
  journeysCursor: string | null;
  listError: string | null;
  open: { journey: Journey; stats: Stats | null } | null;
  openError: string | null;

  /** Reads the list afresh: as many journeys as are shown (one page at first), with their stats. */
  loadJourneys(): Promise<void>;
  /** Shows the next page of the list. */
  loadMoreJourneys(): Promise<void>;
  loadJourney(id: string): Promise<void>;
  lifecycle(id: string, action: LifecycleAction): Promise<void>;
  duplicate(id: string): Promise<void>;
  createJourney(name: string, event: string): Promise<boolean>;
}

/** Journeys shown at first and added by "Show more"; each shown journey costs one stats request a refresh. */
const PAGE = 50;
/** The most GET /v1/journeys answers at once. */
const MAX_PAGE = 500;

export const journeysSlice: Slice<JourneysSlice> = (set, get) => {
  const { guarded, withBusy } = kit(set, get);
  /** At least `count` journeys from the start of the list (or all there are), in pages the API allows. */
  const readJourneys = async (count: number): Promise<{ journeys: Journey[]; cursor: string | null }> => {
    const journeys: Journey[] = [];
    let cursor: string | null = null;
    do {
      const limit = Math.min(MAX_PAGE, Math.max(1, count - journeys.length));
      const query: { limit: number; cursor?: string } = cursor === null ? { limit } : { limit, cursor };
      const page = await guarded(() => unwrap(client.GET('/v1/journeys', { params: { query } })));
      journeys.push(...page.journeys);
      cursor = page.nextCursor;
    } while (cursor !== null && journeys.length < count);
    return { journeys, cursor };
  };
  /** Rows show at once with the stats they had; fresh stats fill in as they come. */
  const showJourneys = async (journeys: Journey[], cursor: string | null) => {
    const previous = new Map((get().journeys ?? []).map((row) => [row.journey.id, row.stats]));
    set({ journeys: journeys.map((journey) => ({ journey, stats: previous.get(journey.id) ?? null })), journeysCursor: cursor, listError: null });
    const stats = await Promise.all(journeys.map((j) => statsOf(j.id)));
    // Unless the list changed meanwhile (a page more was shown): then its own read fills the stats in.
    if (get().journeys?.length === journeys.length) set({ journeys: journeys.map((journey, i) => ({ journey, stats: stats[i] ?? null })) });
  };
  const statsOf = (id: string) => unwrap(client.GET('/v1/journeys/{id}/stats', { params: { path: { id } } })).catch(() => null);
  /** After a change, the list and the open journey show the server's word, not a guess. */
  const refresh = async () => {
    const { route } = get();
    await Promise.all([get().loadJourneys(), route.page === 'journey' ? get().loadJourney(route.id) : Promise.resolve()]);
  };

  return {
    journeys: null,
    journeysCursor: null,
    listError: null,
    open: null,
    openError: null,

    async loadJourneys() {
      try {
        const { journeys, cursor } = await readJourneys(Math.max(PAGE, get().journeys?.length ?? 0));
        await showJourneys(journeys, cursor);
      } catch (error) {
        set({ listError: messageOf(error) });
      }
    },

    loadMoreJourneys() {
      return withBusy('more-journeys', async () => {
        const { journeys, cursor } = await readJourneys((get().journeys?.length ?? 0) + PAGE);
        await showJourneys(journeys, cursor);
      });
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
            await refresh();
            // Once the list shows the copy, so the notice never speaks of a row not there yet.
            set({ notice: { tone: 'success', text: `Created the draft “${copy.name}”.` } });
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
      set({ notice: { tone: 'success', text: 'Draft created. Add its steps from the palette, save, then publish it.' } });
      return true;
    },
  };
};
