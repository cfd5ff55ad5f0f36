/** The message log with the dashboard's filters, either way round, bounded (see MessageLogQuery). */
import type pg from 'pg';
import type { Row } from '../rows.ts';
import type { MessageLogPage, MessageLogQuery } from '../store.ts';
import { MESSAGE_COLUMNS, toMessage } from './pg-rows.ts';

export type Range = 'user' | 'journey' | 'all';

/**
 * The range, read through one index: messages_by_user, messages_by_journey, or the primary key (seq). A
 * user or journey is bounded on both sides rather than named with `=`, and the order names its column:
 * with `=` the column drops out of the order, and the plan may walk the primary key, filtering, on the
 * guess that the journey's messages are spread evenly through the log. Measured on 100,000 messages whose
 * last 30,000 were one journey's, oldest first with a scan limit of 10,000: with `=` PostgreSQL 15 read
 * 70,000 others first (140 ms); bounded on both sides, only messages_by_journey gives the order, and the
 * plan read 10,000 (21 ms).
 */
const RANGES: Record<Range, { where: string; order: string[] }> = {
  user: { where: 'user_id >= $1 AND user_id <= $1', order: ['user_id', 'seq'] },
  journey: { where: 'journey_id >= $2 AND journey_id <= $2', order: ['journey_id', 'seq'] },
  all: { where: 'true', order: ['seq'] },
};

/**
 * One statement: the horizon, the seq of the `scanLimit`-th message of the range (a walk of the index
 * alone), and the matching messages among the range's first `scanLimit`, each row fetched by its seq (a
 * LATERAL probe, kept apart by OFFSET 0) and only then checked against the filters, which have no index:
 * a plan may not read the rows through another index (a custom plan sees `journey_id = 'x'` and could
 * otherwise read the journey's messages, any number of them). The horizon comes back on every row (on a
 * row of nulls when nothing matched).
 */
export function messageLogStatement(range: Range, newest: boolean): string {
  const [cmp, dir] = newest ? ['<', 'DESC'] : ['>', 'ASC'];
  const { where, order } = RANGES[range];
  const sorted = (table: string) => order.map((c) => `${table}${c} ${dir}`).join(', ');
  const walk = `FROM messages WHERE ${where} AND seq ${cmp} $6 ORDER BY ${sorted('')}`;
  return `
    SELECT h.horizon, m.* FROM (SELECT (SELECT seq ${walk} LIMIT 1 OFFSET $7) AS horizon) AS h
    LEFT JOIN LATERAL (
      SELECT x.* FROM (SELECT ${order.join(', ')} ${walk} LIMIT $7 + 1) AS w
      CROSS JOIN LATERAL (SELECT ${MESSAGE_COLUMNS} FROM messages WHERE seq = w.seq OFFSET 0) AS x
      WHERE ($1::text IS NULL OR x.user_id = $1) AND ($2::text IS NULL OR x.journey_id = $2) AND ($3::text IS NULL OR x.node_id = $3)
        AND ($4::text IS NULL OR x.status = $4) AND ($5::text IS NULL OR x.channel = $5)
      ORDER BY ${sorted('w.')} LIMIT $8
    ) AS m ON true
    ORDER BY m.seq ${dir}`;
}

export async function messageLog(pool: pg.Pool, q: MessageLogQuery): Promise<MessageLogPage> {
  const range: Range = q.userId !== undefined ? 'user' : q.journeyId !== undefined ? 'journey' : 'all';
  const newest = q.order === 'newest';
  const { rows } = await pool.query({
    name: `wm-message-log-${range}-${q.order}`,
    text: messageLogStatement(range, newest),
    values: [q.userId ?? null, q.journeyId ?? null, q.nodeId ?? null, q.status ?? null, q.channel ?? null, q.from ?? (newest ? Number.MAX_SAFE_INTEGER : 0), q.scanLimit - 1, q.limit + 1],
  });
  const horizon = ((rows as Row[])[0]?.horizon as number | null | undefined) ?? null;
  const found = (rows as Row[]).filter((r) => r.seq !== null);
  const messages = found.slice(0, q.limit).map(toMessage);
  if (found.length > q.limit) return { messages, scannedTo: messages.at(-1)!.seq, more: true };
  if (horizon !== null) return { messages, scannedTo: horizon, more: true };
  return { messages, scannedTo: messages.at(-1)?.seq ?? null, more: false };
}
