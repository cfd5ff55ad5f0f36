/**
 * The engine runtime: the imperative shell around the pure interpreter. It group-commits incoming events,
 * fires due timers, and dispatches the outbox to channels. The store is the truth; the in-memory timer is
 * only an alarm clock for the earliest wake-up this process knows of, backed by a periodic poll.
 */
import type { ChannelSenders } from '../channels/channel.ts';
import type { Clock } from '../core/clock.ts';
import type { Channel } from '../core/definition.ts';
import type { JourneyEvent } from '../core/instance.ts';
import type { IngestResult, Message, PruneResult, SendOutcome, Store } from '../store/store.ts';
import type { CapContext } from '../core/interpreter.ts';
import { capRules, projectTimezoneOf } from '../core/settings.ts';
import { Catalog } from './catalog.ts';
import { SingleFlight } from './single-flight.ts';
import { RUN_LEASE_MS, carryOutRun, dueRun, nextRunAt, type RunProgress } from './scheduler.ts';
import { decideEvents, decideTimers, type ChangeSet, type TimeMode } from './decide.ts';

export interface EngineOptions {
  store: Store;
  clock: Clock;
  channels: ChannelSenders;
  /** Real time: arm timers and poll. Off for simulations, which drive the engine step by step. */
  realtime?: boolean;
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
   * Group commit: events wait this long for others to share their transaction. A commit costs about as
   * much as a few dozen rows, so under load this is what keeps throughput up.
   */
  ingestDelayMs?: number;
  /** Timers due within this long of each other fire in one transaction rather than one each. */
  timerCoalesceMs?: number;
  /**
   * Event retention: events received longer ago than this are pruned (Store.pruneEvents) about once an hour
   * of the engine's clock, by processes that run background work. Default null: events are kept for ever.
   */
  eventRetentionMs?: number | null;
  onError?: (error: unknown, where: string) => void;
}

/** How often retention runs: old events only need to go eventually, and each run costs a few queries. */
const PRUNE_EVERY_MS = 3_600_000;

interface PendingIngest {
  events: JourneyEvent[];
  resolve: (result: IngestResult) => void;
  reject: (error: unknown) => void;
}

export class Engine {
  readonly store: Store;
  readonly clock: Clock;
  private catalog!: Catalog;
  private readonly channels: ChannelSenders;
  private readonly deliveredInStore: ReadonlySet<Channel>;
  private readonly realtime: boolean;
  private readonly maxIngestBatch: number;
  private readonly timerBatch: number;
  private readonly pollMs: number;
  private readonly ingestDelayMs: number;
  private readonly timerCoalesceMs: number;
  private lastTimerRun = 0;
  private readonly onError: (error: unknown, where: string) => void;

  private queue: PendingIngest[] = [];
  private queued = 0;
  private flushScheduled = false;
  private flushing: Promise<void> = Promise.resolve();

  private alarm: NodeJS.Timeout | null = null;
  private alarmAt = Infinity;
  private poll: NodeJS.Timeout | null = null;

  private running = false;
  private readonly background: boolean;
  private readonly time: TimeMode;

  /** The project's frequency caps and time zone, re-read with the journeys. */
  private caps: CapContext['rules'] = [];
  private projectTimezone = 'UTC';
  /** Background work, each at most once at a time: timers, the outbox, the inbox, retention, scheduled entries. */
  private readonly firing: SingleFlight;
  private readonly dispatching: SingleFlight;
  private readonly draining: SingleFlight;
  private readonly pruning: SingleFlight;
  private readonly scheduling: SingleFlight;
  /** Runs of scheduled entries this process has seen through (or found finished): not asked about again. */
  private readonly finishedRuns = new Set<string>();
  /** Runs found finished or leased elsewhere, and when to ask about them again. */
  private readonly runRetryAt = new Map<string, number>();

  private eventRetentionMs: number | null;
  private lastPruneAt = -Infinity;

  constructor(options: EngineOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.channels = options.channels;
    this.deliveredInStore = new Set((Object.keys(options.channels) as Channel[]).filter((c) => options.channels[c].deliversInStore));
    this.realtime = options.realtime ?? true;
    this.background = options.background ?? true;
    this.time = options.time ?? 'arrival';
    this.maxIngestBatch = options.maxIngestBatch ?? 5_000;
    this.timerBatch = options.timerBatch ?? 2_000;
    this.pollMs = options.pollMs ?? 1_000;
    this.ingestDelayMs = options.ingestDelayMs ?? 2;
    this.timerCoalesceMs = options.timerCoalesceMs ?? 5;
    this.eventRetentionMs = options.eventRetentionMs ?? null;
    this.onError = options.onError ?? ((error, where) => console.error(`waymark engine: ${where}:`, error));
    const mayContinue = () => this.running;
    this.firing = new SingleFlight({
      round: () => {
        this.lastTimerRun = this.clock.now();
        return this.runDue();
      },
      settle: async () => {
        const next = await this.store.nextWakeAt();
        if (next !== null) this.armAlarm(next);
      },
      mayContinue,
      onError: (error) => this.onError(error, 'timers'),
    });
    this.dispatching = new SingleFlight({ round: () => this.dispatch(), mayContinue, onError: (error) => this.onError(error, 'dispatch') });
    this.draining = new SingleFlight({ round: () => this.drainInbox(), mayContinue, onError: (error) => this.onError(error, 'inbox') });
    // A kick while these run only costs a cheap extra round: both return at once when nothing is due.
    this.pruning = new SingleFlight({ round: () => this.pruneEventsIfDue(), mayContinue, onError: (error) => this.onError(error, 'event retention') });
    this.scheduling = new SingleFlight({ round: () => this.runScheduled(), mayContinue, onError: (error) => this.onError(error, 'scheduled entries') });
  }

  async start(): Promise<void> {
    this.applySettings(await this.store.getSettings());
    this.catalog = await Catalog.load(this.store, this.projectTimezone);
    this.running = true;
    if (!this.realtime) return;
    // The poll also picks up journeys published, paused or stopped by other processes on the same database.
    this.poll = setInterval(() => {
      this.reloadJourneys().catch((error) => this.onError(error, 'journeys'));
      this.wake();
      this.kickPrune();
      this.kickSchedule();
      this.kickDrain(); // events other processes left in the inbox
    }, this.pollMs);
    this.poll.unref();
    this.wake();
    this.kickDispatch();
  }

  /** Stops timers and waits for work under way; queued events are committed first. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.alarm) clearTimeout(this.alarm);
    if (this.poll) clearInterval(this.poll);
    this.alarm = null;
    this.poll = null;
    await this.flushNow();
    await this.firing.settled();
    await this.dispatching.settled();
    await this.pruning.settled();
    await this.scheduling.settled();
    await this.draining.settled();
  }

  private applySettings(settings: Record<string, unknown>): void {
    this.caps = capRules(settings);
    this.projectTimezone = projectTimezoneOf(settings);
  }

  /** Re-reads journeys after a publish, pause or stop, and the project settings. */
  async reloadJourneys(): Promise<void> {
    this.applySettings(await this.store.getSettings());
    await this.catalog.refresh(this.store, this.projectTimezone);
  }

  /**
   * Accepts events and resolves once they are committed with everything they caused. Calls made within the
   * same moment share one transaction (group commit).
   */
  ingest(events: JourneyEvent[]): Promise<IngestResult> {
    if (events.length === 0) return Promise.resolve({ accepted: 0, duplicates: 0 });
    return new Promise((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      this.queued += events.length;
      if (this.queued >= this.maxIngestBatch) void this.flushNow();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setTimeout(() => void this.flushNow(), this.ingestDelayMs);
      }
    });
  }

  private flushNow(): Promise<void> {
    this.flushScheduled = false;
    this.flushing = this.flushing.then(() => this.flushQueue());
    return this.flushing;
  }

  private async flushQueue(): Promise<void> {
    while (this.queue.length > 0) {
      const batch: PendingIngest[] = [];
      let size = 0;
      while (this.queue.length > 0 && (size === 0 || size + this.queue[0]!.events.length <= this.maxIngestBatch)) {
        const next = this.queue.shift()!;
        size += next.events.length;
        batch.push(next);
      }
      this.queued -= size;
      try {
        const result = await this.ingestNow(batch.flatMap((p) => p.events));
        // Report the batch's totals to each caller only in proportion: callers need accepted vs duplicate for their own events.
        for (const p of batch) p.resolve(result.perCall(p.events));
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
      await this.yieldToIo();
    }
  }

  /** One unit of work over a batch of events, committed before it returns. */
  async ingestNow(events: JourneyEvent[]): Promise<IngestResult & { perCall(events: JourneyEvent[]): IngestResult }> {
    const now = this.clock.now();
    let set: ChangeSet | null = null;
    const fresh = new Set<string>();
    const result = await this.store.ingestEvents(events, now, (view) => {
      for (const e of view.events) fresh.add(e.messageId);
      set = decideEvents(this.catalog, view, { now, inStore: this.deliveredInStore, time: this.time, caps: this.caps, projectTimezone: this.projectTimezone });
      return set.toChanges();
    }, this.catalog.lookback(), this.catalog.contextSpec(now, this.caps));
    this.afterCommit(set);
    return {
      ...result,
      perCall: (mine) => {
        const accepted = mine.filter((e) => fresh.delete(e.messageId)).length;
        return { accepted, duplicates: mine.length - accepted };
      },
    };
  }

  /**
   * Fires every timer due at `until` (default: the clock's now); returns how many instances advanced.
   * In 'occurrence' time each fires at its own due time, so a simulation can fire a whole stretch at once.
   */
  async runDue(until?: number): Promise<number> {
    let total = 0;
    for (;;) {
      const now = until ?? this.clock.now();
      let set: ChangeSet | null = null;
      const n = await this.store.fireDueTimers(
        now,
        this.timerBatch,
        (view) => {
          set = decideTimers(this.catalog, view, { now, inStore: this.deliveredInStore, time: this.time, caps: this.caps, projectTimezone: this.projectTimezone });
          return set.toChanges();
        },
        this.catalog.contextSpec(now, this.caps),
      );
      total += n;
      this.afterCommit(set);
      if (n < this.timerBatch) return total;
      await this.yieldToIo();
    }
  }

  /**
   * The embedded store answers synchronously, so a loop over units of work would never let the server read
   * a request; between units, real time gives the event loop a turn (ingest must not wait behind a backlog
   * of timers, or a conversion lands after the message it should have stopped).
   */
  private yieldToIo(): Promise<void> {
    return this.realtime ? new Promise((resolve) => setImmediate(resolve)) : Promise.resolve();
  }

  /** Sends pending outbox messages until none are left. */
  async dispatch(): Promise<number> {
    let total = 0;
    for (;;) {
      const pending = await this.store.pendingMessages(1_000);
      if (pending.length === 0) return total;
      const byChannel = new Map<string, Message[]>();
      for (const m of pending) byChannel.set(m.channel, [...(byChannel.get(m.channel) ?? []), m]);
      const outcomes: SendOutcome[] = [];
      await Promise.all(
        [...byChannel].map(async ([channel, messages]) => {
          const sender = this.channels[channel as keyof ChannelSenders];
          outcomes.push(...(await sender.send(messages, () => this.clock.now())));
        }),
      );
      await this.store.recordOutcomes(outcomes);
      total += outcomes.length;
      await this.yieldToIo();
    }
  }

  private afterCommit(set: ChangeSet | null): void {
    if (!set || !this.realtime) return;
    const changes = set as ChangeSet;
    if (changes.messages.some((m) => m.status === 'pending')) this.kickDispatch();
    if (changes.earliestWake !== null) this.armAlarm(changes.earliestWake);
    if (changes.followUps.length > 0) this.kickDrain();
  }

  /**
   * Processes the inbox (internal events such as journey triggers) until it is empty; returns how many events.
   * Each batch is one unit of work, like an ingest.
   */
  async drainInbox(): Promise<number> {
    let total = 0;
    for (;;) {
      const now = this.clock.now();
      let set: ChangeSet | null = null;
      const n = await this.store.drainInbox(
        now,
        this.maxIngestBatch,
        (view) => {
          set = decideEvents(this.catalog, view, { now, inStore: this.deliveredInStore, time: this.time, caps: this.caps, projectTimezone: this.projectTimezone });
          return set.toChanges();
        },
        this.catalog.lookback(),
        this.catalog.contextSpec(now, this.caps),
      );
      total += n;
      this.afterCommit(set);
      if (n < this.maxIngestBatch) return total;
      await this.yieldToIo();
    }
  }

  private kickDrain(): void {
    if (this.running && this.background) this.draining.kick();
  }

  private armAlarm(at: number): void {
    if (!this.running || !this.background || at >= this.alarmAt) return;
    if (this.alarm) clearTimeout(this.alarm);
    this.alarmAt = at;
    const fireAt = Math.max(at, this.lastTimerRun + this.timerCoalesceMs);
    this.alarm = setTimeout(() => {
      this.alarm = null;
      this.alarmAt = Infinity;
      this.wake();
    }, Math.min(Math.max(0, fireAt - this.clock.now()), 2 ** 31 - 1));
  }

  /** Fires due timers, then re-arms the alarm for the next one in the store. */
  private wake(): void {
    if (this.running && this.background) this.firing.kick();
  }

  /** Sets event retention on an engine already running (see EngineOptions.eventRetentionMs). */
  setEventRetention(retentionMs: number | null): void {
    this.eventRetentionMs = retentionMs;
  }

  /**
   * Prunes the events past retention if the last run is an hour old or more on the engine's clock (the
   * first call runs at once). Null when nothing is due: no retention, an API-only process, or too soon.
   */
  async pruneEventsIfDue(): Promise<PruneResult | null> {
    if (this.eventRetentionMs === null || !this.background) return null;
    const now = this.clock.now();
    if (now - this.lastPruneAt < PRUNE_EVERY_MS) return null;
    this.lastPruneAt = now; // a failed run too: it is tried again an hour later, not at every poll
    return this.store.pruneEvents(now - this.eventRetentionMs);
  }

  private kickPrune(): void {
    if (this.running) this.pruning.kick();
  }

  /**
   * Carries out the scheduled entries due now (segment and date-property triggers), each run once across
   * processes. Returns what each run did; runs finished before, or held by another process, are left out.
   */
  async runScheduled(onProgress?: (p: RunProgress) => void): Promise<RunProgress[]> {
    const done: RunProgress[] = [];
    for (const s of this.catalog.scheduled()) {
      const now = this.clock.now();
      const runAt = dueRun(s, now);
      if (runAt === null) continue;
      const key = `${s.journeyId}@${runAt}`;
      if (this.finishedRuns.has(key) || (this.runRetryAt.get(key) ?? -Infinity) > now) continue;
      const progress = await carryOutRun(this.store, s, runAt, this.clock, (events) => this.ingestNow(events), onProgress, () => this.yieldToIo());
      if (progress) {
        done.push(progress);
        this.finishedRuns.add(key);
        this.runRetryAt.delete(key);
      } else {
        // Finished elsewhere, or under way elsewhere: ask again once a lease could have lapsed.
        this.runRetryAt.set(key, now + RUN_LEASE_MS);
      }
    }
    return done;
  }

  /** When the next scheduled entry is due, for drivers of a virtual clock; null if none is scheduled. */
  nextScheduledAt(): number | null {
    const now = this.clock.now();
    const due = this.catalog.scheduled().flatMap((s) => {
      const at = dueRun(s, now);
      const key = `${s.journeyId}@${at}`;
      if (at !== null && !this.finishedRuns.has(key)) return [Math.max(at, this.runRetryAt.get(key) ?? at)];
      const next = nextRunAt(s, now);
      return next === null ? [] : [next];
    });
    return due.length === 0 ? null : Math.min(...due);
  }

  private kickSchedule(): void {
    if (this.running && this.background) this.scheduling.kick();
  }

  private kickDispatch(): void {
    if (this.running && this.background) this.dispatching.kick();
  }
}
