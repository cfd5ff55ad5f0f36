/**
 * The entry of the checkpointer's thread (checkpointer.ts): its own connection to the file, copying what the
 * write-ahead log holds into the file at the pace of checkpoint-pace.ts, without waiting for readers or the
 * writer (PASSIVE). Once the log reaches the handover point, it syncs what it copied, catches up, and hands the
 * rest to the writer (`handedOver`), which copies it between two of its transactions so the log starts over.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { nextCopyInMs } from './checkpoint-pace.ts';
import type { CheckpointThreadConfig } from './checkpointer.ts';
import { loadWalBatch } from './wal-batch.ts';

/**
 * A sync takes longer the more pages the copies left, and the writer goes on committing meanwhile, so each round
 * leaves the next less: at 4,000 carts/s in the third minute, four rounds took 230-360, 170-230, 110-140 and
 * 60-110 ms, and the writer's part then 57-110 ms (bench/RESULTS.md, 2026-12-07). Four rounds at most, and no
 * more once one takes under 20 ms.
 */
const CATCH_UP_ROUNDS = 4;
const CAUGHT_UP_MS = 20;

const { file, pace, handedOver: flag } = workerData as CheckpointThreadConfig;
const handedOver = new Int32Array(flag);
loadWalBatch(); // syncs the file on request (PRAGMA waymark_sync_file); without it, the writer syncs it all
const db = new Database(file, { fileMustExist: true });
let framesBefore = 0;
let before = performance.now();

const copyLog = () => (db.pragma('wal_checkpoint(PASSIVE)') as [{ log: number }])[0].log;
const syncFile = () => db.pragma('waymark_sync_file', { simple: true }) === 'synced';

/** Syncs what the copies left and copies what came meanwhile, until little is left for the writer. */
function catchUp(): void {
  for (let round = 0; round < CATCH_UP_ROUNDS; round++) {
    const start = performance.now();
    if (round > 0) copyLog();
    if (!syncFile() || performance.now() - start < CAUGHT_UP_MS) return;
  }
}

function copy(): void {
  let delay = pace.intervalMs;
  try {
    // Handed over: the writer has yet to copy the rest and start the log over.
    if (Atomics.load(handedOver, 0) === 0) {
      const log = copyLog();
      if (log >= pace.handoverFrames) {
        catchUp();
        Atomics.store(handedOver, 0, 1);
      }
      const now = performance.now();
      delay = nextCopyInMs(pace, { frames: log, framesBefore, elapsedMs: now - before });
      framesBefore = log;
      before = now;
    }
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
