/**
 * One server per SQLite file. SQLite itself would let a second process open the file, and the two engines
 * would then fire the same timers and send the same messages; so `waymark serve` takes this lock first and a
 * second server on the file is refused at start with a clear message.
 *
 * The lock is SQLite's own exclusive lock on a companion file (`<file>-lock`), held by an open transaction
 * for as long as the server runs: the operating system drops it when the process ends, however it ends
 * (kill -9 included), so a crash never leaves a stale lock behind. It is a lock between processes: the
 * engine's thread of the same server opens the database, never the lock.
 */
import Database from 'better-sqlite3';

export interface FileLock {
  release(): void;
}

export class FileInUseError extends Error {}

export function lockDatabaseFile(file: string): FileLock {
  const lock = new Database(`${file}-lock`, { timeout: 0 });
  try {
    lock.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    lock.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new FileInUseError(
        `${file} is in use by another Waymark server: the embedded store serves one process. Stop the other server, ` +
          'give this one another --db file, or use PostgreSQL (--database postgres://...) to run several processes.',
      );
    }
    throw error;
  }
  return {
    release() {
      if (lock.open) lock.close();
    },
  };
}
