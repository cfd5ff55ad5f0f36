/**
 * The entry of the checkpointer's thread (checkpointer.ts): its own connection to the file, copying what the
 * write-ahead log holds into the file every `intervalMs`, without waiting for readers or the writer (PASSIVE).
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckpointThreadConfig } from './checkpointer.ts';

const { file, intervalMs } = workerData as CheckpointThreadConfig;
const db = new Database(file, { fileMustExist: true });
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    parentPort!.postMessage({ error: (error as Error).message });
  }
}, intervalMs);

parentPort!.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort!.close();
});
