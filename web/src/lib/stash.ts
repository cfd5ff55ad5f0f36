/**
 * The unsaved working copy of a journey, kept in the browser's storage so a reload or a closed tab does not
 * lose work. One entry per journey of a project (journey "welcome" of one project is not that of another);
 * written while the copy differs from the saved draft, removed once it is saved or discarded. What comes back
 * out is checked: storage is anyone's to edit.
 */
import type { Shot } from './edit.ts';
import { isPoint } from './layout.ts';

export interface Stashed {
  /** The editor's snapshot: a draft (its nodes and edges lists checked, the rest the server's to judge) and its layout. */
  snapshot: Shot;
  /** When it was written, epoch ms. */
  at: number;
}

/** What the methods of localStorage this needs: a test passes a Map-backed one. */
export type Storage = Pick<globalThis.Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** Which project and journey a copy is of. */
export interface StashOf {
  project: string;
  journeyId: string;
}

/**
 * The default project keeps the key copies had before there were projects. A journey id has no colon
 * (lowercase letters, digits, dashes), so "waymark:unsaved:shop-b:welcome" is never a default one's.
 */
const keyOf = ({ project, journeyId }: StashOf) => (project === 'default' ? `waymark:unsaved:${journeyId}` : `waymark:unsaved:${project}:${journeyId}`);

export function writeStash(storage: Storage, of: StashOf, snapshot: Shot, at: number): void {
  try {
    storage.setItem(keyOf(of), JSON.stringify({ snapshot, at }));
  } catch {
    // Full or refused storage: the copy in memory is still there; only the safety net is missing.
  }
}

export function clearStash(storage: Storage, of: StashOf): void {
  try {
    storage.removeItem(keyOf(of));
  } catch {
    // as above
  }
}

/** The stashed copy of a journey, or null when there is none or it is not of the expected shape. */
export function readStash(storage: Storage, of: StashOf): Stashed | null {
  let value: unknown;
  try {
    value = JSON.parse(storage.getItem(keyOf(of)) ?? 'null');
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const { snapshot, at } = value as Partial<Stashed>;
  if (typeof at !== 'number' || !snapshot || typeof snapshot !== 'object') return null;
  const { draft, layout } = snapshot as Partial<Shot>;
  if (!draft || typeof draft !== 'object' || !Array.isArray((draft as { nodes?: unknown }).nodes) || !Array.isArray((draft as { edges?: unknown }).edges)) return null;
  if (!layout || typeof layout !== 'object' || !Object.values(layout).every(isPoint)) return null;
  return { snapshot: { draft, layout }, at };
}
