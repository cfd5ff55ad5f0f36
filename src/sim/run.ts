/**
 * The simulation's engine loop, one path for `waymark simulate` (events from files) and backtests (events from
 * the store): the real engine on a fresh SQLite store and a virtual clock, journeys published, profiles
 * loaded, then events taken in time order with the timers and scheduled entries due between them.
 *
 * Determinism and ordering: events are taken in the order given, as they would arrive. An event that happened
 * before one taken already (a late delivery) is taken at that one's time, as the live server takes it on
 * arrival (see DecideOptions.arrivedBy); scheduled entries are taken at their own time. Before an event at
 * time t is ingested, every timer due strictly before t fires, in
 * due-time order, with the clock set to its due time; an event at exactly a timer's due time is processed first
 * (so a goal in the same millisecond as a send prevents it). Events are ingested in batches of up to 5,000
 * with the clock at the batch's last event: the engine runs in occurrence time, so each event is decided at its
 * own timestamp, and within a batch it fires a user's earlier timers before that user's event; timers of
 * users with no event in it fire with the next batch at their own times. A timer a late event left already past
 * fires at the moment that event was taken, as live (Instance.wakeNotBefore). The result is the same as taking
 * events and timers one by one. After the last event the clock jumps from one due timer to the next until none
 * is left.
 *
 * Speed without changing results: many units of work (ingests, timer firings) are grouped into one SQLite
 * transaction (the engine's own transactions nest as savepoints). Delivery is the built-in outbox, which the
 * engine records as sent in the unit of work that decided the send, so sentAt is that unit's virtual time.
 */
import { journeyStats } from '../app/stats.ts';
import type { StatsView } from '../app/views.ts';
import { openWaymark, type Waymark } from '../app/waymark.ts';
import { outboxOnly } from '../channels/outbox.ts';
import { VirtualClock } from '../core/clock.ts';
import { eventsReadBack } from '../engine/catalog.ts';
import type { JourneyEvent } from '../core/instance.ts';
import { capRules } from '../core/settings.ts';
import { compileJourney } from '../core/validate.ts';
import { openSqliteStore } from '../store/open.ts';
import type { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { NewMessage, ProfileUpsert } from '../store/store.ts';

export interface Timings {
  /**
   * Reading and parsing profiles and events, loading profiles, and the simulator's own bookkeeping. On several
   * threads (simulate), the wall time until every thread had taken its events, which the others overlap.
   */
  read: number;
  ingest: number;
  timers: number;
  nextWake: number;
  dispatch: number;
  commit: number;
  output: number;
}

/** What a run did: events accepted and duplicate, instances timers advanced, engine calls made. */
export interface RunCounts {
  accepted: number;
  duplicates: number;
  timersFired: number;
  ingestCalls: number;
  timerRuns: number;
}

export interface RunOptions {
  /** A fresh, empty store, closed with the run. */
  store: SqliteStore;
  clockStart: number;
  /** Project settings (time zone, frequency caps), saved before any publish: publishing is what makes the engine read them. */
  settings?: Record<string, unknown> | undefined;
  /** Journeys created and published in this order: those another one's trigger names come before it. */
  journeys: Array<{ id: string; definition: unknown }>;
  /** Units of work (an ingest or a timer firing) per SQLite commit; 1 commits each on its own. Default 20000. */
  commitEvery?: number;
  /** Called after every unit of work: progress, a check for an abort, a turn of the event loop for others. */
  onUnit?: () => void | Promise<void>;
  /**
   * Inside a server: events per engine call and timers per unit of work (default 5,000 and 2,000), and a turn
   * of the event loop between the engine's own units of work, so that no step of the run holds the process long.
   */
  shared?: { batch: number };
}

/**
 * A store for one run, thrown away after it (`file` '': a temporary file SQLite deletes on close): no sync, and
 * only the indexes the engine reads, which the settings fix for the whole run. Without a frequency cap no unit
 * reads a user's recent sends, so their index goes too (store/sqlite/connection.ts). The live instances and
 * their timers are kept in memory, not in the file (store/sqlite/live-instances.ts): a run reads back nothing
 * else of an instance. Messages go to `onMessages` as each unit commits; the file keeps them only when a unit
 * reads them back: to count a user's recent sends against a frequency cap, or for a split on a message's outcome.
 * Of the events it keeps only those a unit reads back (engine/catalog.ts, eventsReadBack): the callers give
 * each event once (SqliteOptions.eventsKept).
 *
 * It keeps up to SIMULATION_PROFILES parsed profiles, where a server keeps 200,000: a simulation comes back to
 * each user at every timer, hours of virtual time after the event, when the server's cache has been emptied
 * since. At 100,000 users with a cache for 40,000 (a thread's share of a million users against 200,000), the
 * units read 221,531 profiles instead of 100,000, 5% of the run.
 */
export function throwawayStore(
  file: string,
  run: { settings: Record<string, unknown> | undefined; journeys: ReadonlyArray<{ definition: unknown }>; onMessages?: (messages: readonly NewMessage[]) => void },
): SqliteStore {
  // The caps as the engine reads them from the same settings (EngineSteps), so the two cannot disagree.
  const capped = capRules(run.settings ?? {}).length > 0;
  // A definition that does not compile is refused when the run publishes it; until then it keeps everything.
  const compiled = run.journeys.flatMap((j) => {
    const c = compileJourney(j.definition);
    return c.ok ? [c.journey] : [];
  });
  const journeys = compiled.length === run.journeys.length ? compiled : null;
  const outcomes = journeys === null || journeys.some((j) => j.readsOutcomes);
  const store = openSqliteStore(file, {
    durability: 'fast',
    indexes: 'engine',
    profileCache: SIMULATION_PROFILES,
    instances: 'memory',
    messages: capped || outcomes ? 'file' : 'none',
    ...(journeys ? { eventsKept: eventsReadBack(journeys) } : {}),
    ...(run.onMessages ? { onMessages: run.onMessages } : {}),
  });
  store.keepCapsIndex(capped);
  return store;
}

/** A million: about 320 MB of profiles of seven short traits, a thread's share of several million users. */
const SIMULATION_PROFILES = 1_000_000;

/** Events per engine call: large enough that a commit's fixed cost is spread thin. */
const MAX_BATCH = 5_000;

export class SimulationRun {
  accepted = 0;
  duplicates = 0;
  ingestCalls = 0;
  timerRuns = 0;
  /** Instances advanced by timers. */
  timersFired = 0;
  readonly timings: Timings = { read: 0, ingest: 0, timers: 0, nextWake: 0, dispatch: 0, commit: 0, output: 0 };
  private batch: JourneyEvent[] = [];
  /** The latest time of the events taken so far, and of those ingested before the batch. */
  private lastAt = -Infinity;
  private arrivedBy = -Infinity;
  private readonly tx: GroupCommit;
  private grouping = false;

  private constructor(
    readonly waymark: Waymark,
    readonly store: SqliteStore,
    readonly clock: VirtualClock,
    commitEvery: number,
    private readonly onUnit: () => void | Promise<void>,
    private readonly maxBatch: number,
  ) {
    this.tx = new GroupCommit(store, commitEvery, this.timings);
  }

  /** Opens the engine on `store` and publishes the journeys; the store is closed again if that fails. */
  static async open(options: RunOptions): Promise<SimulationRun> {
    const clock = new VirtualClock(options.clockStart);
    let waymark: Waymark | null = null;
    try {
      const engine = options.shared ? { engine: { yieldBetweenUnits: true, timerBatch: options.shared.batch } } : {};
      waymark = await openWaymark({ database: options.store, clock, realtime: false, time: 'occurrence', channels: outboxOnly(), ...engine });
      if (options.settings !== undefined) await waymark.store.saveSettings(options.settings, clock.now());
      for (const journey of options.journeys) {
        await waymark.journeys.create(journey);
        await waymark.journeys.publish(journey.id);
      }
      return new SimulationRun(waymark, options.store, clock, Math.max(1, options.commitEvery ?? 20_000), options.onUnit ?? (() => {}), options.shared?.batch ?? MAX_BATCH);
    } catch (error) {
      if (waymark) await waymark.close();
      else await options.store.close();
      throw error;
    }
  }

  /** The virtual clock and the timers fired so far. */
  progress(): { virtualTime: number; timersFired: number } {
    return { virtualTime: this.clock.now(), timersFired: this.timersFired };
  }

  counts(): RunCounts {
    return { accepted: this.accepted, duplicates: this.duplicates, timersFired: this.timersFired, ingestCalls: this.ingestCalls, timerRuns: this.timerRuns };
  }

  /** Profiles, before any event. */
  async addProfiles(profiles: ProfileUpsert[]): Promise<void> {
    if (profiles.length > 0) await this.store.upsertProfiles(profiles, this.clock.now());
  }

  /**
   * The next event, not before the clock's start (the caller checks: it can say where the input is wrong). One
   * from before an event taken already is late: it stays in line, and the engine takes it when it arrives.
   *
   * When this run takes only a share of the stream's events (one thread of a simulation on several), the
   * others' events count too: `seenBefore` is the latest time of all the stream's events before this one, and
   * `othersSince` the latest of the other threads' events since this run's last one.
   */
  async take(event: JourneyEvent, seenBefore = -Infinity, othersSince = -Infinity): Promise<void> {
    this.group();
    const arrivesLater = event.timestamp < seenBefore && seenBefore > this.lastAt;
    const passedBy = event.timestamp < othersSince;
    if (arrivesLater || passedBy) {
      // The batch so far first. Then what the others' events did here: the moments before them had come (the
      // timers and scheduled entries due, and a timer overdue as it was set, which an event that happened after
      // its due time fires). The event is taken when the whole stream had reached `seenBefore`.
      await this.ingest();
      if (passedBy) {
        await this.runScheduledUntil(othersSince - 1);
        await this.fireTimersUntil(othersSince - 1);
      }
      this.lastAt = Math.max(this.lastAt, seenBefore);
      this.arrivedBy = this.lastAt;
    }
    this.lastAt = Math.max(this.lastAt, event.timestamp);
    this.batch.push(event);
    if (this.batch.length >= this.maxBatch) await this.ingest();
  }

  /** After the last event: ingests what is left, then runs the scheduled entries up to `until` (default: the last event's time, or the start). */
  async endEvents(until: number | null, lastEventAt: number | null): Promise<void> {
    this.group();
    await this.ingest();
    await this.runScheduledUntil(until ?? lastEventAt ?? this.clock.now());
  }

  /**
   * Then every timer still set, stretch by stretch, so the end time is the last one that fired; or, given a
   * `stop`, the timers due up to it, the clock ending there (users still waiting then stay where they are).
   * Dispatches and commits; returns the end time.
   */
  async drainTimers(stop: number | null = null): Promise<number> {
    this.group();
    let endTime = this.clock.now();
    if (stop !== null) {
      await this.fireTimersUntil(stop);
      endTime = Math.max(endTime, stop);
    } else {
      for (;;) {
        const last = await this.store.lastWakeAt();
        if (last === null) break;
        await this.fireTimersUntil(last);
        endTime = Math.max(endTime, last);
      }
    }
    this.clock.set(endTime);
    const t0 = performance.now();
    await this.waymark.engine.dispatch();
    this.timings.dispatch += performance.now() - t0;
    this.tx.commit();
    return endTime;
  }

  /** A journey's stats, as GET /v1/journeys/:id/stats answers them. */
  stats(journeyId: string): Promise<StatsView> {
    return journeyStats(this.waymark.store, journeyId);
  }

  /** Drops an open group (after a failure), stops the engine and closes the store. */
  async close(): Promise<void> {
    this.store.rollbackGroup();
    await this.waymark.close();
  }

  private group(): void {
    if (this.grouping) return;
    this.grouping = true;
    this.tx.begin();
  }

  private async unit(): Promise<void> {
    this.tx.unit();
    await this.onUnit();
  }

  /**
   * Fires every timer due at or before `until`, each at its own due time (the engine runs in occurrence
   * time). Firing one may set another due before `until` (a short delay), so repeat until none is left;
   * durations are at least 1 ms, so this ends.
   */
  private async fireTimersUntil(until: number): Promise<void> {
    for (;;) {
      const t0 = performance.now();
      const fired = await this.waymark.engine.runDue(until);
      await this.waymark.engine.drainInbox(); // journeys these steps triggered
      this.timings.timers += performance.now() - t0;
      this.timerRuns += 1;
      this.timersFired += fired;
      await this.unit();
      if (fired === 0) return;
    }
  }

  /** Runs the scheduled entries due up to `until`, each at its own moment, timers before it first. */
  private async runScheduledUntil(until: number): Promise<void> {
    const engine = this.waymark.engine;
    for (;;) {
      const next = engine.nextScheduledAt();
      if (next === null || next > until) return;
      await this.fireTimersUntil(next - 1);
      this.clock.set(Math.max(this.clock.now(), next));
      const t0 = performance.now();
      await engine.runScheduled();
      await engine.drainInbox();
      this.timings.ingest += performance.now() - t0;
      await this.unit();
    }
  }

  /** The batch taken so far: the timers and scheduled entries due before its first event, then the batch. */
  private async ingest(): Promise<void> {
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    await this.runScheduledUntil(batch[0]!.timestamp - 1);
    await this.fireTimersUntil(batch[0]!.timestamp - 1);
    this.clock.set(Math.max(this.clock.now(), this.lastAt));
    const t0 = performance.now();
    const result = await this.waymark.engine.ingestNow(batch, this.arrivedBy);
    this.arrivedBy = this.lastAt;
    await this.waymark.engine.drainInbox();
    this.timings.ingest += performance.now() - t0;
    this.accepted += result.accepted;
    this.duplicates += result.duplicates;
    this.ingestCalls += 1;
    await this.unit();
  }
}

/** Groups the engine's transactions into one SQLite transaction per `every` units of work. */
class GroupCommit {
  private units = 0;
  constructor(
    private readonly store: SqliteStore,
    private readonly every: number,
    private readonly timings: { commit: number },
  ) {}

  begin(): void {
    if (this.every > 1) this.store.beginGroup();
  }

  /** Counts a unit of work, committing every `every` of them. */
  unit(): void {
    if (++this.units < this.every) return;
    this.units = 0;
    if (this.every > 1) {
      const t0 = performance.now();
      this.store.commitGroup();
      this.store.beginGroup();
      this.timings.commit += performance.now() - t0;
    }
  }

  commit(): void {
    if (this.every > 1) this.store.commitGroup();
  }
}
