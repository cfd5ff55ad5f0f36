/** The message log with the dashboard's filters, either way round, bounded (see MessageLogQuery). */
import type { MessageLogPage, MessageLogQuery } from '../store.ts';
import type { Sql } from './connection.ts';
import { toMessage } from './sqlite-rows.ts';

export type Range = 'user' | 'journey' | 'all';

/** The range, read through one index: messages_by_user, messages_by_journey, or the rowid (seq). */
const RANGES: Record<Range, string> = { user: 'user_id = @userId', journey: 'journey_id = @journeyId', all: '1 = 1' };

/**
 * Two statements, one synchronous read: the horizon, the seq of the `scanLimit`-th message of the range
 * (a walk of the index alone: seq is in it), then the matching messages up to it, the horizon bounding the
 * index range. The filters without an index are checked on the rows of that stretch only.
 */
export function messageLogStatements(range: Range, newest: boolean): { horizon: string; rows: string } {
  const [cmp, upTo, dir] = newest ? ['<', '>=', 'DESC'] : ['>', '<=', 'ASC'];
  const where = `${RANGES[range]} AND seq ${cmp} @from`;
  return {
    horizon: `SELECT seq FROM messages WHERE ${where} ORDER BY seq ${dir} LIMIT 1 OFFSET @skip`,
    rows: `SELECT * FROM messages WHERE ${where} AND seq ${upTo} @horizon
             AND (@userId IS NULL OR user_id = @userId) AND (@journeyId IS NULL OR journey_id = @journeyId)
             AND (@nodeId IS NULL OR node_id = @nodeId) AND (@status IS NULL OR status = @status) AND (@channel IS NULL OR channel = @channel)
           ORDER BY seq ${dir} LIMIT @rows`,
  };
}

export function messageLog(sql: Sql, q: MessageLogQuery): MessageLogPage {
  const newest = q.order === 'newest';
  const range: Range = q.userId !== undefined ? 'user' : q.journeyId !== undefined ? 'journey' : 'all';
  const statements = messageLogStatements(range, newest);
  const params = {
    userId: q.userId ?? null,
    journeyId: q.journeyId ?? null,
    nodeId: q.nodeId ?? null,
    status: q.status ?? null,
    channel: q.channel ?? null,
    from: q.from ?? (newest ? Number.MAX_SAFE_INTEGER : 0),
    skip: q.scanLimit - 1,
    rows: q.limit + 1,
  };
  const horizon = sql.get(statements.horizon, params)?.seq as number | undefined;
  // Without a horizon the range ends before the scan limit; the bound is then the far end of every seq.
  const rows = sql.all(statements.rows, { ...params, horizon: horizon ?? (newest ? 0 : Number.MAX_SAFE_INTEGER) });
  const messages = rows.slice(0, q.limit).map(toMessage);
  if (rows.length > q.limit) return { messages, scannedTo: messages.at(-1)!.seq, more: true };
  if (horizon !== undefined) return { messages, scannedTo: horizon, more: true };
  return { messages, scannedTo: messages.at(-1)?.seq ?? null, more: false };
}
