/** The copy assistant's tables: its model's settings (one row) and its audit log, pruned as it grows. */
import type pg from 'pg';
import { decodeCursor, pageOf, type Page, type PageRequest } from '../pages.ts';
import { copyLogEntryOf, type Row } from '../rows.ts';
import type { CopyLogEntry, CopyLogRetention, CopyProviderRecord, NewCopyLogEntry } from '../store.ts';

export async function getCopyProvider(pool: pg.Pool): Promise<CopyProviderRecord | null> {
  const { rows } = await pool.query({ name: 'wm-copy-provider', text: 'SELECT config, updated_at FROM copy_provider WHERE id = 1' });
  const row = rows[0] as Row | undefined;
  return row ? { config: row.config as Record<string, unknown>, updatedAt: Number(row.updated_at) } : null;
}

export async function saveCopyProvider(pool: pg.Pool, config: Record<string, unknown>, now: number): Promise<void> {
  await pool.query({
    name: 'wm-save-copy-provider',
    text: 'INSERT INTO copy_provider (id, config, updated_at) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at',
    values: [JSON.stringify(config), now],
  });
}

export async function removeCopyProvider(pool: pg.Pool): Promise<boolean> {
  const result = await pool.query({ name: 'wm-remove-copy-provider', text: 'DELETE FROM copy_provider WHERE id = 1' });
  return result.rowCount === 1;
}

export async function addCopyLog(pool: pg.Pool, entry: NewCopyLogEntry, keep: CopyLogRetention): Promise<number> {
  const { rows } = await pool.query({
    name: 'wm-add-copy-log',
    text: 'INSERT INTO copy_log (at, outcome, model, request, response, detail) VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq',
    values: [entry.at, entry.outcome, entry.model, JSON.stringify(entry.request), entry.response, entry.detail],
  });
  await pool.query({ name: 'wm-prune-copy-log-age', text: 'DELETE FROM copy_log WHERE at < $1', values: [keep.since] });
  await pool.query({
    name: 'wm-prune-copy-log-count',
    text: 'DELETE FROM copy_log WHERE seq <= (SELECT seq FROM copy_log ORDER BY seq DESC LIMIT 1 OFFSET $1)',
    values: [keep.max],
  });
  return Number(rows[0].seq);
}

export async function copyLogPage(pool: pg.Pool, page: PageRequest): Promise<Page<CopyLogEntry>> {
  const [before] = page.cursor === undefined ? [Number.MAX_SAFE_INTEGER] : decodeCursor(page.cursor, ['number']);
  const { rows } = await pool.query({
    name: 'wm-copy-log-page',
    text: 'SELECT * FROM copy_log WHERE seq < $1 ORDER BY seq DESC LIMIT $2',
    values: [before, page.limit + 1],
  });
  return pageOf((rows as Row[]).map(copyLogEntryOf), page.limit, (e) => [e.seq]);
}
