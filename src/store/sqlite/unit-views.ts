/**
 * What a unit of work reads for decide, in its transaction: its users' profiles (cached), their instances,
 * the context a journey asks for and the events a journey started now may replay. A query per chunk of users
 * and kind.
 */
import type { Channel } from '../../core/definition.ts';
import type { Instance } from '../../core/instance.ts';
import type { EventBatchView, Lookback, Profile, StoredEvent, TimerBatchView, UserContext, UserContextSpec } from '../store.ts';
import { MIN_TIMESTAMP } from '../rows.ts';
import { addEntered, addLive, addSend, emptyContext, emptyEventView, groupByInstance, groupByUser, liveInstanceIds, lookbackStarts, unique } from '../views.ts';
import { chunks, type Sql } from './connection.ts';
import type { LiveInstances } from './live-instances.ts';
import { MESSAGES_OF_INSTANCE } from './instance-messages.ts';
import { EXIT_UNKNOWN, EXITED, INSTANCE_COLUMNS_OF_I, LIVE_OF_A_USER, toEvent, toInstance, toInstanceMessage, toProfile } from './sqlite-rows.ts';

/**
 * Every unit of work needs its users' profiles, and this process is the file's only writer, so parsed
 * profiles are kept (bounded: emptied when `size` would be passed) and dropped when a profile is written.
 */
export class ProfileCache {
  private readonly cache = new Map<string, Profile | null>();
  /**
   * Users whose profile another connection is about to change (a merge across shards, store/shards/): read
   * from the file at every unit, never kept, until let go. Counted, as two moves may hold one user.
   */
  private readonly held = new Map<string, number>();

  constructor(private readonly size = 200_000) {}

  forget(userId: string): void {
    this.cache.delete(userId);
  }

  /** Forgets these users' profiles and keeps none of them until `release`. */
  hold(userIds: readonly string[]): void {
    for (const id of userIds) {
      this.cache.delete(id);
      this.held.set(id, (this.held.get(id) ?? 0) + 1);
    }
  }

  release(userIds: readonly string[]): void {
    for (const id of userIds) {
      const n = (this.held.get(id) ?? 0) - 1;
      if (n > 0) this.held.set(id, n);
      else this.held.delete(id);
    }
  }

  load(sql: Sql, users: string[]): Map<string, Profile> {
    const profiles = new Map<string, Profile>();
    const missing: string[] = [];
    for (const user of users) {
      const cached = this.cache.get(user);
      if (cached === undefined) missing.push(user);
      else if (cached !== null) profiles.set(user, cached);
    }
    if (this.cache.size + missing.length > this.size) this.cache.clear();
    for (const chunk of chunks(missing)) {
      for (const row of sql.inList('SELECT * FROM profiles WHERE user_id IN', chunk)) profiles.set(row.user_id as string, toProfile(row));
    }
    for (const user of missing) if (!this.held.has(user)) this.cache.set(user, profiles.get(user) ?? null);
    return profiles;
  }
}

/** An event unit's view of its fresh events' users. */
export function loadEventView(ctx: { sql: Sql; profiles: ProfileCache; live?: LiveInstances }, fresh: StoredEvent[], lookback: Lookback | undefined, spec: UserContextSpec | undefined): EventBatchView {
  const { sql, live } = ctx;
  const users = unique(fresh.map((e) => e.userId));
  const view = emptyEventView(fresh, ctx.profiles.load(sql, users));
  if (live) instancesInMemory(live, users, view);
  else loadInstancesOf(sql, users, view);
  view.context = loadContext(sql, users, liveInstanceIds(view.live), spec);
  if (lookback) loadRecent(sql, fresh, lookback, view);
  return view;
}

/** A timer unit's view of the instances it claimed: their users' profiles and context. */
export function loadTimerView(sql: Sql, profiles: ProfileCache, instances: Instance[], spec: UserContextSpec | undefined): TimerBatchView {
  const users = unique(instances.map((i) => i.userId));
  return { instances, profiles: profiles.load(sql, users), context: loadContext(sql, users, instances.map((i) => i.id), spec) };
}

/**
 * The users' live instances (instances_by_user_exit), and per journey each entered, when they last left it:
 * a skip scan of instances_entered_by_user (one probe per journey) and one probe more for the last exit. So
 * a user with many exited passes (a re-entering journey) costs no more than one with a few: with 40,000
 * exited instances, one event took 90 ms (median; 0.4 ms with none) before these reads, and as long as with
 * none after (bench/reentry-pileup.ts).
 */
function loadInstancesOf(sql: Sql, users: string[], view: EventBatchView): void {
  for (const chunk of chunks(users)) {
    const list = JSON.stringify(chunk);
    for (const row of sql.raw(LIVE_OF_USERS, list)) addLive(view, toInstance(row));
    for (const row of sql.all(ENTERED_OF_USERS, list)) addEntered(view, row.user_id as string, row.journey_id as string, row.last_exit === EXIT_UNKNOWN ? null : (row.last_exit as number));
  }
}

/** loadInstancesOf, for instances kept in memory. */
function instancesInMemory(live: LiveInstances, users: string[], view: EventBatchView): void {
  for (const user of users) {
    const passes = live.of(user);
    if (!passes) continue;
    for (const pass of passes.live) addLive(view, pass.instance);
    for (const exit of passes.exits) addEntered(view, user, exit.journeyId, exit.at);
  }
}

/**
 * ?: a JSON array of user ids. CROSS JOIN keeps the users outside: one range of the index each, the user's live
 * passes (at most one a journey), whatever number of passes they have had.
 */
export const LIVE_OF_USERS = `
  SELECT ${INSTANCE_COLUMNS_OF_I} FROM json_each(?) AS u CROSS JOIN instances i INDEXED BY instances_by_user_exit
  ON i.user_id = u.value AND ${LIVE_OF_A_USER}`;

/**
 * ?: a JSON array of user ids. Per (user, journey) of a pass that entered and is over, the latest exit. A live
 * pass that entered is one of LIVE_OF_USERS (addLive counts it as entered).
 */
const PASS_OVER = `${EXITED} AND entered_at IS NOT NULL`;
export const ENTERED_OF_USERS = `
  WITH RECURSIVE entered (user_id, journey_id) AS (
    SELECT u.value, (SELECT min(journey_id) FROM instances WHERE user_id = u.value AND ${PASS_OVER})
    FROM json_each(?) AS u
    UNION ALL
    SELECT e.user_id, (SELECT min(journey_id) FROM instances WHERE user_id = e.user_id AND ${PASS_OVER} AND journey_id > e.journey_id)
    FROM entered e WHERE e.journey_id IS NOT NULL
  )
  SELECT e.user_id, e.journey_id,
    (SELECT max(exited_at) FROM instances WHERE user_id = e.user_id AND journey_id = e.journey_id AND ${PASS_OVER}) AS last_exit
  FROM entered e WHERE e.journey_id IS NOT NULL`;

/**
 * What `spec` asks for about these users (and, for outcomes, these instances of theirs): a query per chunk of
 * users and kind, one for the instances' messages, in the unit's transaction.
 */
function loadContext(sql: Sql, users: string[], instanceIds: string[], spec: UserContextSpec | undefined): UserContext {
  const context = emptyContext();
  if (!spec) return context;
  const history = spec.history;
  if (history && history.names.size > 0) {
    const names = [...history.names];
    const prefix = `SELECT * FROM events WHERE name IN (${names.map(() => '?').join(',')}) AND ts >= ? AND user_id IN`;
    for (const chunk of chunks(users)) groupByUser(context.history, sql.inList(prefix, [...names, history.since ?? MIN_TIMESTAMP, ...chunk], 'ORDER BY ts, seq').map(toEvent));
  }
  if (spec.sendsSince !== null) {
    const prefix = "SELECT user_id, channel, created_at FROM messages WHERE status IN ('pending', 'sent', 'delivered') AND created_at >= ? AND user_id IN";
    for (const chunk of chunks(users)) {
      for (const row of sql.inList(prefix, [spec.sendsSince, ...chunk], 'ORDER BY created_at, seq')) addSend(context, row.user_id as string, row.channel as Channel, row.created_at as number);
    }
  }
  if (spec.outcomes) {
    // The messages of a unit's instances (a JSON array of ids), one range of the messages' key each, in
    // creation (log) order.
    const rows =
      instanceIds.length === 0
        ? []
        : sql.all(
            `SELECT m.instance_id, m.node_id, m.status, m.created_at, m.sent_at, m.clicked_at
             FROM json_each(?) AS i CROSS JOIN messages m ON ${MESSAGES_OF_INSTANCE}
             ORDER BY m.seq`,
            JSON.stringify(unique(instanceIds)),
          );
    context.messages = groupByInstance(rows.map((row) => ({ instanceId: row.instance_id as string, message: toInstanceMessage(row) })));
  }
  return context;
}

/** The stored events a journey started now may replay: see EventBatchView.recent. */
function loadRecent(sql: Sql, fresh: StoredEvent[], lookback: Lookback, view: EventBatchView): void {
  const since = lookbackStarts(fresh, lookback);
  if (!since) return;
  const names = [...lookback.names];
  const earliest = Math.min(...since.values());
  const prefix = `SELECT * FROM events WHERE name IN (${names.map(() => '?').join(',')}) AND ts >= ? AND user_id IN`;
  for (const chunk of chunks([...since.keys()])) {
    const rows = sql.inList(prefix, [...names, earliest, ...chunk] as string[]).sort((a, b) => (a.ts as number) - (b.ts as number) || (a.seq as number) - (b.seq as number));
    groupByUser(view.recent, rows.map(toEvent).filter((e) => e.timestamp >= since.get(e.userId)!));
  }
}
