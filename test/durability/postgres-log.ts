/** What a PostgreSQL schema's message log and events say after a kill -9 run: the facts both such tests check. */
import type { TestSchema } from '../store/postgres-fixture.ts';

export interface DeliveryLog {
  /** (user, node) pairs with more than one message, at most 10 of them: there must be none. */
  duplicates: unknown[];
  /** "user/node" to when it was sent. */
  sent: Map<string, number>;
  /** When each user's conversion reached the server. */
  chargeReceived: Map<string, number>;
  /** node_sent per node, from the counters and from the message log: they must agree. */
  sentCounters: { stats: unknown[]; log: unknown[] };
}

export async function readDeliveryLog(schema: Pick<TestSchema, 'query'>): Promise<DeliveryLog> {
  const duplicates = await schema.query('SELECT user_id, node_id, count(*)::int AS n FROM messages GROUP BY user_id, node_id HAVING count(*) > 1 LIMIT 10');
  const sent = new Map<string, number>();
  for (const row of await schema.query<{ user_id: string; node_id: string; sent_at: number }>("SELECT user_id, node_id, sent_at::float8 AS sent_at FROM messages WHERE status = 'sent'")) {
    sent.set(`${row.user_id}/${row.node_id}`, row.sent_at);
  }
  const chargeReceived = new Map<string, number>();
  for (const row of await schema.query<{ user_id: string; received_at: number }>("SELECT user_id, received_at::float8 AS received_at FROM events WHERE name = 'Charged'")) {
    chargeReceived.set(row.user_id, row.received_at);
  }
  const stats = await schema.query("SELECT node_id, sum(count)::int AS n FROM stats WHERE metric = 'node_sent' GROUP BY node_id ORDER BY node_id");
  const log = await schema.query("SELECT node_id, count(*)::int AS n FROM messages WHERE status = 'sent' GROUP BY node_id ORDER BY node_id");
  return { duplicates, sent, chargeReceived, sentCounters: { stats, log } };
}
