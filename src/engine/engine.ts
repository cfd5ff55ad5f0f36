/**
 * The engine: the imperative shell around the pure interpreter, and the façade its callers use. Its parts:
 * the steps (steps.ts: ingest a batch, fire due timers, drain the inbox, dispatch the outbox, run scheduled
 * entries), the group commit of incoming events (ingest-queue.ts), and the loops that run the steps on real
 * time (runtime.ts). A simulation calls the steps itself on a virtual clock.
 */
import type { ChannelSenders } from '../channels/channel.ts';
import { rereadProviders } from '../channels/senders.ts';
import type { Clock } from '../core/clock.ts';
import type { JourneyEvent } from '../core/instance.ts';
import { logError } from '../ops/logger.ts';
import type { IdentityMerge, IngestResult, MergeResult, ProfileUpsert, PruneResult, Store } from '../store/store.ts';
import type { TimeMode } from './decide.ts';
import type { EngineHandle } from './handle.ts';
import { EngineCounters, type EngineCounts } from './counters.ts';
import { IngestQueue } from './ingest-queue.ts';
import { isShared, QueuedElsewhere } from './queued-elsewhere.ts';
import { Runtime, type TimersUntil } from './runtime.ts';
import type { RunProgress } from './scheduler.ts';
import { EngineSteps, type CommittedIngest } from './steps.ts';

export interface EngineOptions {
  store: Store;
  clock: Clock;
  channels: ChannelSenders;
  /** Real time: arm timers and poll. Off for simulations, which drive the engine step by step. */
  realtime?: boolean;
  /** Give the event loop a turn between units of work; default: realtime. On for a backtest run inside a server. */
  yieldBetweenUnits?: boolean;
  /** When inputs are processed: on arrival (default), or at the moment they happened (simulations; see decide.ts). */
  time?: TimeMode;
  /**
   * Whether this process fires timers and dispatches the outbox (the worker role). An API-only process
   * (false) still ingests events and runs what they cause at once; workers elsewhere do the rest.
   */
  background?: boolean;
  /** Most events committed in one transaction. */
  maxIngestBatch?: number;
  /** Most due timers claimed in one transaction. */
  timerBatch?: number;
  /** Safety poll for due timers set by other processes. */
  pollMs?: number;
  /**
   * Group commit: events wait this long for others to share their transaction (default 10 ms). A commit costs
   * about as much as a few dozen rows, and the events of one unit share the pages of the indexes they write:
   * at about 7,000 events a second, units of 70 events (a 10 ms wait) cost a cart 6.3 pages and 92 µs where
   * units of 14 (2 ms) cost 9.1 pages and 170 µs (bench/ingest-cost.ts --batch). A request is answered at
   * most this much later.
   */
  ingestDelayMs?: number;
  /** Timers due within this long of each other fire in one transaction rather than one each. */
  timerCoalesceMs?: number;
  /**
   * Event retention: events received longer ago than this are pruned (Store.pruneEvents) about once an hour
   * of the engine's clock, by processes that run background work. Default null: events are kept for ever.
   */
  eventRetentionMs?: number | null;
  /** In [0, 1): the retry backoff's jitter (dispatch.ts). Default Math.random; tests seed it to fix a schedule. */
  random?: () => number;
  onError?: (error: unknown, where: string) => void;
}

export class Engine implements EngineHandle {
  readonly store: Store;
  readonly clock: Clock;
  private readonly channels: ChannelSenders;
  private readonly steps: EngineSteps;
  private readonly queue: IngestQueue;
  private readonly runtime: Runtime;
  /**
   * On a store processes share: other processes' queued calls, which this one's timers wait for; and, on real
   * time (not in a simulation), this one's, said for them. Null on SQLite.
   */
  private readonly elsewhere: QueuedElsewhere | null;
  private readonly realtime: boolean;
  private readonly counts = new EngineCounters();
  private readonly onError: (error: unknown, where: string) => void;

  constructor(options: EngineOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.channels = options.channels;
    const realtime = options.realtime ?? true;
    this.realtime = realtime;
    const background = options.background ?? true;
    const maxIngestBatch = options.maxIngestBatch ?? 5_000;
    this.onError = (error, where) => {
      this.counts.error(where);
      (options.onError ?? logError('engine'))(error, where);
    };
    this.steps = new EngineSteps({
      store: options.store,
      clock: options.clock,
      channels: options.channels,
      realtime: options.yieldBetweenUnits ?? realtime, // the steps read it only to yield between units
      background,
      time: options.time ?? 'arrival',
      maxIngestBatch,
      timerBatch: options.timerBatch ?? 2_000,
      eventRetentionMs: options.eventRetentionMs ?? null,
      random: options.random ?? Math.random,
      onCommit: (set) => this.runtime.afterCommit(set),
      counters: this.counts,
    });
    const store = options.store;
    this.elsewhere = isShared(store) ? new QueuedElsewhere({ store, clock: options.clock, oldestWaiting: () => this.queue.oldestWaiting(), onError: this.onError }) : null;
    const elsewhere = this.elsewhere;
    this.queue = new IngestQueue({
      commit: (events) => this.steps.ingestNow(events),
      merge: (merge) => this.steps.mergeNow(merge),
      maxBatch: maxIngestBatch,
      delayMs: options.ingestDelayMs ?? 10,
      between: () => this.steps.yieldToIo(),
      // Where this process fires timers on real time, events and timers are taken in the order they came.
      ...(realtime && background ? { before: (receivedAt: number) => this.fireDueBefore(receivedAt) } : {}),
      // On real time, the processes sharing the store hear of this one's queued calls (queued-elsewhere.ts).
      ...(realtime && elsewhere ? { onWaitingChange: () => elsewhere.changed() } : {}),
    });
    this.runtime = new Runtime({
      steps: this.steps,
      store: options.store,
      clock: options.clock,
      realtime,
      background,
      pollMs: options.pollMs ?? 1_000,
      timerCoalesceMs: options.timerCoalesceMs ?? 5,
      timersUntil: () => this.timersUntil(),
      flush: () => this.queue.flushNow(),
      onError: this.onError,
    });
  }

  async start(): Promise<void> {
    await this.steps.load();
    this.runtime.start();
    if (this.realtime) this.elsewhere?.start();
  }

  /** Stops timers and waits for work under way; queued events are committed first. */
  async stop(): Promise<void> {
    await this.runtime.stop();
    await this.elsewhere?.stop();
  }

  /** What this engine has done since it started (engine/counters.ts), for the metrics. */
  async counters(): Promise<EngineCounts> {
    return this.counts.snapshot();
  }

  /** Re-reads journeys after a publish, pause or stop, the project settings, and the channels' provider settings. */
  async reloadJourneys(): Promise<void> {
    await Promise.all([this.steps.reloadJourneys(), rereadProviders(this.channels)]);
  }

  /**
   * Accepts events and resolves once they are committed with everything they caused. Calls made within the
   * same moment share one transaction (group commit).
   */
  ingest(events: JourneyEvent[], receivedAt = this.clock.now()): Promise<IngestResult> {
    return this.queue.ingest(events, receivedAt);
  }

  /**
   * Merges the identity `merge.from` into `merge.into` (Store.mergeIdentity), queued with the events: those
   * ingested before this call commit before it, those after it after it, as the merged user's.
   */
  identify(merge: IdentityMerge, receivedAt = this.clock.now()): Promise<MergeResult> {
    return this.queue.merge(merge, receivedAt);
  }

  /**
   * Merges trait patches into profiles, stamped with the engine's clock. Profiles go through the engine, not
   * straight to the store, because the engine's store caches the profiles its units of work read.
   */
  upsertProfiles(profiles: ProfileUpsert[]): Promise<void> {
    return this.store.upsertProfiles(profiles, this.clock.now());
  }

  /**
   * One unit of work over a batch of events, committed before it returns. In 'occurrence' time, `arrivedBy`
   * is the latest moment an event already taken happened: an event from before it is late, taken then.
   */
  ingestNow(events: JourneyEvent[], arrivedBy?: number): Promise<CommittedIngest> {
    return this.steps.ingestNow(events, arrivedBy);
  }

  /**
   * Fires every timer due at `until` (default: the clock's now, but short of the moment the oldest event still
   * queued came, which goes first); returns how many instances advanced. In 'occurrence' time each fires at its
   * own due time, so a simulation can fire a whole stretch at once.
   */
  async runDue(until?: number): Promise<number> {
    return this.steps.runDue(until ?? (await this.timersUntil()).until);
  }

  /**
   * Up to when timers may fire now: short of the oldest event or merge still queued, here or in another process
   * sharing the store, which goes first.
   */
  private timersUntil(): Promise<TimersUntil> {
    return this.shortOfElsewhere(this.justBefore(this.queue.oldestWaiting()));
  }

  /** Fires the timers due before `receivedAt`, ahead of the events that came then; a failure is the timer loop's. */
  private async fireDueBefore(receivedAt: number): Promise<void> {
    await this.shortOfElsewhere(this.justBefore(receivedAt))
      .then(({ until }) => this.steps.runDue(until))
      .catch((error: unknown) => this.onError(error, 'timers'));
  }

  /** `until`, or the moment before another process's oldest queued call if that is earlier (`heldElsewhere`). */
  private async shortOfElsewhere(until: number): Promise<TimersUntil> {
    const since = this.elsewhere === null ? null : await this.elsewhere.since();
    return since !== null && since - 1 < until ? { until: since - 1, heldElsewhere: true } : { until, heldElsewhere: false };
  }

  /** Now, or the moment before an input that came at `receivedAt` if that is earlier: timers due from then on wait for it. */
  private justBefore(receivedAt: number | null): number {
    const now = this.clock.now();
    return receivedAt === null ? now : Math.min(now, receivedAt - 1);
  }

  /** Sends pending outbox messages until none are left. */
  dispatch(): Promise<number> {
    return this.steps.dispatch();
  }

  /** Processes the inbox (internal events such as journey triggers) until it is empty; returns how many events. */
  drainInbox(): Promise<number> {
    return this.steps.drainInbox();
  }

  /** Sets event retention on an engine already running (see EngineOptions.eventRetentionMs). */
  setEventRetention(retentionMs: number | null): void {
    this.steps.setEventRetention(retentionMs);
  }

  /** Prunes the events past retention if an hour of the engine's clock has passed since the last run (see steps.ts). */
  pruneEventsIfDue(): Promise<PruneResult | null> {
    return this.steps.pruneEventsIfDue();
  }

  /** Carries out the scheduled entries due now; returns what each run did (see steps.ts). */
  runScheduled(onProgress?: (p: RunProgress) => void): Promise<RunProgress[]> {
    return this.steps.runScheduled(onProgress);
  }

  /** When the next scheduled entry is due, for drivers of a virtual clock; null if none is scheduled. */
  nextScheduledAt(): number | null {
    return this.steps.nextScheduledAt();
  }
}
