/**
 * SQLite only, for simulate's output files: one status of the message log, streamed in the order asked for.
 * SQLite sorts on disk when it must, so memory stays flat however long the log. The rows come through an open
 * statement: use them synchronously (no await while iterating), as the connection is busy until it ends.
 */
import { rowMappers, type Row } from '../rows.ts';
import type { Message, MessageStatus } from '../store.ts';
import type { SqliteStore } from './sqlite-store.ts';

const { message: toMessage } = rowMappers((value) => JSON.parse(value as string));

const ORDER = { seq: 'seq', sentAt: 'sent_at, seq' } as const;

export function* exportMessages(store: SqliteStore, status: MessageStatus, order: keyof typeof ORDER): Generator<Message> {
  const rows = store.db.prepare(`SELECT * FROM messages WHERE status = ? ORDER BY ${ORDER[order]}`).iterate(status);
  for (const row of rows) yield toMessage(row as Row);
}
