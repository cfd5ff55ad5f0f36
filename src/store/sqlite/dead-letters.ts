/**
 * Dead letters sent again: the dead messages a filter matches, read through messages_dead (the dead ones only,
 * oldest first), made pending in one transaction, their failures taken back from their nodes' stats.
 */
import { MAX_REQUEUE, type DeadLetterFilter } from '../store.ts';
import { addStat } from './apply-changes.ts';
import type { Sql } from './connection.ts';

/** The seqs of the dead letters a filter matches, oldest first, at most `cap`; and its parameters. */
function picked(filter: DeadLetterFilter, cap: number): { select: string; params: Record<string, unknown> } {
  if ('ids' in filter) {
    return {
      select: `SELECT seq FROM messages WHERE status = 'dead' AND id IN (SELECT value FROM json_each(@ids)) ORDER BY seq LIMIT @cap`,
      params: { ids: JSON.stringify(filter.ids), cap },
    };
  }
  // A field left out matches every message; status = 'dead' as a constant keeps the read on messages_dead.
  return {
    select: `SELECT seq FROM messages WHERE status = 'dead'
               AND (@journeyId IS NULL OR journey_id = @journeyId) AND (@nodeId IS NULL OR node_id = @nodeId)
               AND (@userId IS NULL OR user_id = @userId) AND (@channel IS NULL OR channel = @channel)
               AND (@since IS NULL OR created_at >= @since) AND (@until IS NULL OR created_at < @until)
             ORDER BY seq LIMIT @cap`,
    params: {
      journeyId: filter.journeyId ?? null,
      nodeId: filter.nodeId ?? null,
      userId: filter.userId ?? null,
      channel: filter.channel ?? null,
      since: filter.since ?? null,
      until: filter.until ?? null,
      cap,
    },
  };
}

/** `cap`: MAX_REQUEUE, or what is left of it for a shard after the others (store/shards/). */
export function requeueDeadMessages(sql: Sql, filter: DeadLetterFilter, now: number, cap = MAX_REQUEUE): number {
  const { select, params } = picked(filter, cap);
  return sql.transaction(() => {
    const rows = sql.all(
      `UPDATE messages SET status = 'pending', attempts = 0, claims = 0, next_attempt_at = @now, sent_at = NULL, lease_until = NULL, sending_at = NULL
       WHERE seq IN (${select}) RETURNING journey_id, version, node_id`,
      { ...params, now },
    );
    // Each was counted a failure when it died; its next final outcome counts instead.
    const byNode = new Map<string, { journeyId: string; version: number; nodeId: string; n: number }>();
    for (const r of rows) {
      const key = JSON.stringify([r.journey_id, r.version, r.node_id]);
      const entry = byNode.get(key) ?? { journeyId: r.journey_id as string, version: r.version as number, nodeId: r.node_id as string, n: 0 };
      entry.n += 1;
      byNode.set(key, entry);
    }
    for (const e of byNode.values()) addStat(sql, e.journeyId, e.version, e.nodeId, 'node_failed', -e.n);
    return rows.length;
  });
}

export function countDeadMessages(sql: Sql, filter: DeadLetterFilter): number {
  const { select, params } = picked(filter, MAX_REQUEUE);
  return sql.get(`SELECT count(*) AS n FROM (${select})`, params)!.n as number;
}
