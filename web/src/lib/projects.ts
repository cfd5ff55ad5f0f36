/**
 * Projects as the dashboard handles them before asking the server: an id made from a name, the shape of an id
 * (the server's rule, src/app/projects.ts: it has the last word), and the project this browser last worked in.
 * Structural types, so this is tested without a build.
 */

/** 1 to 32 lowercase letters, digits and dashes, a letter first (PROJECT_ID_PATTERN on the server). */
const PROJECT_ID = /^[a-z][a-z0-9-]{0,31}$/;
const MAX_ID = 32;
const REMEMBERED = 'waymark:project';

/** An id made from a name: "Shop B" → "shop-b", "Café Olé!" → "cafe-ole"; "" when the name has no letter to start one. */
export function projectSlug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // the accents NFKD split off their letters
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, MAX_ID)
    .replace(/-+$/, '');
}

/** What is wrong with the shape of an id, or null. "default" and ids taken are the server's to refuse. */
export function projectIdProblem(id: string): string | null {
  if (id === '') return 'Give the project an id.';
  return PROJECT_ID.test(id) ? null : `An id is 1 to ${MAX_ID} lowercase letters, digits and dashes, starting with a letter.`;
}

/** What the methods of localStorage this needs: a test passes a Map-backed one. */
export type Storage = Pick<globalThis.Storage, 'getItem' | 'setItem'>;

/** The project this browser last worked in; the default one when none was kept or what was kept is not an id. */
export function rememberedProject(storage: Storage, fallback: string): string {
  let id: string | null = null;
  try {
    id = storage.getItem(REMEMBERED);
  } catch {
    // Storage refused (a private window, say): start in the default project.
  }
  return id !== null && PROJECT_ID.test(id) ? id : fallback;
}

export function rememberProject(storage: Storage, id: string): void {
  try {
    storage.setItem(REMEMBERED, id);
  } catch {
    // as above: this tab still works in `id`; the next one starts in the default project.
  }
}
