/** The copy assistant's tables: its model's settings (one row) and its audit log, pruned as it grows. */
import { decodeCursor, pageOf, type Page, type PageRequest } from '../pages.ts';
import { copyLogEntryOf } from '../rows.ts';
import type { CopyLogEntry, CopyLogRetention, CopyProviderRecord, NewCopyLogEntry } from '../store.ts';
import type { Sql } from './connection.ts';

export function getCopyProvider(sql: Sql): CopyProviderRecord | null {
  const row = sql.get('SELECT config, updated_at FROM copy_provider WHERE id = 1');
  return row ? { config: JSON.parse(row.config as string), updatedAt: row.updated_at as number } : null;
}

export function saveCopyProvider(sql: Sql, config: Record<string, unknown>, now: number): void {
  sql.run(
    'INSERT INTO copy_provider (id, config, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at',
    JSON.stringify(config),
    now,
  );
}

export function removeCopyProvider(sql: Sql): boolean {
  return sql.run('DELETE FROM copy_provider WHERE id = 1').changes === 1;
}

export function addCopyLog(sql: Sql, entry: NewCopyLogEntry, keep: CopyLogRetention): number {
  const result = sql.run(
    'INSERT INTO copy_log (at, outcome, model, request, response, detail) VALUES (?, ?, ?, ?, ?, ?)',
    entry.at,
    entry.outcome,
    entry.model,
    JSON.stringify(entry.request),
    entry.response,
    entry.detail,
  );
  sql.run('DELETE FROM copy_log WHERE at < ?', keep.since);
  sql.run('DELETE FROM copy_log WHERE seq <= (SELECT seq FROM copy_log ORDER BY seq DESC LIMIT 1 OFFSET ?)', keep.max);
  return Number(result.lastInsertRowid);
}

export function copyLogPage(sql: Sql, page: PageRequest): Page<CopyLogEntry> {
  const [before] = page.cursor === undefined ? [Number.MAX_SAFE_INTEGER] : decodeCursor(page.cursor, ['number']);
  const rows = sql.all('SELECT * FROM copy_log WHERE seq < ? ORDER BY seq DESC LIMIT ?', before, page.limit + 1).map(copyLogEntryOf);
  return pageOf(rows, page.limit, (e) => [e.seq]);
}
