/**
 * The outbox: the messages units of work leave pending, claimed by dispatchers under a lease (lease_until,
 * on the database clock) so that two do not send one message at the same time, and an expired lease (a dead
 * dispatcher) makes the message claimable again; then their send outcomes.
 */
import type pg from 'pg';
import type { DeliveryUpdate, Message, RecordedOutcome } from '../store.ts';
import type { Row } from '../rows.ts';
import { compare } from './locks.ts';
import { MESSAGE_COLUMNS, toMessage } from './pg-rows.ts';

/**
 * Claims up to `limit` pending messages due at `now` (engine clock), in due order then seq, for this caller:
 * they are leased for `leaseMs` on the database clock, during which no other call returns them.
 * recordOutcomes ends the lease; a lease that runs out (its dispatcher died) makes the message claimable
 * again, so delivery is at least once (the message id is the idempotency key a receiver dedupes on).
 */
export async function pendingMessages(pool: pg.Pool, limit: number, now: number, leaseMs: number): Promise<Message[]> {
  if (limit <= 0) return [];
  const { rows } = await pool.query({
    name: 'wm-claim-pending',
    text: `WITH claim AS MATERIALIZED (
             SELECT seq FROM messages
             WHERE status = 'pending' AND next_attempt_at <= $3
               AND (lease_until IS NULL OR lease_until < (extract(epoch FROM statement_timestamp()) * 1000)::bigint)
             ORDER BY next_attempt_at, seq LIMIT $1 FOR UPDATE SKIP LOCKED
           )
           UPDATE messages m SET lease_until = (extract(epoch FROM statement_timestamp()) * 1000)::bigint + $2, claims = m.claims + 1
           WHERE m.seq = ANY (ARRAY(SELECT seq FROM claim))
           RETURNING ${MESSAGE_COLUMNS.split(', ').map((c) => `m.${c}`).join(', ')}`,
    values: [limit, leaseMs, now],
  });
  return (rows as Row[]).map(toMessage).sort((a, b) => (a.nextAttemptAt ?? 0) - (b.nextAttemptAt ?? 0) || a.seq - b.seq);
}

export async function recordOutcomes(pool: pg.Pool, outcomes: RecordedOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  // The first outcome of a message counts, as when they are applied one by one.
  const firsts = new Map<string, RecordedOutcome>();
  for (const o of outcomes) if (!firsts.has(o.id)) firsts.set(o.id, o);
  const list = [...firsts.values()].sort((a, b) => compare(a.id, b.id));
  // One statement: only messages still pending change (idempotent), and each final outcome is counted (a
  // dead letter as a failure); a retry stays pending, due again at next_attempt_at, and counts nowhere yet.
  await pool.query({
    name: 'wm-record-outcomes',
    text: `WITH target AS MATERIALIZED (
             SELECT m.seq, o.status, o.at, o.error, o.next_at, o.provider, o.provider_id
             FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::text[], $7::text[]) AS o(id, status, at, error, next_at, provider, provider_id)
               JOIN messages m ON m.id = o.id
             WHERE m.status = 'pending' ORDER BY m.id FOR UPDATE OF m
           ),
           recorded AS (
             UPDATE messages m SET
               status = CASE t.status WHEN 'retry' THEN 'pending' ELSE t.status END,
               sent_at = CASE t.status WHEN 'retry' THEN NULL ELSE t.at END,
               next_attempt_at = CASE t.status WHEN 'retry' THEN t.next_at ELSE m.next_attempt_at END,
               reason = t.error, attempts = m.attempts + 1, lease_until = NULL, sending_at = NULL, provider = COALESCE(t.provider, m.provider),
               provider_id = COALESCE(t.provider_id, m.provider_id)
             FROM target t
             WHERE m.seq = t.seq AND m.status = 'pending'
             RETURNING m.journey_id, m.version, m.node_id, t.status
           )
           INSERT INTO stats (journey_id, version, node_id, metric, count)
           SELECT journey_id, version, node_id, CASE status WHEN 'sent' THEN 'node_sent' ELSE 'node_failed' END AS metric, count(*)
           FROM recorded WHERE status <> 'retry' GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
           ON CONFLICT (journey_id, version, node_id, metric) DO UPDATE SET count = stats.count + excluded.count`,
    values: [
      list.map((o) => o.id),
      list.map((o) => o.status),
      list.map((o) => o.at),
      list.map((o) => o.error ?? null),
      list.map((o) => (o.status === 'retry' ? (o.nextAttemptAt ?? o.at) : null)),
      list.map((o) => o.provider ?? null),
      list.map((o) => o.providerId ?? null),
    ],
  });
}

/** A provider's callback: found through messages_by_provider_id; see Store.recordDelivery for which statuses change. */
export async function recordDelivery(pool: pg.Pool, u: DeliveryUpdate): Promise<boolean> {
  const { rows } = await pool.query({
    name: 'wm-record-delivery',
    text: `WITH changed AS (
             UPDATE messages SET status = $3, reason = $4
             WHERE provider_id = $1 AND provider = $2 AND (status = 'sent' OR ($3 = 'failed' AND status = 'delivered'))
             RETURNING 1
           )
           SELECT EXISTS (SELECT 1 FROM changed) OR EXISTS (SELECT 1 FROM messages WHERE provider_id = $1 AND provider = $2) AS found`,
    values: [u.providerId, u.provider, u.status, u.reason],
  });
  return rows[0].found === true;
}

/** See Store.releaseClaims: only a claim still the message's latest is given back; one statement. */
export async function releaseClaims(pool: pg.Pool, claims: ReadonlyArray<{ id: string; claims: number }>): Promise<void> {
  if (claims.length === 0) return;
  await pool.query({
    name: 'wm-release-claims',
    text: `UPDATE messages m SET lease_until = NULL, claims = m.claims - 1
           FROM unnest($1::text[], $2::int[]) AS c(id, claims)
           WHERE m.id = c.id AND m.status = 'pending' AND m.claims = c.claims`,
    values: [claims.map((c) => c.id), claims.map((c) => c.claims)],
  });
}
