/**
 * A throwaway store's profiles, in memory and none in the file (SqliteOptions.profiles 'memory': simulate's).
 * A simulation writes each profile once, before any event, and reads it back at the user's first event: the
 * upsert at a random place of the file and that read were about a tenth of a run (bench/RESULTS.md,
 * 2026-12-06 night). Patches are merged by SQLite's own json_patch, so the traits are what the file would hold.
 *
 * Nothing here is undone by a rollback, so a unit's patches are staged and kept only once it has committed
 * (units-of-work.ts). The store refuses the reads of profiles other than its units' (sqlite-store.ts).
 */
import type { Profile, ProfileUpsert } from '../store.ts';
import type { Sql } from './connection.ts';
import type { UnitProfiles } from './unit-views.ts';

export class ProfilesInMemory implements UnitProfiles {
  private readonly profiles = new Map<string, Profile>();
  /** The patched profiles of the unit under way, by user: a user's second patch goes on top of its first. */
  private readonly staged = new Map<string, Profile>();

  load(_sql: Sql, users: readonly string[]): Map<string, Profile> {
    const found = new Map<string, Profile>();
    for (const user of users) {
      const profile = this.profiles.get(user);
      if (profile) found.set(user, profile);
    }
    return found;
  }

  write(sql: Sql, patch: ProfileUpsert, now: number): void {
    const before = this.staged.get(patch.userId) ?? this.profiles.get(patch.userId);
    const merged = sql.get('SELECT json_patch(?, ?) AS traits', before ? JSON.stringify(before.traits) : '{}', JSON.stringify(patch.traits))!.traits as string;
    this.staged.set(patch.userId, { userId: patch.userId, traits: JSON.parse(merged) as Record<string, unknown>, updatedAt: now });
  }

  settle(committed: boolean): void {
    if (committed) for (const [user, profile] of this.staged) this.profiles.set(user, profile);
    this.staged.clear();
  }

  forget(): void {
    throw new Error('profiles kept in memory are never merged away (the store refuses identity merges)');
  }
}
