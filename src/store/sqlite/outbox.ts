/** The outbox: pending messages, the outcomes of sending them, and providers' callbacks. */
import type { DeliveryUpdate, Message, RecordedOutcome } from '../store.ts';
import { addStat } from './apply-changes.ts';
import type { Sql } from './connection.ts';
import { toMessage } from './sqlite-rows.ts';

/**
 * Claims up to `limit` pending messages due at `now` (engine clock), in due order then seq, leasing them for
 * `leaseMs` of wall clock as PostgreSQL does: processes sharing the file (each its own dispatcher) never get
 * one message both, and a lease that runs out (a dispatcher that died) makes it claimable again.
 */
export function pendingMessages(sql: Sql, limit: number, now: number, leaseMs: number): Message[] {
  if (limit <= 0) return [];
  return sql.transaction(() => {
    const wall = Date.now();
    const rows = sql.all(
      `UPDATE messages SET lease_until = ?, claims = claims + 1 WHERE seq IN (
         SELECT seq FROM messages WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
         ORDER BY next_attempt_at, seq LIMIT ?
       ) RETURNING *`,
      wall + leaseMs,
      now,
      wall,
      limit,
    );
    return rows.map(toMessage).sort((a, b) => (a.nextAttemptAt ?? 0) - (b.nextAttemptAt ?? 0) || a.seq - b.seq);
  });
}

/** Each outcome of a message still pending; a final one is counted (a dead letter as a failure). */
export function recordOutcomes(sql: Sql, outcomes: RecordedOutcome[]): void {
  sql.transaction(() => {
    for (const o of outcomes) {
      const retry = o.status === 'retry';
      const row = sql.get(
        `UPDATE messages SET status = ?, sent_at = ?, next_attempt_at = CASE WHEN ? THEN ? ELSE next_attempt_at END, reason = ?,
           attempts = attempts + 1, lease_until = NULL, sending_at = NULL, provider = COALESCE(?, provider), provider_id = COALESCE(?, provider_id)
         WHERE id = ? AND status = 'pending' RETURNING journey_id, version, node_id`,
        retry ? 'pending' : o.status,
        retry ? null : o.at,
        retry ? 1 : 0,
        o.nextAttemptAt ?? o.at,
        o.error ?? null,
        o.provider ?? null,
        o.providerId ?? null,
        o.id,
      );
      if (row && !retry) addStat(sql, row.journey_id as string, row.version as number, row.node_id as string, o.status === 'sent' ? 'node_sent' : 'node_failed', 1);
    }
  });
}

/** See Store.releaseClaims: only a claim still the message's latest is given back. */
export function releaseClaims(sql: Sql, claims: ReadonlyArray<{ id: string; claims: number }>): void {
  if (claims.length === 0) return;
  sql.transaction(() => {
    for (const c of claims) {
      sql.run("UPDATE messages SET lease_until = NULL, claims = claims - 1 WHERE id = ? AND status = 'pending' AND claims = ?", c.id, c.claims);
    }
  });
}

/** A provider's callback: found through messages_by_provider_id; see Store.recordDelivery for which statuses change. */
export function recordDelivery(sql: Sql, u: DeliveryUpdate): boolean {
  return sql.transaction((): boolean => {
    const from = u.status === 'delivered' ? "('sent')" : "('sent', 'delivered')";
    sql.run(`UPDATE messages SET status = ?, reason = ? WHERE provider_id = ? AND provider = ? AND status IN ${from}`, u.status, u.reason, u.providerId, u.provider);
    return sql.get('SELECT 1 FROM messages WHERE provider_id = ? AND provider = ?', u.providerId, u.provider) !== undefined;
  });
}
