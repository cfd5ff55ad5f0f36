/**
 * Events and timers in the order they came, across the processes that share a store (PostgreSQL: api and
 * worker processes). In one process the group commit and the timer loop keep that order (ingest-queue.ts); across
 * processes nothing did: at 5,000 carts/s a worker fired 1,204 sends whose users' `Charged`, sent 1.5 s before
 * they were due, was still queued in the api process (bench/RESULTS.md, 2026-12-08). So each process says, in
 * the store, when its oldest call queued and not committed came, whenever that changes; a process firing timers
 * fires none due from the earliest such moment of the others. A process that falls behind makes sends late, not
 * wrong. A call queued within the moment it takes to say so (a round trip) and due within it may still pass.
 * On SQLite a process is alone with its file: its store has no such word (Store.setIngestWaiting), and the engine
 * makes none of this.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { Store } from '../store/store.ts';
import { SingleFlight } from './single-flight.ts';

/** A store processes share: it has the word of each one's queued calls. */
export type SharedStore = Store & Required<Pick<Store, 'setIngestWaiting' | 'ingestWaitingElsewhere'>>;

export function isShared(store: Store): store is SharedStore {
  return store.setIngestWaiting !== undefined && store.ingestWaitingElsewhere !== undefined;
}

/**
 * What another process said is heeded for this long. A process that died with calls queued holds timers back
 * that long at most; one whose unit of work ran longer than this, with calls still queued, is no longer waited for.
 */
export const QUEUED_ELSEWHERE_FRESH_MS = 5_000;
/** While calls are queued, a process says so again this often, so that a slow one is told from a dead one. */
const SAY_AGAIN_MS = 1_000;

export class QueuedElsewhere {
  readonly processId = randomUUID();
  /** What the store holds for this process: the moment it said, or null (no row). */
  private said: number | null = null;
  private saidAt = 0;
  private stopped = false;
  private again: NodeJS.Timeout | null = null;
  private readonly saying: SingleFlight;

  constructor(
    private readonly o: {
      store: SharedStore;
      clock: Clock;
      /** When this process's oldest call not committed came (IngestQueue.oldestWaiting). */
      oldestWaiting: () => number | null;
      onError: (error: unknown, where: string) => void;
    },
  ) {
    // One write at a time, the latest moment last: a change while one is under way asks for one more.
    this.saying = new SingleFlight({ round: () => this.say(), mayContinue: () => true, onError: (error) => o.onError(error, 'ingest waiting') });
  }

  /** On real time: says again what is queued, every second while anything is. */
  start(): void {
    this.again ??= setInterval(() => this.saying.kick(), SAY_AGAIN_MS);
    this.again.unref();
  }

  /** This process's queue changed: say its oldest call, if that is not what the store holds. */
  changed(): void {
    this.saying.kick();
  }

  /** The moment from which this process's timers wait for calls queued in another; null if none. */
  since(): Promise<number | null> {
    return this.o.store.ingestWaitingElsewhere(this.processId, this.o.clock.now() - QUEUED_ELSEWHERE_FRESH_MS);
  }

  /** Once the queue is committed and the engine stopped: the process's row goes. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.again) clearInterval(this.again);
    this.again = null;
    await this.saying.settled();
    await this.say();
  }

  private async say(): Promise<void> {
    const since = this.stopped ? null : this.o.oldestWaiting();
    const now = this.o.clock.now();
    if (since === this.said && (since === null || now - this.saidAt < SAY_AGAIN_MS)) return;
    await this.o.store.setIngestWaiting(this.processId, since, now);
    this.said = since;
    this.saidAt = now;
  }
}
