/**
 * The pickers' data, read once per session and kept: the events the project has received with their property
 * keys, the profile traits it holds. Lists are empty until they come, and stay empty when the server cannot
 * say (every picker takes free text, so a form never waits on them). Also the preview of a message for one
 * user, which the composer asks for as the message changes.
 */
import { client } from '../api/client.ts';
import { asEvents, asPreview, asTraits, type CatalogEvent, type CatalogKey, type PreviewRequest, type PreviewResult } from '../lib/catalog.ts';
import { kit, type Slice } from './kit.ts';

export interface Catalog {
  events: CatalogEvent[];
  traits: CatalogKey[];
  /** 'idle' before the first read; 'ready' once it answered (lists may still be empty). */
  status: 'idle' | 'loading' | 'ready';
}

export interface CatalogSlice {
  catalog: Catalog;
  /** Reads the lists unless they were read less than a minute ago (or `force`). */
  loadCatalog(force?: boolean): Promise<void>;
  /** POST /v1/preview: the message rendered for `userId`; throws with the server's message when it cannot. */
  previewMessage(request: PreviewRequest): Promise<PreviewResult>;
  /** The user previews are rendered for, kept from one send node to the next; and those used before. */
  previewUser: string;
  recentPreviewUsers: string[];
  setPreviewUser(userId: string): void;
}

/** Fresh enough for a picker: events arrive all the time, but a list a minute old offers the same names. */
const STALE_MS = 60_000;

type Answer = Promise<{ data?: unknown; error?: unknown; response: Response }>;
/**
 * The catalog and preview routes are called without the generated types while the server branch adding them
 * is not merged: the answers are read defensively (lib/catalog.ts) either way.
 */
const loose = client as unknown as { GET(path: string, init?: object): Answer; POST(path: string, init: { body: unknown }): Answer };

async function dataOf(call: Answer): Promise<unknown> {
  const { data, response } = await call;
  return response.ok ? data : null;
}

export const catalogSlice: Slice<CatalogSlice> = (set, get) => {
  const { guarded } = kit(set, get);
  let readAt = 0;

  return {
    catalog: { events: [], traits: [], status: 'idle' },

    async loadCatalog(force = false) {
      if (get().catalog.status === 'loading' || (!force && Date.now() - readAt < STALE_MS)) return;
      readAt = Date.now();
      set((s) => ({ catalog: { ...s.catalog, status: 'loading' } }));
      const [events, traits] = await Promise.all([
        guarded(() => dataOf(loose.GET('/v1/catalog/events'))).catch(() => null),
        guarded(() => dataOf(loose.GET('/v1/catalog/traits'))).catch(() => null),
      ]);
      set({ catalog: { events: asEvents(events), traits: asTraits(traits), status: 'ready' } });
    },

    previewUser: '',
    recentPreviewUsers: [],

    setPreviewUser(userId) {
      const id = userId.trim();
      set((s) => ({ previewUser: id, recentPreviewUsers: id === '' ? s.recentPreviewUsers : [id, ...s.recentPreviewUsers.filter((u) => u !== id)].slice(0, 10) }));
    },

    async previewMessage(request) {
      const { data, error, response } = await guarded(() => loose.POST('/v1/preview', { body: request }));
      if (response.ok) return asPreview(data);
      const message = (error as { message?: unknown } | undefined)?.message;
      throw new Error(response.status === 404 ? 'This server cannot preview messages yet.' : typeof message === 'string' ? message : `The server answered ${response.status}.`);
    },
  };
};
