/**
 * The engine in its own thread, seen from the main thread: an EngineHandle whose calls are messages. One
 * event loop used to parse HTTP, run group commit, fire timers and wait on SQLite; split in two, the engine
 * gets a core of its own and the API answers while a unit of work runs.
 *
 * A call's arguments and answer are copied between threads (structured clone): the same work as the JSON
 * the request came in as, on the main thread's side. If the thread dies, every call under way and every call
 * after it fails, and `onFatal` says so: the engine is gone and the process should stop.
 */
import { Worker } from 'node:worker_threads';
import { systemClock, type Clock } from '../../core/clock.ts';
import type { JourneyEvent } from '../../core/instance.ts';
import type { IdentityMerge, IngestResult, MergeResult, ProfileUpsert } from '../../store/store.ts';
import type { EngineCounts } from '../counters.ts';
import { threadEntry, UNIT_THREAD_LIMITS } from '../../store/thread-entry.ts';
import type { EngineHandle } from '../handle.ts';
import type { CallMethod, EngineThreadConfig, FromEngine, ToEngine } from './protocol.ts';

export interface ThreadedEngineOptions extends EngineThreadConfig {
  onError: (error: unknown, where: string) => void;
  /** The thread stopped for good, other than by stop(): the engine is gone. */
  onFatal: (error: Error) => void;
}

/** How long a stopped thread may take to end before it is ended. */
const STOP_GRACE_MS = 5_000;

/** An error sent by the engine's thread (engine-thread.ts, `portable`) made an Error again, with its name, code and stack. */
function revived(sent: unknown): unknown {
  if (typeof sent !== 'object' || sent === null || typeof (sent as { message?: unknown }).message !== 'string') return sent;
  const { name, message, stack, code } = sent as { name?: string; message: string; stack?: string; code?: unknown };
  return Object.assign(new Error(message), { name: name ?? 'Error', ...(stack ? { stack } : {}), ...(code !== undefined ? { code } : {}) });
}

export class ThreadedEngine implements EngineHandle {
  readonly clock: Clock = systemClock;
  private readonly calls = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  private nextId = 1;
  private dead: Error | null = null;
  private stopping: Promise<void> | null = null;

  private constructor(private readonly worker: Worker) {}

  /** Starts the thread and resolves once its engine is running (its store opened, journeys loaded). */
  static start(options: ThreadedEngineOptions): Promise<ThreadedEngine> {
    const { onError, onFatal, ...config } = options;
    const worker = new Worker(threadEntry(import.meta.url, 'engine-thread'), { workerData: config satisfies EngineThreadConfig, resourceLimits: UNIT_THREAD_LIMITS });
    const engine = new ThreadedEngine(worker);
    return new Promise((resolve, reject) => {
      let started = false;
      worker.on('message', (message: FromEngine) => {
        switch (message.kind) {
          case 'started':
            started = true;
            resolve(engine);
            return;
          case 'failed-to-start':
            reject(new Error(message.message));
            return;
          case 'answer':
            engine.settle(message.id, (call) => call.resolve(message.value));
            return;
          case 'refusal':
            engine.settle(message.id, (call) => call.reject(revived(message.error)));
            return;
          case 'error':
            onError(revived(message.error), message.where);
            return;
        }
      });
      const died = (error: Error) => {
        if (engine.dead) return;
        engine.dead = error;
        for (const call of engine.calls.values()) call.reject(error);
        engine.calls.clear();
        if (!started) reject(error);
        else if (!engine.stopping) onFatal(error);
      };
      worker.on('error', died);
      worker.on('exit', (code) => died(new Error(`the engine's thread exited (code ${code})`)));
    });
  }

  /**
   * Stamped as they come here, not as the thread reads them: while a unit of work holds the thread, the events
   * that came meanwhile still go before the timers due after them.
   */
  ingest(events: JourneyEvent[], receivedAt = this.clock.now()): Promise<IngestResult> {
    return this.call('ingest', events, receivedAt) as Promise<IngestResult>;
  }

  /** Posted after the ingests called before it, so the thread queues it behind them. */
  identify(merge: IdentityMerge, receivedAt = this.clock.now()): Promise<MergeResult> {
    return this.call('identify', merge, receivedAt) as Promise<MergeResult>;
  }

  upsertProfiles(profiles: ProfileUpsert[]): Promise<void> {
    return this.call('upsertProfiles', profiles) as Promise<void>;
  }

  reloadJourneys(): Promise<void> {
    return this.call('reloadJourneys') as Promise<void>;
  }

  /** Holds these users' profiles out of the thread's cache, or lets go: another connection changes them (a merge across shards). */
  holdProfiles(userIds: readonly string[], hold: boolean): Promise<void> {
    return this.call('holdProfiles', userIds, hold) as Promise<void>;
  }

  /** The engine's counters, copied from its thread. */
  counters(): Promise<EngineCounts> {
    return this.call('counters') as Promise<EngineCounts>;
  }

  /** Commits queued events, waits for the work under way, closes the thread's store and ends the thread. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.dead) return;
      const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
      await this.call('stop');
      // The thread ends by itself once its store is closed; a handle something left open must not hold the process.
      const timer = setTimeout(() => void this.worker.terminate(), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    })();
    return this.stopping;
  }

  private call(method: CallMethod, ...args: unknown[]): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.worker.postMessage({ kind: 'call', id, method, args } satisfies ToEngine);
    });
  }

  private settle(id: number, fn: (call: { resolve(value: unknown): void; reject(error: unknown): void }) => void): void {
    const call = this.calls.get(id);
    if (!call) return;
    this.calls.delete(id);
    fn(call);
  }
}
