/**
 * The reads behind the API and the CLI, outside any unit of work: a user's messages, events, instances and
 * profile, a journey's counters, and the counts the engine polls (inbox size, next wake-up, live instances).
 */
import type pg from 'pg';
import type { Instance } from '../../core/instance.ts';
import { decodeCursor, pageOf, type Page, type PageRequest } from '../pages.ts';
import type { Channel } from '../../core/channels.ts';
import type { Message, MessageQuery, Profile, QueueDepth, StatRow, StoredEvent, UserSeen } from '../store.ts';
import type { Row } from '../rows.ts';
import { messagesOfInstance } from './batch-lookups.ts';
import { EXITED, LIVE, MESSAGE_COLUMNS, toEvent, toInstance, toMessage, toProfile } from './pg-rows.ts';

export async function listMessages(pool: pg.Pool, q: MessageQuery): Promise<Message[]> {
  const after = q.after ?? 0;
  const { rows } =
    q.userId !== undefined
      ? await pool.query({ name: 'wm-messages-of-user', text: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, values: [q.userId, after, q.limit] })
      : q.journeyId !== undefined
        ? await pool.query({ name: 'wm-messages-of-journey', text: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE journey_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, values: [q.journeyId, after, q.limit] })
        : await pool.query({ name: 'wm-messages', text: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE seq > $1 ORDER BY seq LIMIT $2`, values: [after, q.limit] });
  return (rows as Row[]).map(toMessage);
}

export async function getMessage(pool: pg.Pool, id: string): Promise<Message | null> {
  const { rows } = await pool.query({ name: 'wm-message', text: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = $1`, values: [id] });
  return rows[0] ? toMessage(rows[0] as Row) : null;
}

export async function userEvents(pool: pg.Pool, userId: string, limit: number): Promise<StoredEvent[]> {
  const { rows } = await pool.query({
    name: 'wm-user-events',
    text: 'SELECT message_id, user_id, name, ts, properties, received_at FROM events WHERE user_id = $1 ORDER BY ts DESC, seq DESC LIMIT $2',
    values: [userId, limit],
  });
  return (rows as Row[]).map(toEvent);
}

/**
 * A user's instances, most recently changed first (a pass that is over last changed when it exited:
 * apply-changes.ts). There is no index of all of a user's instances: the live
 * ones (at most one a journey) come through instances_live_by_user, the exited ones through
 * instances_exited_by_user, and the two are merged (migration 020).
 */
const LIVE_OF_USER = `FROM instances WHERE user_id = $1 AND ${LIVE}`;
const EXITED_OF_USER = `FROM instances WHERE user_id = $1 AND ${EXITED}`;

/** $1: the user. Every instance of the user, by (updated_at, id) descending. */
export const USER_INSTANCES = `
  SELECT state, entry FROM (SELECT state, entry, updated_at, id ${LIVE_OF_USER} UNION ALL SELECT state, entry, updated_at, id ${EXITED_OF_USER}) AS i
  ORDER BY updated_at DESC, id DESC`;

export async function userInstances(pool: pg.Pool, userId: string): Promise<Instance[]> {
  const { rows } = await pool.query({ name: 'wm-user-instances', text: USER_INSTANCES, values: [userId] });
  return (rows as Row[]).map(toInstance);
}

/**
 * Keyset (updated_at, id) descending; one row more than the page. The exited instances' part is bounded by
 * the page (a walk down instances_exited_by_user), the live part by the number of journeys.
 */
const AFTER_CURSOR = '($2::bigint IS NULL OR (updated_at, id) < ($2::bigint, $3::text)) AND ($4::text IS NULL OR journey_id = $4)';
export const USER_INSTANCE_PAGE = `
  SELECT state, entry, updated_at FROM (
    SELECT state, entry, updated_at, id ${LIVE_OF_USER} AND ${AFTER_CURSOR}
    UNION ALL
    (SELECT state, entry, updated_at, id ${EXITED_OF_USER} AND ${AFTER_CURSOR} ORDER BY updated_at DESC, id DESC LIMIT $5)
  ) AS i
  ORDER BY updated_at DESC, id DESC LIMIT $5`;

export async function userInstancePage(pool: pg.Pool, userId: string, page: PageRequest & { journeyId?: string | undefined }): Promise<Page<Instance>> {
  const cursor = page.cursor === undefined ? null : decodeCursor(page.cursor, ['number', 'string']);
  const { rows } = await pool.query({
    name: 'wm-user-instance-page',
    text: USER_INSTANCE_PAGE,
    values: [userId, cursor?.[0] ?? null, cursor?.[1] ?? null, page.journeyId ?? null, page.limit + 1],
  });
  const items = (rows as Row[]).map((r) => ({ instance: toInstance(r), updatedAt: r.updated_at as number }));
  const result = pageOf(items, page.limit, (i) => [i.updatedAt, i.instance.id]);
  return { items: result.items.map((i) => i.instance), nextCursor: result.nextCursor };
}

/** $1: instance ids. Their messages, in log order: one range of the messages' key per instance. */
export const MESSAGES_OF_INSTANCE_IDS = `
  SELECT ${MESSAGE_COLUMNS} FROM unnest($1::text[]) AS wanted(instance)
  CROSS JOIN LATERAL (SELECT * FROM messages WHERE ${messagesOfInstance('wanted.instance')} OFFSET 0) AS m
  ORDER BY seq`;

export async function messagesOfInstances(pool: pg.Pool, instanceIds: readonly string[]): Promise<Message[]> {
  if (instanceIds.length === 0) return [];
  const { rows } = await pool.query({ name: 'wm-messages-of-instance-ids', text: MESSAGES_OF_INSTANCE_IDS, values: [[...new Set(instanceIds)]] });
  return (rows as Row[]).map(toMessage);
}

/** The first and last event by the events_by_user index; else whether any instance or message is theirs. */
export async function userSeen(pool: pg.Pool, userId: string): Promise<UserSeen | null> {
  const { rows } = await pool.query({
    name: 'wm-user-seen',
    text: `SELECT (SELECT min(ts) FROM events WHERE user_id = $1) AS first, (SELECT max(ts) FROM events WHERE user_id = $1) AS last,
                  EXISTS (SELECT 1 ${LIVE_OF_USER}) OR EXISTS (SELECT 1 ${EXITED_OF_USER}) OR EXISTS (SELECT 1 FROM messages WHERE user_id = $1) AS known`,
    values: [userId],
  });
  const row = rows[0] as Row;
  if (row.first !== null) return { firstSeenAt: row.first as number, lastSeenAt: row.last as number };
  return row.known === true ? { firstSeenAt: null, lastSeenAt: null } : null;
}

export async function journeyStats(pool: pg.Pool, journeyId: string): Promise<StatRow[]> {
  const { rows } = await pool.query({ name: 'wm-stats', text: 'SELECT version, node_id, metric, count FROM stats WHERE journey_id = $1 ORDER BY version, node_id, metric', values: [journeyId] });
  return (rows as Row[]).map((r) => ({ version: r.version as number, nodeId: r.node_id as string, metric: r.metric as string, count: r.count as number }));
}

export async function getProfile(pool: pg.Pool, userId: string): Promise<Profile | null> {
  const { rows } = await pool.query({ name: 'wm-profile', text: 'SELECT user_id, traits, updated_at FROM profiles WHERE user_id = $1', values: [userId] });
  return rows[0] ? toProfile(rows[0]) : null;
}

export async function inboxSize(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query({ name: 'wm-inbox-size', text: 'SELECT count(*) AS n FROM inbox' });
  return rows[0].n as number;
}

export async function queueDepth(pool: pg.Pool, now: number): Promise<QueueDepth> {
  const [pending, due, inbox] = await Promise.all([
    pool.query({ name: 'wm-pending-by-channel', text: "SELECT channel, count(*) AS n FROM messages WHERE status = 'pending' GROUP BY channel ORDER BY channel" }),
    pool.query({ name: 'wm-due-timers', text: 'SELECT count(*) AS n, min(wake_at) AS oldest FROM instances WHERE wake_at IS NOT NULL AND wake_at <= $1', values: [now] }),
    inboxSize(pool),
  ]);
  return {
    pendingMessages: (pending.rows as Row[]).map((r) => ({ channel: r.channel as Channel, count: r.n as number })),
    dueTimers: (due.rows[0] as Row).n as number,
    oldestDueAt: ((due.rows[0] as Row).oldest as number | null) ?? null,
    inbox,
  };
}

export async function nextWakeAt(pool: pg.Pool): Promise<number | null> {
  const { rows } = await pool.query({ name: 'wm-next-wake', text: 'SELECT wake_at FROM instances WHERE wake_at IS NOT NULL ORDER BY wake_at LIMIT 1' });
  return (rows[0]?.wake_at as number | undefined) ?? null;
}

export async function lastWakeAt(pool: pg.Pool): Promise<number | null> {
  const { rows } = await pool.query({ name: 'wm-last-wake', text: 'SELECT wake_at FROM instances WHERE wake_at IS NOT NULL ORDER BY wake_at DESC LIMIT 1' });
  return (rows[0]?.wake_at as number | undefined) ?? null;
}

export async function eventUserCount(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query('SELECT count(DISTINCT user_id) AS n FROM events');
  return rows[0].n as number;
}

/** Fails when the server is unreachable, or would refuse writes (a standby in recovery, read-only sessions). */
export async function ping(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query("SELECT pg_is_in_recovery() AS standby, current_setting('transaction_read_only') = 'on' AS read_only");
  if (rows[0].standby) throw new Error('the database is a standby in recovery: it takes no writes');
  if (rows[0].read_only) throw new Error('the database takes no writes (transaction_read_only is on)');
}

export async function liveInstanceCount(pool: pg.Pool, journeyId: string): Promise<number> {
  const { rows } = await pool.query({ name: 'wm-live-count', text: `SELECT count(*) AS n FROM instances WHERE journey_id = $1 AND ${LIVE}`, values: [journeyId] });
  return rows[0].n as number;
}
