/**
 * The store an engine thread of one shard runs on (engine/thread/engine-thread.ts): its shard's file for every
 * user's row and for the engine's own work, and the main file for what is not a user's. Scheduled runs are
 * the shard's own: each thread enters the profiles of its file, under a claim of its own.
 */
import type { SqliteStore } from '../sqlite/sqlite-store.ts';
import type { Store } from '../store.ts';

/** The methods of what is not a user's, in the main file: everything an engine reads or makes of it. */
const SHARED: ReadonlySet<PropertyKey> = new Set<keyof Store>([
  'exclusively',
  'listApiKeys',
  'getSettings',
  'saveSettings',
  'listProviders',
  'saveProvider',
  'removeProvider',
  'secret',
  'getCopyProvider',
  'getJourney',
  'listJourneys',
  'listVersions',
  'journeyPage',
  'versionPage',
  'createJourney',
  'updateJourneyDraft',
  'publishJourney',
  'setJourneyStatus',
  'listProjects',
]);

/** `own` with the shared methods answered by `main` (null: shard 0, whose file is the main one). */
export function shardStore(own: SqliteStore, main: SqliteStore | null): SqliteStore {
  if (!main) return own;
  return new Proxy(own, {
    get(target, property) {
      const from = SHARED.has(property) ? main : target;
      const value: unknown = Reflect.get(from, property, from);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(from) : value;
    },
  });
}
