/**
 * Checkpoints in a thread of their own, for the connection that writes the file (the engine's).
 *
 * A checkpoint copies the pages of the write-ahead log into the file and syncs it to disk. Left to SQLite, it
 * runs inside a commit of the writer every 1,000 pages (4 MB) of log, and that commit then waits on the disk:
 * on the abandoned-cart bench at 4,000 carts/s the engine's thread spent a fifth of its time blocked on writes
 * and syncs, fell seconds behind, and the machine was half idle (bench/RESULTS.md, 2026-12-05). Here a thread
 * copies the log once a second; the writer still checkpoints itself, as a backstop, once the log reaches 1 GB,
 * and then finds copied already all but what came since the thread's last copy began (the thread copies every
 * 50 ms near the backstop: checkpoint-pace.ts). That checkpoint is also what starts the log over from its
 * beginning: a background checkpoint never catches a writer that never pauses, and without it the log grew to
 * 2 GB in 20 s. So under sustained load the log's file is about 1 GB. A writer that pauses for a second finds
 * the whole log copied by the thread, and its next commit starts the log over, so a quiet server keeps a short
 * one.
 */
import type Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';
import { threadEntry } from '../thread-entry.ts';
import type { CheckpointPace } from './checkpoint-pace.ts';

export interface CheckpointThreadConfig {
  file: string;
  pace: CheckpointPace;
}

/**
 * Once a second. A page changed many times in that second (a table's last page, an index's busiest) is copied
 * once, where every 50 ms copied it up to twenty times: at 3,500 carts/s for 60 s the server wrote 22% fewer
 * bytes to the disk and used 13% less CPU, and the most it holds for 20 s rose from 8,000 carts/s to 9,000
 * (bench/RESULTS.md, 2026-12-07). Against a backstop of 64 MB, reached every half second, copying less often
 * had failed 4,000 carts/s (at 250 and 500 ms): the writer's own checkpoint did the copying. At 2 s, 9,000
 * failed once.
 */
const INTERVAL_MS = 1_000;
/** The writer's own checkpoint, in pages of 4 KB: 1 GB of log, every 7 s or so at 9,000 carts/s. */
const BACKSTOP_PAGES = 262_144;
/** Near the backstop the thread copies every 50 ms, so it leaves the writer little (checkpoint-pace.ts). */
const PACE: CheckpointPace = { intervalMs: INTERVAL_MS, nearIntervalMs: 50, backstopFrames: BACKSTOP_PAGES };

export class Checkpointer {
  private readonly ended: Promise<void>;

  private constructor(private readonly worker: Worker) {
    // Watched from the start: a thread that died early has already sent its 'exit'.
    this.ended = new Promise((resolve) => worker.once('exit', () => resolve()));
  }

  /** Starts checkpointing `file` in a thread, and moves `writer`'s own checkpoints to the backstop. */
  static start(writer: Database.Database, file: string, onError: (error: Error) => void): Checkpointer {
    writer.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    // The log is reused from its start after each backstop, so its file is kept at the size it reached: cut back
    // to the backstop's size, it grew again from there after each one (935 errors at 4,000 carts/s where keeping
    // it had none). Only a log that outgrew twice that is cut back.
    writer.pragma(`journal_size_limit = ${2 * BACKSTOP_PAGES * 4096}`);
    const config: CheckpointThreadConfig = { file, pace: PACE };
    const worker = new Worker(threadEntry(import.meta.url, 'checkpoint-thread'), { workerData: config });
    worker.on('message', (m: { error: string }) => onError(new Error(`background checkpoint: ${m.error}`)));
    worker.on('error', onError);
    worker.unref();
    return new Checkpointer(worker);
  }

  /** Stops the thread and waits for it to close its connection (at once if it has ended already). */
  async stop(): Promise<void> {
    this.worker.ref(); // unreferenced, the thread would not keep this process up while it ends
    this.worker.postMessage('stop');
    await this.ended;
  }
}
