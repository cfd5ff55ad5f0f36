/**
 * Identity merges on SQLite (Store.mergeIdentity): the identity map, read by every unit of work that takes
 * user ids from outside (events, trait patches), and the merge itself, one transaction that moves everything
 * of one id to another. The rules are in docs/integrations.md ("Identities").
 */
import type { Instance, JourneyEvent } from '../../core/instance.ts';
import { mergeInstances } from '../../core/identity.ts';
import { planMerge, type IdentityMerge, type MergeResult } from '../identities.ts';
import type { ProfileUpsert } from '../store.ts';
import { addStat, writeInstance, type WriteContext } from './apply-changes.ts';
import { chunks, type Sql } from './connection.ts';
import { messagesOfInstance } from './instance-messages.ts';
import { INSTANCE_COLUMNS, LIVE_OF_A_USER, toInstance, toProfile } from './sqlite-rows.ts';

/** The user each merged id among `ids` resolves to; ids never merged are left out. */
export function mergedIds(sql: Sql, ids: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const chunk of chunks([...new Set(ids)])) {
    for (const row of sql.all('SELECT alias_id, user_id FROM identities WHERE alias_id IN (SELECT value FROM json_each(?))', JSON.stringify(chunk))) {
      found.set(row.alias_id as string, row.user_id as string);
    }
  }
  return found;
}

/** The events, each of a merged id taken as its user's. */
export function resolveEvents(sql: Sql, events: JourneyEvent[]): JourneyEvent[] {
  const map = mergedIds(sql, events.map((e) => e.userId));
  return map.size === 0 ? events : events.map((e) => (map.has(e.userId) ? { ...e, userId: map.get(e.userId)! } : e));
}

/** The trait patches, each of a merged id applied to its user. */
export function resolveProfiles(sql: Sql, profiles: ProfileUpsert[]): ProfileUpsert[] {
  const map = mergedIds(sql, profiles.map((p) => p.userId));
  return map.size === 0 ? profiles : profiles.map((p) => (map.has(p.userId) ? { ...p, userId: map.get(p.userId)! } : p));
}

export function mergeIdentity(ctx: WriteContext, merge: IdentityMerge, now: number): MergeResult {
  const { sql } = ctx;
  return sql.transaction((): MergeResult => {
    const map = mergedIds(sql, [merge.from, merge.into]);
    const plan = planMerge(merge, map.get(merge.from) ?? merge.from, map.get(merge.into) ?? merge.into);
    if (plan.kind === 'noop') return plan.result;
    const { from, into } = plan;

    // Passes: the later of two in one journey leaves first (one live pass per journey and user), its
    // waiting messages with it; then every pass of `from`, live or not, is `into`'s.
    const live = (user: string): Instance[] => sql.raw(`SELECT ${INSTANCE_COLUMNS} FROM instances WHERE user_id = ? AND ${LIVE_OF_A_USER}`, user).map(toInstance);
    const { exited } = mergeInstances(live(from), live(into), into, now);
    for (const i of exited) {
      writeInstance(sql, i, now);
      addStat(sql, i.journeyId, i.version, '', 'merged', 1);
      const cancelled = sql.all(
        `UPDATE messages AS m SET status = 'skipped', reason = 'merged' WHERE ${messagesOfInstance('@instance')} AND m.status = 'pending' RETURNING node_id`,
        { instance: i.id },
      );
      for (const m of cancelled) {
        addStat(sql, i.journeyId, i.version, m.node_id as string, 'node_skipped', 1);
        addStat(sql, i.journeyId, i.version, m.node_id as string, 'node_skipped:merged', 1);
      }
    }
    const instances = sql.run('UPDATE instances SET user_id = ? WHERE user_id = ?', into, from).changes;
    const events = sql.run('UPDATE events SET user_id = ? WHERE user_id = ?', into, from).changes;
    sql.run('UPDATE messages SET user_id = ? WHERE user_id = ?', into, from);
    // Inbox events of `from` waiting to be drained are left as they are: the drain resolves them, like ingest.

    // Traits: `from`'s fill the ones `into` lacks; a trait `into` has is kept whole.
    const profile = (user: string) => {
      const row = sql.get('SELECT * FROM profiles WHERE user_id = ?', user);
      return row ? toProfile(row).traits : null;
    };
    const fromTraits = profile(from);
    if (fromTraits !== null) {
      const traits = { ...fromTraits, ...profile(into) };
      sql.run('INSERT INTO profiles (user_id, traits, updated_at) VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET traits = excluded.traits, updated_at = excluded.updated_at', into, JSON.stringify(traits), now);
      sql.run('DELETE FROM profiles WHERE user_id = ?', from);
    }
    ctx.profiles.forget(from);
    ctx.profiles.forget(into);

    // The map, kept flat: ids merged into `from` before now resolve to `into` too.
    sql.run('UPDATE identities SET user_id = ? WHERE user_id = ?', into, from);
    sql.run('INSERT INTO identities (alias_id, user_id, merged_at) VALUES (?, ?, ?)', from, into, now);
    return { outcome: 'merged', userId: into, events, instances, exited: exited.length };
  });
}
