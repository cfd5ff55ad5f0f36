/**
 * The pickers' data, read once a minute at most and kept: the events the project has received with their
 * property keys, the profile traits it holds. Lists are empty until they come, and stay empty when the server
 * cannot say (every picker takes free text, so a form never waits on them). Also the preview of a message for
 * one user, which the composer asks for as the message changes, and the user it is asked for.
 */
import { client, unwrap } from '../api/client.ts';
import type { paths } from '../api/schema';
import { asEvents, asPreview, asTraits, type CatalogEvent, type CatalogKey, type PreviewRequest, type PreviewResult } from '../lib/catalog.ts';
import { kit, type Slice } from './kit.ts';

type PreviewBody = paths['/v1/preview']['post']['requestBody']['content']['application/json'];

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

export const catalogSlice: Slice<CatalogSlice> = (set, get) => {
  const { guarded } = kit(set, get);
  let readAt = 0;

  return {
    catalog: { events: [], traits: [], status: 'idle' },

    async loadCatalog(force = false) {
      const { status } = get().catalog;
      // 'idle' is never fresh: a switch of project empties the lists (store/projects.ts).
      if (status === 'loading' || (!force && status !== 'idle' && Date.now() - readAt < STALE_MS)) return;
      readAt = Date.now();
      set((s) => ({ catalog: { ...s.catalog, status: 'loading' } }));
      const [events, traits] = await Promise.all([
        guarded(() => unwrap(client.GET('/v1/catalog/events'))).catch(() => null),
        guarded(() => unwrap(client.GET('/v1/catalog/traits'))).catch(() => null),
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
      return asPreview(await guarded(() => unwrap(client.POST('/v1/preview', { body: request as PreviewBody }))));
    },
  };
};
