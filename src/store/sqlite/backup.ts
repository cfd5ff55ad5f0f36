/**
 * An online backup of the embedded database (SQLite's backup API through better-sqlite3): a consistent copy
 * taken while a server keeps writing. Write-ahead logging lets the copy read while the server commits.
 *
 * SQLite restarts a backup whose source another connection changed between two steps, so a copy in many small
 * steps might never finish under a steady stream of events. Small files are copied in one step; larger ones in
 * twenty (so progress can be shown), and at the first restart the rest goes in one step, which reads a single
 * snapshot without blocking the server's writes.
 *
 * A database split into shards (store/shards/) is copied as of one moment for all its files (backupShards): a
 * merge across shards commits in one file, then the other, so copies of different moments could hold the
 * merged user in neither file, or in both.
 */
import Database from 'better-sqlite3';
import { shardLayout } from './shard-layout.ts';
import { attachShards } from './shard-views.ts';

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

/** How long the copy of a database split into shards waits for the server's write locks, a try. */
const LOCK_WAIT_MS = 2_000;
const LOCK_TRIES = 5;

/**
 * Copies every file of a database split into shards (`sources`, the main file first) to `targets`, as of one
 * moment: a second connection takes the write lock of every file at once (BEGIN IMMEDIATE on a connection with
 * all of them attached), so no commit can land in any; the copying connection then opens its read of each, and
 * the locks go at once. The copies are taken from those reads, which the server's commits meanwhile do not
 * change. The server waits for the locks a moment (the engines' units, a merge across shards); a merge holding
 * one file's lock while it waits for another's makes this try give up and come again, the merge going first.
 */
export async function backupShards(sources: readonly string[], targets: readonly string[], onProgress?: (p: BackupProgress) => void): Promise<{ bytes: number }> {
  const reader = new Database(sources[0]!, { fileMustExist: true, timeout: 5_000 });
  const locker = new Database(sources[0]!, { fileMustExist: true, timeout: LOCK_WAIT_MS });
  try {
    const schemas = attachShards(reader, sources.slice(1));
    attachShards(locker, sources.slice(1));
    for (let attempt = 1; ; attempt++) {
      try {
        locker.exec('BEGIN IMMEDIATE');
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY' || attempt === LOCK_TRIES) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
    reader.exec('BEGIN');
    for (const schema of schemas) reader.prepare(`SELECT count(*) FROM ${schema}.sqlite_master`).get();
    locker.exec('ROLLBACK');
    const pageSize = reader.pragma('page_size', { simple: true }) as number;
    const totals = schemas.map((schema) => (reader.pragma(`${schema}.page_count`, { simple: true }) as number) * pageSize);
    const totalBytes = totals.reduce((a, b) => a + b, 0);
    let before = 0;
    for (const [i, schema] of schemas.entries()) {
      // `attached` names the schema to copy: better-sqlite3 takes it, its types leave it out.
      const options = {
        attached: schema,
        progress({ totalPages, remainingPages }: { totalPages: number; remainingPages: number }) {
          onProgress?.({ totalBytes, copiedBytes: before + (totalPages - remainingPages) * pageSize });
          return Math.max(1, Math.ceil(totalBytes / pageSize / 20));
        },
      };
      await reader.backup(targets[i]!, options as Database.BackupOptions);
      before += totals[i]!;
    }
    reader.exec('COMMIT');
    return { bytes: totalBytes };
  } finally {
    if (locker.inTransaction) locker.exec('ROLLBACK');
    locker.close();
    reader.close();
  }
}

/** How many shards the database of this file was made with (1: one file; store/shards/layout.ts). */
export function shardsOf(file: string): number {
  const db = new Database(file, { fileMustExist: true, readonly: true, timeout: 5_000 });
  try {
    // A file from before migration 026 has no table to read: one file.
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'shard_layout'").get();
    return table ? (shardLayout(db) ?? 1) : 1;
  } finally {
    db.close();
  }
}
