/**
 * The trait names a store has recorded in its trait_names table, remembered per store instance so that the
 * hot path (units of work writing profiles) inserts only names it has not seen before, and usually nothing.
 * Shared by the adapters; each does the inserting itself, inside the transaction that writes the profiles.
 */
import type { ProfileUpsert } from './store.ts';

/** Names remembered at most; past it the set starts over (a few names get inserted again, as no-ops). */
const MAX_REMEMBERED = 50_000;

export class TraitNameCache {
  private readonly known = new Set<string>();

  /**
   * The top-level trait names set (to anything but null: a null removes the trait, so a profile that never
   * had it still has not) by these patches and not known to be recorded, each once.
   */
  unknown(patches: readonly ProfileUpsert[]): string[] {
    const fresh = new Set<string>();
    for (const p of patches) {
      const traits = p.traits;
      // Names, not [name, value] pairs: Object.entries made an array a trait (2% of a simulation thread's allocations).
      for (const name of Object.keys(traits)) {
        if (traits[name] !== null && !this.known.has(name)) fresh.add(name);
      }
    }
    return [...fresh];
  }

  /** Call once the transaction that recorded `names` has committed (never before: it may roll back). */
  remember(names: readonly string[]): void {
    if (names.length === 0) return;
    if (this.known.size + names.length > MAX_REMEMBERED) this.known.clear();
    for (const name of names) this.known.add(name);
  }
}
