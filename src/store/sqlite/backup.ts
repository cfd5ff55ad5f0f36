/**
 * An online backup of the embedded database (SQLite's backup API through better-sqlite3): a consistent copy
 * taken while a server keeps writing. Write-ahead logging lets the copy read while the server commits.
 *
 * SQLite restarts a backup whose source another connection changed between two steps, so a copy in many small
 * steps might never finish under a steady stream of events. Small files are copied in one step; larger ones in
 * twenty (so progress can be shown), and at the first restart the rest goes in one step, which reads a single
 * snapshot without blocking the server's writes.
 */
import Database from 'better-sqlite3';

export interface BackupProgress {
  totalBytes: number;
  copiedBytes: number;
}

/** Below this, one step: no progress to show. */
const ONE_STEP_BYTES = 64 * 1024 * 1024;
const ALL = 0x7fffffff;

export async function backupSqlite(source: string, target: string, onProgress?: (p: BackupProgress) => void): Promise<{ bytes: number }> {
  const db = new Database(source, { fileMustExist: true, timeout: 5_000 });
  try {
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    let lastRemaining = Infinity;
    const result = await db.backup(target, {
      progress({ totalPages, remainingPages }) {
        const restarted = remainingPages > lastRemaining;
        lastRemaining = remainingPages;
        if (totalPages * pageSize < ONE_STEP_BYTES || restarted) return ALL;
        onProgress?.({ totalBytes: totalPages * pageSize, copiedBytes: (totalPages - remainingPages) * pageSize });
        return Math.ceil(totalPages / 20);
      },
    });
    return { bytes: result.totalPages * pageSize };
  } finally {
    db.close();
  }
}

/** How many shards the database of this file was made with (1: one file; store/shards/layout.ts). */
export function shardsOf(file: string): number {
  const db = new Database(file, { fileMustExist: true, readonly: true, timeout: 5_000 });
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'shard_layout'").get();
    return table ? ((db.prepare('SELECT shards FROM shard_layout WHERE id = 1').get() as { shards: number } | undefined)?.shards ?? 1) : 1;
  } finally {
    db.close();
  }
}
