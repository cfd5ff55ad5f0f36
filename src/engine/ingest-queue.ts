/**
 * Group commit for incoming events: calls made within the same moment share one unit of work, because a
 * commit costs about as much as a few dozen rows, so under load this is what keeps throughput up. Sharing
 * must not make callers answer for each other: when a shared unit fails, each call is tried again as a unit of
 * its own, so only a call whose own events fail gets the error.
 *
 * Identity merges (identify, alias) queue with the events, in the order called: the events before a merge
 * commit before it, it commits as a unit of its own, and the events after it commit after it (as the merged
 * user's). One request's events around an identify are so taken in its order.
 *
 * Calls are taken in the order they came with the timers due meanwhile (where this process fires timers on
 * real time): before a unit commits, the timers due before its first call came fire (`before`); and the timer
 * loop holds back the timers due from the moment the oldest call still waiting came (`oldestWaiting`). So an
 * engine that falls behind is late, but decides as it would have on time: a conversion received before a
 * message was due stops it, and one received after it does not. Processes sharing a PostgreSQL database hear of
 * each other's queued calls through the store (queued-elsewhere.ts, fed by onWaitingChange).
 */
import type { JourneyEvent } from '../core/instance.ts';
import type { IdentityMerge, IngestResult, MergeResult } from '../store/store.ts';
import type { CommittedIngest } from './steps.ts';

export interface IngestQueueOptions {
  /** Commits one batch of events as one unit of work (EngineSteps.ingestNow). */
  commit: (events: JourneyEvent[]) => Promise<CommittedIngest>;
  /** Commits one identity merge (EngineSteps.mergeNow). */
  merge: (merge: IdentityMerge) => Promise<MergeResult>;
  /** Most events committed in one unit of work. */
  maxBatch: number;
  /** How long events wait for others to share their unit of work. */
  delayMs: number;
  /** Between two units of work (gives the event loop a turn on real time). */
  between: () => Promise<void>;
  /**
   * Before a unit commits, with when its first call came: fires the timers due before then. It must not throw:
   * a timer that fails is the timer loop's to report and retry, not this unit's callers' failure.
   */
  before?: (receivedAt: number) => Promise<void>;
  /** After the oldest call not committed may have changed (a call queued, a unit begun or done): oldestWaiting. */
  onWaitingChange?: () => void;
}

interface PendingIngest {
  events: JourneyEvent[];
  receivedAt: number;
  resolve: (result: IngestResult) => void;
  reject: (error: unknown) => void;
}

interface PendingMerge {
  merge: IdentityMerge;
  receivedAt: number;
  resolve: (result: MergeResult) => void;
  reject: (error: unknown) => void;
}

type Pending = PendingIngest | PendingMerge;
const isMerge = (p: Pending): p is PendingMerge => 'merge' in p;

export class IngestQueue {
  private queue: Pending[] = [];
  private queued = 0;
  /** The group commit's wait, while one runs: a flush before it ends clears it, so it holds no process up. */
  private flushTimer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  /** When the first call of the unit being committed came (null between units). */
  private committing: number | null = null;

  constructor(private readonly options: IngestQueueOptions) {}

  /** Accepts events that came at `receivedAt` and resolves once they are committed with everything they caused. */
  ingest(events: JourneyEvent[], receivedAt: number): Promise<IngestResult> {
    if (events.length === 0) return Promise.resolve({ accepted: 0, duplicates: 0 });
    return new Promise((resolve, reject) => {
      this.queue.push({ events, receivedAt, resolve, reject });
      this.queued += events.length;
      this.scheduleFlush();
      this.options.onWaitingChange?.();
    });
  }

  /** Queues an identity merge behind the events queued before it; resolves once it is committed. */
  merge(merge: IdentityMerge, receivedAt: number): Promise<MergeResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ merge, receivedAt, resolve, reject });
      this.scheduleFlush();
      this.options.onWaitingChange?.();
    });
  }

  /** When the oldest call not committed yet came (calls are queued in the order they came); null if none. */
  oldestWaiting(): number | null {
    return this.committing ?? this.queue[0]?.receivedAt ?? null;
  }

  private scheduleFlush(): void {
    if (this.queued >= this.options.maxBatch) void this.flushNow();
    else this.flushTimer ??= setTimeout(() => void this.flushNow(), this.options.delayMs);
  }

  /** Commits everything queued; resolves once it is. */
  flushNow(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.flushing = this.flushing.then(() => this.flushQueue());
    return this.flushing;
  }

  private async flushQueue(): Promise<void> {
    while (this.queue.length > 0) {
      const first = this.queue[0]!;
      if (isMerge(first)) {
        this.queue.shift();
        await this.inOrder(first.receivedAt, () => this.options.merge(first.merge).then(first.resolve, first.reject));
        await this.options.between();
        continue;
      }
      const batch: PendingIngest[] = [];
      let size = 0;
      for (let next = this.queue[0]; next !== undefined && !isMerge(next) && (size === 0 || size + next.events.length <= this.options.maxBatch); next = this.queue[0]) {
        this.queue.shift();
        size += next.events.length;
        batch.push(next);
      }
      this.queued -= size;
      await this.inOrder(batch[0]!.receivedAt, async () => {
        try {
          const result = await this.options.commit(batch.flatMap((p) => p.events));
          // Report the batch's totals to each caller only in proportion: callers need accepted vs duplicate for their own events.
          for (const p of batch) p.resolve(result.perCall(p.events));
        } catch (error) {
          if (batch.length === 1) batch[0]!.reject(error);
          else await this.oneByOne(batch);
        }
      });
      await this.options.between();
    }
  }

  /**
   * Commits a unit whose first call came at `receivedAt`, after the timers due before then, and counts it as
   * waiting until it is done.
   */
  private async inOrder(receivedAt: number, commit: () => Promise<void>): Promise<void> {
    this.committing = receivedAt;
    try {
      await this.options.before?.(receivedAt);
      await commit();
    } finally {
      this.committing = null;
      this.options.onWaitingChange?.();
    }
  }

  /** Commits each call as its own unit of work (after their shared one failed). */
  private async oneByOne(batch: PendingIngest[]): Promise<void> {
    for (const p of batch) {
      await this.options.between();
      try {
        p.resolve((await this.options.commit(p.events)).perCall(p.events));
      } catch (error) {
        p.reject(error);
      }
    }
  }
}
