/**
 * The SQLite log shim (native/wal-batch.c), loaded once per process as SQLite's default VFS: every file opened
 * after it writes its write-ahead log a call per 128 KB instead of two calls a frame (a call costs 3-7 µs on a
 * virtual machine whatever its size: docs/performance.md), and syncs a database file when asked (PRAGMA
 * waymark_sync_file, for checkpoint-thread.ts). Built by `npm run build` (scripts/build-native.mjs) where a C
 * compiler is found; without it files are opened as before.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where scripts/build-native.mjs puts the shim, from src/store/sqlite or dist/store/sqlite alike. */
export const WAL_BATCH_LIBRARY = fileURLToPath(new URL('../../../native/build/wal_batch.so', import.meta.url));

let loaded: boolean | undefined;

/**
 * Loads the shim if it is built and not turned off (WAYMARK_WAL_BATCH=off); says whether files opened from now
 * on batch their log's writes. A shim that is built but fails to load is an error, not a silent slowdown.
 */
export function loadWalBatch(): boolean {
  if (loaded !== undefined) return loaded;
  const wanted = process.env.WAYMARK_WAL_BATCH !== 'off' && existsSync(WAL_BATCH_LIBRARY);
  if (wanted) {
    const db = new Database(':memory:');
    try {
      db.loadExtension(WAL_BATCH_LIBRARY); // its entry point, sqlite3_walbatch_init, comes from the file's name
    } finally {
      db.close();
    }
  }
  loaded = wanted;
  return loaded;
}
