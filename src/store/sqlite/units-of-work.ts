/**
 * The engine's units of work on the SQLite store: ingest, the inbox drain and the timer claim, which read a
 * view, let decide choose the Changes, and commit them; and the profile upsert. Each runs synchronously inside
 * one transaction (better-sqlite3 is synchronous), so nothing can interleave between a read and its write.
 * Trait names a unit recorded are remembered once it has committed, never before.
 */
import type { Instance, JourneyEvent } from '../../core/instance.ts';
import type { Changes, EventBatchView, IngestResult, Lookback, NewMessage, ProfileUpsert, StoredEvent, TimerBatchView, UserContextSpec } from '../store.ts';
import { applyChanges, writeProfiles, type WriteContext } from './apply-changes.ts';
import { resolveEvents, resolveProfiles } from './identities.ts';
import { liveInstanceIds } from '../views.ts';
import { INSTANCE_COLUMNS, toInboxEvent, toInstance } from './sqlite-rows.ts';
import { loadEventView, loadTimerView } from './unit-views.ts';

type Decide<View> = (view: View) => Changes;

export function upsertProfiles(ctx: WriteContext, profiles: ProfileUpsert[], now: number): void {
  // A patch of a merged id is its user's (identities.ts).
  const names = ctx.sql.transaction((): string[] => writeProfiles(ctx, resolveProfiles(ctx.sql, profiles), now));
  ctx.traitNames.remember(names);
}

export function ingestEvents(ctx: WriteContext, events: JourneyEvent[], now: number, decide: Decide<EventBatchView>, lookback?: Lookback, context?: UserContextSpec): IngestResult {
  const { result, names, changes } = ctx.sql.transaction(() => eventUnit(ctx, events, now, decide, lookback, context));
  committed(ctx, names, changes);
  return result;
}

/** What a unit of work changed, as handed over once it has committed; `fresh`: the events it accepted. */
type Committed = { readonly instances: readonly Instance[]; readonly messages: readonly NewMessage[]; readonly fresh?: readonly StoredEvent[] };
const NOTHING: Committed = { instances: [], messages: [] };

/**
 * After a unit's commit: the trait names it recorded, the instances it changed when they are kept in memory,
 * the users of its events when the file keeps only some, and its messages to whoever asked for them.
 */
function committed(ctx: WriteContext, names: string[], changes: Committed): void {
  ctx.traitNames.remember(names);
  ctx.live?.write(changes.instances);
  if (ctx.eventsKept && changes.fresh) ctx.eventsKept.accepted(changes.fresh.map((e) => e.userId));
  if (ctx.onMessages && changes.messages.length > 0) ctx.onMessages(changes.messages);
}

/**
 * One transaction: the oldest `limit` inbox rows, processed by the same code as ingestEvents, then removed
 * (by seq: the follow-ups the unit adds are new rows, and an id already waiting was not added again).
 */
export function drainInbox(ctx: WriteContext, now: number, limit: number, decide: Decide<EventBatchView>, lookback?: Lookback, context?: UserContextSpec): number {
  if (limit <= 0) return 0; // SQLite reads a negative LIMIT as none
  const { sql } = ctx;
  const { claimed, names, changes } = sql.transaction((): { claimed: number; names: string[]; changes: Committed } => {
    const rows = sql.all('SELECT seq, message_id, user_id, name, ts, properties FROM inbox ORDER BY seq LIMIT ?', limit);
    if (rows.length === 0) return { claimed: 0, names: [], changes: NOTHING };
    const { names, changes } = eventUnit(ctx, rows.map(toInboxEvent), now, decide, lookback, context);
    sql.run('DELETE FROM inbox WHERE seq IN (SELECT value FROM json_each(?))', JSON.stringify(rows.map((r) => r.seq)));
    return { claimed: rows.length, names, changes };
  });
  committed(ctx, names, changes);
  return claimed;
}

/**
 * One transaction: up to `limit` instances due at `now`, moved on. Instances kept in memory (ctx.live) are claimed
 * there before it, and given back unless the unit commits their moves.
 */
export function fireDueTimers(ctx: WriteContext, now: number, limit: number, decide: Decide<TimerBatchView>, context?: UserContextSpec): number {
  const { sql, live } = ctx;
  const claimed = live?.claimDue(now, limit);
  if (claimed?.length === 0) return 0;
  let unit: { instances: Instance[]; changes: Changes; names: string[] } | null;
  try {
    unit = sql.transaction(() => {
      const instances = claimed ?? sql.raw(`SELECT ${INSTANCE_COLUMNS} FROM instances WHERE wake_at <= ? ORDER BY wake_at LIMIT ?`, now, limit).map(toInstance);
      if (instances.length === 0) return null;
      const changes = decide(loadTimerView(sql, ctx.profiles, instances, context));
      return { instances, changes, names: applyChanges(ctx, changes, now, new Set(instances.map((i) => i.id))) };
    });
  } catch (error) {
    if (live && claimed) live.giveBack(claimed);
    throw error;
  }
  if (!unit) return 0;
  committed(ctx, unit.names, unit.changes);
  if (live && claimed) {
    const moved = new Set(unit.changes.instances.map((i) => i.id));
    live.giveBack(claimed.filter((i) => !moved.has(i.id)));
  }
  return unit.instances.length;
}

/**
 * An event as stored: its fields as the file keeps them, and when it came. A literal of one shape, not a spread
 * of the event: a spread and the field added after it cost 0.7% of a simulation thread.
 */
function stored(e: JourneyEvent, receivedAt: number): StoredEvent {
  return { messageId: e.messageId, userId: e.userId, name: e.name, timestamp: e.timestamp, properties: e.properties, receivedAt };
}

/**
 * The unit of work of ingestEvents and drainInbox, in the caller's transaction: stores the events not seen
 * before (deduplicated on messageId; of a store keeping only some events, those it keeps), loads the view,
 * decides and writes. Returns the trait names recorded, to remember once the transaction commits.
 */
function eventUnit(
  ctx: WriteContext,
  events: JourneyEvent[],
  now: number,
  decide: Decide<EventBatchView>,
  lookback: Lookback | undefined,
  context: UserContextSpec | undefined,
): { result: IngestResult; names: string[]; changes: Committed } {
  const fresh: StoredEvent[] = [];
  const kept = ctx.eventsKept;
  // An event of a merged id is its user's (identities.ts).
  for (const e of resolveEvents(ctx.sql, events)) {
    // Of a cart simulation's events only Charged is read back: storing the rest cost a tenth of a run (bench/RESULTS.md).
    if (kept && !kept.keeps(e.name)) {
      fresh.push(stored(e, now));
      continue;
    }
    // A shard's number comes from the counter the shards share; in one file SQLite numbers the row.
    const insert = 'INSERT INTO events (seq, message_id, user_id, name, ts, properties, received_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING';
    const inserted = ctx.sql.run(insert, ctx.numbers ? ctx.numbers.nextEvent() : null, e.messageId, e.userId, e.name, e.timestamp, JSON.stringify(e.properties), now);
    if (inserted.changes === 1) fresh.push(stored(e, now));
  }
  const result = { accepted: fresh.length, duplicates: events.length - fresh.length };
  if (fresh.length === 0) return { result, names: [], changes: NOTHING };
  const view = loadEventView(ctx, fresh, lookback, context);
  // Taken before decide, which leaves in view.live only the passes still live: a pass an event ended was read
  // too, and is moved on by an UPDATE, not by an INSERT that finds its row.
  const read = new Set(liveInstanceIds(view.live));
  const changes = decide(view);
  return { result, names: applyChanges(ctx, changes, now, read), changes: { ...changes, fresh } };
}
