/** What the API and the engine read outside units of work: profiles, messages, a user's events and instances, stats. */
import type { Instance } from '../../core/instance.ts';
import { decodeCursor, pageOf, type Page, type PageRequest } from '../pages.ts';
import type { Channel } from '../../core/channels.ts';
import type { Message, MessageQuery, Profile, QueueDepth, StatRow, StoredEvent, UserSeen } from '../store.ts';
import type { Sql } from './connection.ts';
import { MESSAGES_OF_INSTANCE } from './instance-messages.ts';
import { AFTER_INSTANCE_COLUMNS, EXIT_KEY, INSTANCE_COLUMNS, LIVE, LIVE_OF_A_USER, OVER_OF_A_USER, PASS_KEY, toEvent, toInstance, toMessage, toProfile } from './sqlite-rows.ts';

export function getProfile(sql: Sql, userId: string): Profile | null {
  const row = sql.get('SELECT * FROM profiles WHERE user_id = ?', userId);
  return row ? toProfile(row) : null;
}

export function listMessages(sql: Sql, q: MessageQuery): Message[] {
  const after = q.after ?? 0;
  const rows =
    q.userId !== undefined
      ? sql.all('SELECT * FROM messages WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT ?', q.userId, after, q.limit)
      : q.journeyId !== undefined
        ? sql.all('SELECT * FROM messages WHERE journey_id = ? AND seq > ? ORDER BY seq LIMIT ?', q.journeyId, after, q.limit)
        : sql.all('SELECT * FROM messages WHERE seq > ? ORDER BY seq LIMIT ?', after, q.limit);
  return rows.map(toMessage);
}

export function getMessage(sql: Sql, id: string): Message | null {
  const row = sql.get('SELECT * FROM messages WHERE id = ?', id);
  return row ? toMessage(row) : null;
}

export function userEvents(sql: Sql, userId: string, limit: number): StoredEvent[] {
  return sql.all('SELECT * FROM events WHERE user_id = ? ORDER BY ts DESC, seq DESC LIMIT ?', userId, limit).map(toEvent);
}

/**
 * A user's instances, most recently changed first: a live one by its last write, one that is over by when it
 * exited (its last write too: apply-changes.ts). Both come from instances_by_user_exit (migration 025), the live
 * ones (at most one a journey) from the user's 'live' range and the others walking back from the latest exit.
 */
const LIVE_OF_USER = `FROM instances WHERE user_id = @userId AND ${LIVE_OF_A_USER}`;
const OVER_OF_USER = `FROM instances WHERE user_id = @userId AND ${OVER_OF_A_USER}`;

/** @userId. Every instance of the user, by (changed, id) descending. */
export const USER_INSTANCES = `
  SELECT ${INSTANCE_COLUMNS} FROM (
    SELECT ${INSTANCE_COLUMNS}, updated_at AS changed ${LIVE_OF_USER} UNION ALL SELECT ${INSTANCE_COLUMNS}, exited_at ${OVER_OF_USER})
  ORDER BY changed DESC, id DESC`;

export function userInstances(sql: Sql, userId: string): Instance[] {
  return sql.raw(USER_INSTANCES, { userId }).map(toInstance);
}

/**
 * Keyset (changed, id) descending; one row more than the page. The part that is over is bounded by the page (a
 * walk down the user's exits in the index's order), the live part by the number of journeys.
 */
export const USER_INSTANCE_PAGE = `
  SELECT ${INSTANCE_COLUMNS}, changed FROM (
    SELECT ${INSTANCE_COLUMNS}, updated_at AS changed ${LIVE_OF_USER} AND (updated_at, id) < (@changed, @id) AND (@journeyId IS NULL OR journey_id = @journeyId)
    UNION ALL
    SELECT * FROM (
      SELECT ${INSTANCE_COLUMNS}, exited_at AS changed ${OVER_OF_USER} AND ${EXIT_KEY} <= @changed AND (exited_at, id) < (@changed, @id)
        AND (@journeyId IS NULL OR journey_id = @journeyId)
      ORDER BY ${EXIT_KEY} DESC, ${PASS_KEY} DESC LIMIT @rows
    )
  )
  ORDER BY changed DESC, id DESC LIMIT @rows`;

export function userInstancePage(sql: Sql, userId: string, page: PageRequest & { journeyId?: string | undefined }): Page<Instance> {
  const [changed, id] = page.cursor === undefined ? [Number.MAX_SAFE_INTEGER, '\u{10FFFF}'] : decodeCursor(page.cursor, ['number', 'string']);
  const rows = sql.raw(USER_INSTANCE_PAGE, { userId, changed, id, journeyId: page.journeyId ?? null, rows: page.limit + 1 });
  const items = rows.map((r) => ({ instance: toInstance(r), changed: r[AFTER_INSTANCE_COLUMNS] as number }));
  const result = pageOf(items, page.limit, (i) => [i.changed, i.instance.id]);
  return { items: result.items.map((i) => i.instance), nextCursor: result.nextCursor };
}

export function messagesOfInstances(sql: Sql, instanceIds: readonly string[]): Message[] {
  if (instanceIds.length === 0) return [];
  return sql.all(`SELECT m.* FROM json_each(?) AS i CROSS JOIN messages m ON ${MESSAGES_OF_INSTANCE} ORDER BY m.seq`, JSON.stringify([...new Set(instanceIds)])).map(toMessage);
}

/** @userId. Whether any instance (live or exited) or message is theirs, each by an index probe. */
export const USER_KNOWN = `SELECT EXISTS (SELECT 1 FROM instances WHERE user_id = @userId) OR EXISTS (SELECT 1 FROM messages WHERE user_id = @userId) AS known`;

/** The first and last event by the events_by_user index; else whether any instance or message is theirs. */
export function userSeen(sql: Sql, userId: string): UserSeen | null {
  const first = sql.get('SELECT ts FROM events WHERE user_id = ? ORDER BY ts LIMIT 1', userId);
  if (first) return { firstSeenAt: first.ts as number, lastSeenAt: sql.get('SELECT ts FROM events WHERE user_id = ? ORDER BY ts DESC LIMIT 1', userId)!.ts as number };
  const other = sql.get(USER_KNOWN, { userId });
  return other!.known === 1 ? { firstSeenAt: null, lastSeenAt: null } : null;
}

export function journeyStats(sql: Sql, journeyId: string): StatRow[] {
  return sql
    .all('SELECT version, node_id, metric, count FROM stats WHERE journey_id = ? ORDER BY version, node_id, metric', journeyId)
    .map((r) => ({ version: r.version as number, nodeId: r.node_id as string, metric: r.metric as string, count: r.count as number }));
}

export function inboxSize(sql: Sql): number {
  return sql.get('SELECT count(*) AS n FROM inbox')!.n as number;
}

export function queueDepth(sql: Sql, now: number): QueueDepth {
  const pendingMessages = sql
    .all("SELECT channel, count(*) AS n FROM messages WHERE status = 'pending' GROUP BY channel ORDER BY channel")
    .map((r) => ({ channel: r.channel as Channel, count: r.n as number }));
  const due = sql.get('SELECT count(*) AS n, min(wake_at) AS oldest FROM instances WHERE wake_at IS NOT NULL AND wake_at <= ?', now)!;
  return { pendingMessages, dueTimers: due.n as number, oldestDueAt: (due.oldest as number | null) ?? null, inbox: inboxSize(sql) };
}

export function nextWakeAt(sql: Sql): number | null {
  const row = sql.get('SELECT wake_at FROM instances WHERE wake_at IS NOT NULL ORDER BY wake_at LIMIT 1');
  return (row?.wake_at as number | undefined) ?? null;
}

export function lastWakeAt(sql: Sql): number | null {
  const row = sql.get('SELECT wake_at FROM instances WHERE wake_at IS NOT NULL ORDER BY wake_at DESC LIMIT 1');
  return (row?.wake_at as number | undefined) ?? null;
}

export function eventUserCount(sql: Sql): number {
  return sql.get('SELECT count(DISTINCT user_id) AS n FROM events')!.n as number;
}

export function liveInstanceCount(sql: Sql, journeyId: string): number {
  return sql.get(`SELECT count(*) AS n FROM instances WHERE journey_id = ? AND ${LIVE}`, journeyId)!.n as number;
}

/** The highest message and event numbers (0 when none), through each table's rowid. */
export function highestNumbers(sql: Sql): { message: number; event: number } {
  return {
    message: (sql.get('SELECT max(seq) AS seq FROM messages')?.seq as number | null) ?? 0,
    event: (sql.get('SELECT max(seq) AS seq FROM events')?.seq as number | null) ?? 0,
  };
}
