/**
 * The entry of the checkpointer's thread (checkpointer.ts): its own connection to the file, copying what the
 * write-ahead log holds into the file at the pace of checkpoint-pace.ts, without waiting for readers or the
 * writer (PASSIVE).
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { nextCopyInMs } from './checkpoint-pace.ts';
import type { CheckpointThreadConfig } from './checkpointer.ts';

const { file, pace } = workerData as CheckpointThreadConfig;
const db = new Database(file, { fileMustExist: true });
let framesBefore = 0;
let before = performance.now();

function copy(): void {
  let delay = pace.intervalMs;
  try {
    const [{ log }] = db.pragma('wal_checkpoint(PASSIVE)') as [{ log: number }];
    const now = performance.now();
    delay = nextCopyInMs(pace, { frames: log, framesBefore, elapsedMs: now - before });
    framesBefore = log;
    before = now;
  } catch (error) {
    parentPort!.postMessage({ error: (error as Error).message });
  }
  timer = setTimeout(copy, delay);
}
let timer = setTimeout(copy, pace.intervalMs);

parentPort!.on('message', () => {
  clearTimeout(timer);
  db.close();
  parentPort!.close();
});
