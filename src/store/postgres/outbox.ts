/**
 * The outbox: the messages units of work leave pending, claimed by dispatchers under a lease (lease_until,
 * on the database clock) so that two do not send one message at the same time, and an expired lease (a dead
 * dispatcher) makes the message claimable again; then their send outcomes and clicks.
 */
import type pg from 'pg';
import type { Message, SendOutcome } from '../store.ts';
import type { Row } from '../rows.ts';
import { compare } from './locks.ts';
import { MESSAGE_COLUMNS, toMessage } from './pg-rows.ts';

/**
 * Claims up to `limit` pending messages for this caller: they are leased for `leaseMs` on the database
 * clock, during which no other call returns them. recordOutcomes ends the lease; a lease that runs out
 * (its dispatcher died) makes the message claimable again, so delivery is at least once.
 */
export async function pendingMessages(pool: pg.Pool, limit: number, leaseMs: number): Promise<Message[]> {
  if (limit <= 0) return [];
  const { rows } = await pool.query({
    name: 'wm-claim-pending',
    text: `WITH claim AS MATERIALIZED (
             SELECT seq FROM messages
             WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < (extract(epoch FROM statement_timestamp()) * 1000)::bigint)
             ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED
           )
           UPDATE messages m SET lease_until = (extract(epoch FROM statement_timestamp()) * 1000)::bigint + $2
           WHERE m.seq = ANY (ARRAY(SELECT seq FROM claim))
           RETURNING ${MESSAGE_COLUMNS.split(', ').map((c) => `m.${c}`).join(', ')}`,
    values: [limit, leaseMs],
  });
  return (rows as Row[]).map(toMessage).sort((a, b) => a.seq - b.seq);
}

export async function recordOutcomes(pool: pg.Pool, outcomes: SendOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  // The first outcome of a message counts, as when they are applied one by one.
  const firsts = new Map<string, SendOutcome>();
  for (const o of outcomes) if (!firsts.has(o.id)) firsts.set(o.id, o);
  const list = [...firsts.values()].sort((a, b) => compare(a.id, b.id));
  // One statement: only messages still pending change (idempotent), and each change is counted.
  await pool.query({
    name: 'wm-record-outcomes',
    text: `WITH target AS MATERIALIZED (
             SELECT m.seq, o.status, o.at, o.error
             FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) AS o(id, status, at, error) JOIN messages m ON m.id = o.id
             WHERE m.status = 'pending' ORDER BY m.id FOR UPDATE OF m
           ),
           recorded AS (
             UPDATE messages m SET status = t.status, sent_at = t.at, reason = t.error, attempts = m.attempts + 1, lease_until = NULL
             FROM target t
             WHERE m.seq = t.seq AND m.status = 'pending'
             RETURNING m.journey_id, m.version, m.node_id, t.status
           )
           INSERT INTO stats (journey_id, version, node_id, metric, count)
           SELECT journey_id, version, node_id, CASE status WHEN 'sent' THEN 'node_sent' ELSE 'node_failed' END AS metric, count(*)
           FROM recorded GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
           ON CONFLICT (journey_id, version, node_id, metric) DO UPDATE SET count = stats.count + excluded.count`,
    values: [list.map((o) => o.id), list.map((o) => o.status), list.map((o) => o.at), list.map((o) => o.error ?? null)],
  });
}

/**
 * One statement: the first click is set under the row's lock, and a concurrent second click re-checks the
 * row as the first left it (clicked), so it changes nothing. True when the message exists.
 */
export async function recordClick(pool: pg.Pool, messageId: string, at: number): Promise<boolean> {
  const { rows } = await pool.query({
    name: 'wm-record-click',
    text: `WITH clicked AS (
             UPDATE messages SET clicked_at = $2 WHERE id = $1 AND clicked_at IS NULL RETURNING 1
           )
           SELECT EXISTS (SELECT 1 FROM clicked) OR EXISTS (SELECT 1 FROM messages WHERE id = $1) AS found`,
    values: [messageId, at],
  });
  return rows[0].found === true;
}
