/**
 * Writing a unit of work's Changes, in its transaction: instances, messages, stats, follow-ups for the inbox,
 * and profile patches (with the trait names not recorded before).
 */
import type { Instance } from '../../core/instance.ts';
import type { Changes, NewMessage, ProfileUpsert } from '../store.ts';
import type { TraitNameCache } from '../trait-names.ts';
import type { Sql } from './connection.ts';
import { EXIT_UNKNOWN, exitedAtColumn, instanceState } from './sqlite-rows.ts';
import type { KeptEvents } from './kept-events.ts';
import type { LiveInstances } from './live-instances.ts';
import type { MessageNumbers } from '../shards/message-numbers.ts';
import type { ProfileCache } from './unit-views.ts';

/** What writing profiles needs besides the file: the parsed profiles to drop, the trait names already recorded. */
export interface WriteContext {
  readonly sql: Sql;
  readonly profiles: ProfileCache;
  /** Trait names recorded per store: a write inserts only the ones it has not seen (usually none). */
  readonly traitNames: TraitNameCache;
  /** A throwaway store's live instances, kept in memory instead of the file (live-instances.ts). */
  readonly live?: LiveInstances;
  /** False for a throwaway store that writes no message to the file (SqliteOptions.messages 'none'). */
  readonly messagesInFile: boolean;
  /** A throwaway store's events, when it writes only those read back (SqliteOptions.eventsKept). */
  readonly eventsKept?: KeptEvents;
  /** Handed each unit's messages once it has committed (SqliteOptions.onMessages). */
  readonly onMessages?: (messages: readonly NewMessage[]) => void;
  /** A shard's: messages numbered from the counter the shards share (SqliteOptions.numbers). */
  readonly numbers?: MessageNumbers;
}

/**
 * Writes a unit of work's changes; returns the trait names it recorded, to remember once it commits. `stored`:
 * the ids of the instances the unit read, so in the file; any other it writes is new. Instances kept in memory
 * (ctx.live) are not written here: the caller hands them over once the unit has committed.
 */
export function applyChanges(ctx: WriteContext, changes: Changes, now: number, stored: ReadonlySet<string>): string[] {
  const { sql } = ctx;
  if (ctx.live) ctx.live.check(changes.instances);
  else {
    for (const instance of changes.instances) {
      if (stored.has(instance.id)) writeInstance(sql, instance, now);
      else insertInstance(sql, instance, now);
    }
  }
  if (!ctx.messagesInFile) {
    // Only a channel that records its sends in the store (the outbox) delivers here; any other would find no
    // pending message to deliver later.
    const pending = changes.messages.find((m) => m.status === 'pending');
    if (pending) throw new Error(`message ${pending.id} is pending on ${pending.channel}, but this store keeps no message in its file (a simulation's) to deliver it later`);
  } else for (const m of changes.messages) {
    // A shard's number comes first; in one file SQLite numbers the row (the largest seq + 1).
    sql.run(
      `INSERT INTO messages (seq, id, journey_id, version, instance_id, node_id, user_id, channel, status, reason, content, created_at, sent_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      ctx.numbers ? ctx.numbers.next() : null,
      m.id,
      m.journeyId,
      m.version,
      m.instanceId,
      m.nodeId,
      m.userId,
      m.channel,
      m.status,
      m.reason,
      m.content === null ? null : JSON.stringify(m.content),
      m.createdAt,
      m.sentAt,
    );
  }
  for (const d of changes.stats) addStat(sql, d.journeyId, d.version, d.nodeId, d.metric, d.count);
  for (const e of changes.followUps ?? []) {
    const sqlText = 'INSERT INTO inbox (message_id, user_id, name, ts, properties, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING';
    sql.run(sqlText, e.messageId, e.userId, e.name, e.timestamp, JSON.stringify(e.properties), now);
  }
  const profiles = changes.profiles ?? [];
  return profiles.length === 0 ? [] : writeProfiles(ctx, profiles, now);
}

/**
 * Merges profile patches (json_patch; a null trait removes it, RFC 7396) in the caller's transaction; returns
 * the trait names recorded, to remember once it commits.
 */
export function writeProfiles(ctx: WriteContext, profiles: ProfileUpsert[], now: number): string[] {
  for (const p of profiles) {
    ctx.profiles.forget(p.userId); // the cached parse is stale now; the next unit reads the merged row
    const traits = JSON.stringify(p.traits);
    if (mergesToItself(p.traits)) ctx.sql.run(UPSERT_PLAIN, p.userId, traits, now);
    else ctx.sql.run(UPSERT, { userId: p.userId, traits, now });
  }
  const names = ctx.traitNames.unknown(profiles);
  for (const name of names) ctx.sql.run('INSERT OR IGNORE INTO trait_names (name) VALUES (?)', name);
  return names;
}

/** A patch merged into the profile, or made the profile: json_patch('{}', patch) drops its nulls. */
const UPSERT = `INSERT INTO profiles (user_id, traits, updated_at) VALUES (@userId, json_patch('{}', @traits), @now)
  ON CONFLICT (user_id) DO UPDATE SET traits = json_patch(profiles.traits, @traits), updated_at = @now`;

/**
 * UPSERT for a patch the merge into nothing gives back as it is (mergesToItself): its JSON goes in as it is,
 * bound by position. Nearly every first write of a profile is one. A simulation's store took 4.3-4.8 µs a
 * profile against 5.3-5.5 through UPSERT (250,000 profiles of the cart workload in batches of 2,000, alternated).
 */
const UPSERT_PLAIN = `INSERT INTO profiles (user_id, traits, updated_at) VALUES (?, ?, ?)
  ON CONFLICT (user_id) DO UPDATE SET traits = json_patch(profiles.traits, excluded.traits), updated_at = excluded.updated_at`;

/**
 * Whether json_patch('{}', value) is `value` itself, as JSON: plain JSON values and no null anywhere (a merge patch
 * removes a null member; one in a list stays, but is rare enough to leave to SQLite), no number JSON cannot write.
 */
export function mergesToItself(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!mergesToItself(value[i])) return false;
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      const object = value as Record<string, unknown>;
      for (const key of Object.keys(object)) if (!mergesToItself(object[key])) return false;
      return true;
    }
    default:
      return false;
  }
}

/** A move of an instance on, and its exit: the one write that sets exited_at. */
const UPDATE_SET = 'UPDATE instances SET status = ?, wake_at = ?, entered_at = ?, node_id = ?, state = ?, updated_at = ?';
const UPDATE_LIVE = `${UPDATE_SET} WHERE id = ?`;
const UPDATE_EXITED = `${UPDATE_SET}, exited_at = ? WHERE id = ?`;

/**
 * An instance the unit read moves on: an UPDATE. SQLite rewrites the entry of every index that names a column
 * of an UPDATE's SET list, in its key or its partial WHERE, whether the value changed or not, and the indexes
 * keyed by user sit at random places in the file: a page written for each. So the set names status and
 * entered_at, which no index's entry of a live instance depends on (migration 021), and exited_at only when the
 * instance has exited: it is set once, as an exited instance does not move on. A row the UPDATE did not find
 * is inserted.
 */
export function writeInstance(sql: Sql, i: Instance, now: number): void {
  const state = instanceState(i);
  const exited = exitedAtColumn(i);
  // Positional parameters: better-sqlite3 binds a named one by a property lookup from C++, 0.85 µs more for a
  // statement of eight (measured alone), and instances are written four times a cart.
  const updated =
    exited === null
      ? sql.run(UPDATE_LIVE, i.status, i.wakeAt, i.enteredAt, i.nodeId, state, now, i.id)
      : sql.run(UPDATE_EXITED, i.status, i.wakeAt, i.enteredAt, i.nodeId, state, changedAt(exited, now), exited, i.id);
  if (updated.changes === 0) insertInstance(sql, i, now);
}

/** The INSERT of a new instance; should its row be there, the SET of UPDATE_LIVE or UPDATE_EXITED. */
const INSERT_LIVE = `INSERT INTO instances (id, journey_id, version, user_id, status, wake_at, entered_at, exited_at, node_id, entry, state, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET status = excluded.status, wake_at = excluded.wake_at,
  entered_at = excluded.entered_at, node_id = excluded.node_id, state = excluded.state, updated_at = excluded.updated_at`;
const INSERT_EXITED = `${INSERT_LIVE}, exited_at = excluded.exited_at`;

/**
 * An instance the unit did not read is new (a pass it started): an INSERT, without first the UPDATE that finds
 * no row (1.3 µs, one of a cart's four writes). Were the row there after all, it is moved on as writeInstance
 * moves it, with the same SET list, so the same index entries, and the entry event it had.
 */
function insertInstance(sql: Sql, i: Instance, now: number): void {
  const exited = exitedAtColumn(i);
  sql.run(exited === null ? INSERT_LIVE : INSERT_EXITED, i.id, i.journeyId, i.version, i.userId, i.status, i.wakeAt, i.enteredAt, exited, i.nodeId, JSON.stringify(i.entryEvent), instanceState(i), changedAt(exited, now));
}

/**
 * An instance's updated_at, from its exited_at column: when it was written, but for a pass that is over, when it
 * exited, which is what the API lists such passes by (reads.ts), as PostgreSQL does; an exit of unknown time
 * keeps the time of the write.
 */
function changedAt(exited: number | null, now: number): number {
  return exited === null || exited === EXIT_UNKNOWN ? now : exited;
}

export function addStat(sql: Sql, journeyId: string, version: number, nodeId: string, metric: string, count: number): void {
  sql.run(
    'INSERT INTO stats (journey_id, version, node_id, metric, count) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET count = count + excluded.count',
    journeyId,
    version,
    nodeId,
    metric,
    count,
  );
}
