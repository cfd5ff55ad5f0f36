/**
 * SQLite only, for simulate's output files: one status of the message log, streamed in the order asked for.
 * SQLite sorts on disk when it must, so memory stays flat however long the log. The rows come through an open
 * statement: use them synchronously (no await while iterating), as the connection is busy until it ends.
 */
import type { Channel } from '../../core/channels.ts';
import type { MessageStatus } from '../store.ts';
import type { SqliteStore } from './sqlite-store.ts';

/**
 * The columns an output line needs, the content as the JSON text it is stored as: written out as it is, it
 * is the same text JSON.stringify would give its parse (it was written by JSON.stringify), without either
 * (at 100,000 users, 165,000 sends: see bench/RESULTS.md).
 */
export interface ExportedMessage {
  userId: string;
  journeyId: string;
  nodeId: string;
  channel: Channel;
  reason: string | null;
  createdAt: number;
  sentAt: number | null;
  contentJson: string | null;
}

const ORDER = { seq: 'seq', sentAt: 'sent_at, seq' } as const;

export function* exportMessages(store: SqliteStore, status: MessageStatus, order: keyof typeof ORDER): Generator<ExportedMessage> {
  // Rows as arrays, each made an object here: better-sqlite3 builds an object a row from C++ at about twice the
  // cost (see Sql.raw).
  const rows = store.db
    .prepare(`SELECT user_id, journey_id, node_id, channel, reason, created_at, sent_at, content FROM messages WHERE status = ? ORDER BY ${ORDER[order]}`)
    .raw(true)
    .iterate(status) as Iterable<unknown[]>;
  for (const r of rows) {
    yield { userId: r[0] as string, journeyId: r[1] as string, nodeId: r[2] as string, channel: r[3] as Channel, reason: r[4] as string | null, createdAt: r[5] as number, sentAt: r[6] as number | null, contentJson: r[7] as string | null };
  }
}
