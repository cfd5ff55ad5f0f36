/**
 * The reads of a batch's users (ingest and the timer claim), written so that they probe an index once per
 * user even on a fresh schema, before autovacuum has collected statistics (and on the events partitions of
 * a new day, which start without them too).
 *
 * Without statistics the planner takes any user to have 1/200 of a table's rows: `user_id = ANY($1)` over a
 * batch of users, or a plain join of the table to `unnest($1)`, then looks like most of the table, and is
 * planned as a full scan (a hash join) on every batch. Where user_id is unique (profiles) the join to unnest
 * is enough: the planner knows each user matches one row. Where it is not (instances, events), each user's
 * rows come from a LATERAL subquery that OFFSET 0 keeps from being merged into the join, so it runs as one
 * index scan per user whatever the estimates. test/store/postgres-batch-lookups.test.ts checks the plans.
 */
import { EXITED, LIVE } from './pg-rows.ts';

/** $1: user ids. */
export const PROFILES_OF_USERS = `
  SELECT p.user_id, p.traits, p.updated_at
  FROM unnest($1::text[]) AS u(user_id) JOIN profiles p ON p.user_id = u.user_id`;

/**
 * $1: user ids. Their live instances (with state), locked FOR UPDATE in id order (stopInstances and
 * moveInstances lock in that order too), and then, per (user, journey) they entered, when they last left it
 * (state NULL, entered true). The live rows are found per user first (instances_live_by_user), then locked
 * through the primary key: a lock taken inside the per-user subquery would be taken in user order. The
 * journeys a user entered and left come from a skip scan of instances_entered_by_user, which holds passes that
 * are over (one probe per journey), and each one's last exit from one probe more, so a user with many exited
 * passes costs no more than one with a few. A live pass that entered counts as entered with the live rows.
 */
const PASS_OVER = `${EXITED} AND entered_at IS NOT NULL`;
export const INSTANCES_OF_USERS = `
  WITH RECURSIVE found AS MATERIALIZED (
    SELECT f.id FROM unnest($1::text[]) AS u(user_id)
    CROSS JOIN LATERAL (SELECT id FROM instances WHERE user_id = u.user_id AND ${LIVE} OFFSET 0) AS f
  ),
  live AS MATERIALIZED (
    SELECT user_id, journey_id, state, entry FROM instances
    WHERE id = ANY (ARRAY(SELECT id FROM found)) AND ${LIVE}
    ORDER BY id FOR UPDATE
  ),
  entered (user_id, journey_id) AS (
    SELECT u.user_id, (SELECT min(journey_id) FROM instances WHERE user_id = u.user_id AND ${PASS_OVER})
    FROM unnest($1::text[]) AS u(user_id)
    UNION ALL
    SELECT e.user_id, (SELECT min(journey_id) FROM instances WHERE user_id = e.user_id AND ${PASS_OVER} AND journey_id > e.journey_id)
    FROM entered e WHERE e.journey_id IS NOT NULL
  )
  SELECT user_id, journey_id, state, entry, NULL::boolean AS entered, NULL::bigint AS last_exit FROM live
  UNION ALL
  SELECT e.user_id, e.journey_id, NULL::json, NULL::json, true,
    (SELECT max(exited_at) FROM instances WHERE user_id = e.user_id AND journey_id = e.journey_id AND ${PASS_OVER})
  FROM entered e WHERE e.journey_id IS NOT NULL`;

/**
 * $1, $2: user ids and, for each, the earliest timestamp wanted; $3: event names. In (ts, seq) order.
 * No bound on received_at (the partition key) would be safe: an event reaches the lookback by its own
 * timestamp, whenever it arrived, so each user costs one index probe per partition.
 */
export const RECENT_EVENTS_OF_USERS = eventsPerUser('unnest($1::text[], $2::bigint[]) AS u(user_id, since)', 'ts >= u.since AND name = ANY($3::text[])', 'e.ts, e.seq');

/**
 * $1: user ids; $2: event names; $3: the earliest timestamp wanted. By user ("C" order), then (ts, seq):
 * the history of a unit of work's users (UserContext.history). As above, one index
 * probe per user and partition.
 */
export const EVENTS_OF_USERS = eventsPerUser('unnest($1::text[]) AS u(user_id)', 'ts >= $3::bigint AND name = ANY($2::text[])', 'e.user_id, e.ts, e.seq');

/**
 * $1: user ids; $2, $3: event names and, for each, the earliest timestamp wanted (one per name); $4: the
 * earliest of those. By user ("C" order), then (ts, seq): Store.eventsOfUsers. One probe per user and
 * partition reads the rows of the widest range, as EVENTS_OF_USERS does; the join keeps each name's own range,
 * so the rows of a longer range than their name asked for are not sent (a scheduled segment's "viewed in 7
 * days, not charged in 30" sends a week of views, not a month).
 */
export const EVENTS_IN_RANGES_OF_USERS = `
  SELECT e.message_id, e.user_id, e.name, e.ts, e.properties, e.received_at
  FROM unnest($1::text[]) AS u(user_id)
  CROSS JOIN LATERAL (
    SELECT message_id, user_id, name, ts, properties, received_at, seq FROM events
    WHERE user_id = u.user_id AND ts >= $4::bigint AND name = ANY($2::text[]) OFFSET 0
  ) AS e
  JOIN unnest($2::text[], $3::bigint[]) AS r(name, since) ON r.name = e.name AND e.ts >= r.since
  ORDER BY e.user_id, e.ts, e.seq`;

/** Events of each user of `users` (aliased u) that meet `where`: one index probe per user and partition. */
function eventsPerUser(users: string, where: string, orderBy: string): string {
  return `
  SELECT e.message_id, e.user_id, e.name, e.ts, e.properties, e.received_at
  FROM ${users}
  CROSS JOIN LATERAL (
    SELECT message_id, user_id, name, ts, properties, received_at, seq FROM events
    WHERE user_id = u.user_id AND ${where} OFFSET 0
  ) AS e
  ORDER BY ${orderBy}`;
}

/**
 * $1: user ids; $2: the earliest created_at wanted. Their messages pending or sent since then, every
 * journey (UserContext.sends, for frequency caps), in creation order: one probe of messages_by_user_created
 * per user.
 */
export const SENDS_OF_USERS = `
  SELECT m.user_id, m.channel, m.created_at
  FROM unnest($1::text[]) AS u(user_id)
  CROSS JOIN LATERAL (
    SELECT user_id, channel, created_at, seq FROM messages
    WHERE user_id = u.user_id AND created_at >= $2::bigint AND status IN ('pending', 'sent', 'delivered') OFFSET 0
  ) AS m
  ORDER BY m.created_at, m.seq`;

/**
 * The condition on messages for the instance whose id is the SQL expression `instance`: a send's id is
 * `<instance id>:<node>:<step>` (sendIdOf in core/nodes/send.ts, the only maker of message ids), so its
 * messages are the range of the messages' unique key (id, COLLATE "C") that starts with the instance's id and a
 * colon. The range also holds the messages of an instance whose id extends this one past a colon (an entry
 * event id with a colon in it), hence the test of instance_id. (messages_by_instance went in migration 024.)
 */
export function messagesOfInstance(instance: string): string {
  return `id > (${instance} || ':') COLLATE "C" AND id < (${instance} || ';') COLLATE "C" AND instance_id = ${instance}`;
}

/**
 * $1: instance ids. Their messages (UserContext.messages, for splits on message outcome), by instance, in
 * creation (log) order: one range of the messages' key per instance.
 */
export const MESSAGES_OF_INSTANCES = `
  SELECT m.instance_id, m.node_id, m.status, m.created_at, m.sent_at, m.clicked_at
  FROM unnest($1::text[]) AS i(id)
  CROSS JOIN LATERAL (
    SELECT instance_id, node_id, status, created_at, sent_at, clicked_at, seq FROM messages
    WHERE ${messagesOfInstance('i.id')} OFFSET 0
  ) AS m
  ORDER BY m.instance_id, m.seq`;
