/**
 * Checkpoints in a thread of their own, for the connection that writes the file (the engine's).
 *
 * A checkpoint copies the pages of the write-ahead log into the file and syncs it to disk. Left to SQLite, it
 * runs inside a commit of the writer every 1,000 pages (4 MB) of log, and that commit then waits on the disk:
 * on the abandoned-cart bench at 4,000 carts/s the engine's thread spent a fifth of its time blocked on writes
 * and syncs, fell seconds behind, and the machine was half idle (bench/RESULTS.md, 2026-12-05). Here a thread
 * copies the log once a second.
 *
 * The log starts over from its beginning only after a checkpoint has copied all of it, and a background copy
 * never catches a writer that never pauses (without a restart the log grew to 2 GB in 20 s). So once the log
 * reaches 1 GB, the thread syncs the pages it copied, copies again what came meanwhile, and hands over
 * (checkpoint-thread.ts): the writer copies the little left, between two of its transactions (finishCopy), and
 * its next commit starts the log over. Under sustained load the log's file stays at 1-1.4 GB. The writer
 * still checkpoints itself at 2 GB of log, as a backstop, should the thread never hand over. A writer that
 * pauses for a second finds the whole log copied by the thread, and its next commit starts the log over, so a
 * quiet server keeps a short one.
 */
import type Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';
import { threadEntry } from '../thread-entry.ts';
import type { CheckpointPace } from './checkpoint-pace.ts';

export interface CheckpointThreadConfig {
  file: string;
  pace: CheckpointPace;
  /** One Int32: 1 once the thread has handed the rest of the log over to the writer, 0 again once it copied it. */
  handedOver: SharedArrayBuffer;
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
/** Where the thread hands over, in pages of 4 KB: 1 GB of log, every 7 s or so at 9,000 carts/s. */
const HANDOVER_PAGES = 262_144;

export class Checkpointer {
  private readonly ended: Promise<void>;

  private constructor(
    private readonly worker: Worker,
    private readonly writer: Database.Database,
    private readonly handedOver: Int32Array,
  ) {
    // Watched from the start: a thread that died early has already sent its 'exit'.
    this.ended = new Promise((resolve) => worker.once('exit', () => resolve()));
  }

  /**
   * Starts checkpointing `file` in a thread, and moves `writer`'s own checkpoints to the backstop. `logPages`
   * is where the thread hands over (tests make it small).
   */
  static start(writer: Database.Database, file: string, onError: (error: Error) => void, logPages = HANDOVER_PAGES): Checkpointer {
    const backstopPages = 2 * logPages;
    writer.pragma(`wal_autocheckpoint = ${backstopPages}`);
    // The log is reused from its start after each restart, so its file is kept at the size it reached: cut back
    // to 1 GB, it grew again from there each time (935 errors at 4,000 carts/s where keeping it had none). Only
    // a log that outgrew the backstop is cut back to it.
    writer.pragma(`journal_size_limit = ${backstopPages * 4096}`);
    const handedOver = new SharedArrayBuffer(4);
    // Near the handover the thread copies every 50 ms, so it leaves itself little to catch up (checkpoint-pace.ts).
    const pace: CheckpointPace = { intervalMs: INTERVAL_MS, nearIntervalMs: 50, handoverFrames: logPages };
    const config: CheckpointThreadConfig = { file, pace, handedOver };
    const worker = new Worker(threadEntry(import.meta.url, 'checkpoint-thread'), { workerData: config });
    worker.on('message', (m: { error: string }) => onError(new Error(`background checkpoint: ${m.error}`)));
    worker.on('error', onError);
    worker.unref();
    return new Checkpointer(worker, writer, new Int32Array(handedOver));
  }

  /**
   * Called by the writer before each transaction: once the thread has handed over, copies the rest of the log
   * into the file and syncs it, so the transaction starts the log over. At 4,000 carts/s this took the engine's
   * thread 12-39 ms in the first minutes and 48-99 ms in the fifth, every 7 s, where the backstop's checkpoint,
   * inside a commit, took 87-162 and 394-540 ms (bench/RESULTS.md, 2026-12-07).
   */
  finishCopy(): void {
    if (Atomics.load(this.handedOver, 0) === 0) return;
    try {
      this.writer.pragma('wal_checkpoint(PASSIVE)');
    } finally {
      // Given back once done, and also if it failed (the disk): that fails this transaction, not every one after
      // it, and the thread hands over again. Not before: the thread would copy beside the writer meanwhile.
      Atomics.store(this.handedOver, 0, 0);
    }
  }

  /** Stops the thread and waits for it to close its connection (at once if it has ended already). */
  async stop(): Promise<void> {
    this.worker.ref(); // unreferenced, the thread would not keep this process up while it ends
    this.worker.postMessage('stop');
    await this.ended;
  }
}
