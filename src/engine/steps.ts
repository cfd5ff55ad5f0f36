/**
 * The engine's steps, each made of units of work committed before it returns: ingest a batch of events, fire
 * due timers, drain the inbox, send the outbox, carry out scheduled entries, prune old events. A simulation
 * drives them one by one on a virtual clock; on real time the runtime (runtime.ts) runs them in the background.
 */
import type { ChannelSenders } from '../channels/channel.ts';
import type { Clock } from '../core/clock.ts';
import type { Channel } from '../core/definition.ts';
import type { JourneyEvent } from '../core/instance.ts';
import type { CapContext } from '../core/interpreter.ts';
import { capRules, projectTimezoneOf } from '../core/settings.ts';
import type { EventBatchView, IdentityMerge, IngestResult, MergeResult, PruneResult, Store, TimerBatchView } from '../store/store.ts';
import { log } from '../ops/logger.ts';
import { Catalog } from './catalog.ts';
import type { EngineCounters } from './counters.ts';
import { dispatchDue } from './dispatch.ts';
import { decideEvents, decideTimers, type ChangeSet, type DecideOptions, type TimeMode } from './decide.ts';
import { RUN_LEASE_MS, carryOutRun, dueRun, nextRunAt, type RunProgress } from './scheduler.ts';

/** How often retention runs: old events only need to go eventually, and each run costs a few queries. */
const PRUNE_EVERY_MS = 3_600_000;

/** In occurrence time, the moment the first decision of an ingest is taken at: its earliest event, unless late. */
function earliestEventDecision(events: readonly JourneyEvent[], arrivedBy: number | undefined): number | null {
  if (events.length === 0) return null;
  let earliest = Infinity;
  for (const e of events) earliest = Math.min(earliest, e.timestamp);
  return Math.max(earliest, arrivedBy ?? -Infinity);
}

/** An ingest's totals, and the share of them that is one caller's events (for a group commit's callers). */
export type CommittedIngest = IngestResult & { perCall(events: JourneyEvent[]): IngestResult };

export interface StepOptions {
  store: Store;
  clock: Clock;
  channels: ChannelSenders;
  realtime: boolean;
  background: boolean;
  time: TimeMode;
  maxIngestBatch: number;
  timerBatch: number;
  eventRetentionMs: number | null;
  /** In [0, 1): the retry backoff's jitter. */
  random: () => number;
  /** After each unit of work commits, with what it changed (the runtime arms timers and kicks work from it). */
  onCommit: (set: ChangeSet) => void;
  /** What this engine has done, for the metrics. */
  counters: EngineCounters;
}

export class EngineSteps {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly channels: ChannelSenders;
  private readonly realtime: boolean;
  private readonly background: boolean;
  private readonly time: TimeMode;
  private readonly maxIngestBatch: number;
  private readonly timerBatch: number;
  private readonly onCommit: (set: ChangeSet) => void;
  private readonly counters: EngineCounters;
  private readonly random: () => number;

  private catalog!: Catalog;
  /** The project's frequency caps and time zone, re-read with the journeys. */
  private caps: CapContext['rules'] = [];
  private projectTimezone = 'UTC';
  /** Runs of scheduled entries this process has seen through (or found finished): not asked about again. */
  private readonly finishedRuns = new Set<string>();
  /** Runs found finished or leased elsewhere, and when to ask about them again. */
  private readonly runRetryAt = new Map<string, number>();

  private eventRetentionMs: number | null;
  private lastPruneAt = -Infinity;
  private reloading: Promise<void> | null = null;
  private nextReload: Promise<void> | null = null;

  constructor(options: StepOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.channels = options.channels;
    this.realtime = options.realtime;
    this.random = options.random;
    this.background = options.background;
    this.time = options.time;
    this.maxIngestBatch = options.maxIngestBatch;
    this.timerBatch = options.timerBatch;
    this.eventRetentionMs = options.eventRetentionMs;
    this.onCommit = options.onCommit;
    this.counters = options.counters;
  }

  /** Reads the journeys and the project settings for the first time. */
  async load(): Promise<void> {
    await this.applySettings(await this.store.getSettings());
    this.catalog = await Catalog.load(this.store, this.projectTimezone);
  }

  /** Re-reads journeys after a publish, pause or stop, and the project settings. */
  /**
   * Reads the journeys and settings afresh. Reloads run one at a time, in the order asked, and a request made
   * while one runs joins the next: so the last read applied is never older than a publish that asked for one.
   * (The poll's reload and a publish's used to overlap, and a read begun before the publish could finish
   * after it and put back a catalog without the new version: its first users were not entered.)
   */
  reloadJourneys(): Promise<void> {
    if (!this.reloading) {
      this.reloading = this.readJourneys().finally(() => {
        this.reloading = null;
      });
      return this.reloading;
    }
    this.nextReload ??= this.reloading
      .catch(() => {})
      .then(() => {
        this.nextReload = null;
        return this.reloadJourneys();
      });
    return this.nextReload;
  }

  /** When every reload asked for so far has ended (a failed one too: its caller reports it). */
  async reloadsSettled(): Promise<void> {
    await (this.nextReload ?? this.reloading)?.catch(() => {});
  }

  private async readJourneys(): Promise<void> {
    await this.applySettings(await this.store.getSettings());
    await this.catalog.refresh(this.store, this.projectTimezone);
  }

  /** The store learns first whether anything is capped, so that what the caps read is there when they do. */
  private async applySettings(settings: Record<string, unknown>): Promise<void> {
    const caps = capRules(settings);
    const started = performance.now();
    const building = (messages: number) =>
      log().info({ component: 'engine', messages }, 'a frequency cap is set: building the index of sends by time it reads (about a second a million messages; events wait)');
    const change = await this.store.frequencyCapsSet(caps.length > 0, building);
    if (change) {
      const ms = Math.round(performance.now() - started);
      log().info({ component: 'engine', ms }, change === 'built' ? 'built the index of sends by time' : 'no frequency cap is set: dropped the index of sends by time');
    }
    this.caps = caps;
    this.projectTimezone = projectTimezoneOf(settings);
  }

  /** Read at each unit of work: a sender built from provider settings answers from their latest reading. */
  private get deliveredInStore(): ReadonlySet<Channel> {
    return new Set((Object.keys(this.channels) as Channel[]).filter((c) => this.channels[c].deliversInStore));
  }

  private decideOptions(now: number): DecideOptions {
    return { now, inStore: this.deliveredInStore, time: this.time, caps: this.caps, projectTimezone: this.projectTimezone };
  }

  /** One unit of work over a batch of events, committed before it returns. */
  async ingestNow(events: JourneyEvent[], arrivedBy?: number): Promise<CommittedIngest> {
    const now = this.clock.now();
    let set: ChangeSet | null = null;
    const fresh = new Set<string>();
    const result = await this.store.ingestEvents(events, now, (view) => {
      for (const e of view.events) fresh.add(e.messageId);
      set = decideEvents(this.catalog, view, { ...this.decideOptions(now), ...(arrivedBy !== undefined ? { arrivedBy } : {}) });
      return set.toChanges();
    }, this.catalog.lookback(), await this.contextSpec(now, earliestEventDecision(events, arrivedBy)));
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
   * One identity merge, committed before it returns. It moves passes with their timers as they were and
   * creates no work, so there is nothing to arm or kick after it.
   */
  mergeNow(merge: IdentityMerge): Promise<MergeResult> {
    return this.store.mergeIdentity(merge, this.clock.now());
  }

  /**
   * Fires every timer due at `until` (default: the clock's now); returns how many instances advanced.
   * In 'occurrence' time each fires at its own due time, so a simulation can fire a whole stretch at once.
   */
  runDue(until?: number): Promise<number> {
    return this.untilShort(this.timerBatch, async () => {
      const now = until ?? this.clock.now();
      let set: ChangeSet | null = null;
      const decide = (view: TimerBatchView) => {
        set = decideTimers(this.catalog, view, this.decideOptions(now));
        return set.toChanges();
      };
      const n = await this.store.fireDueTimers(now, this.timerBatch, decide, await this.contextSpec(now, null));
      this.afterCommit(set);
      this.counters.fired(n);
      return n;
    });
  }

  /**
   * What a unit of work must load of each user's past (the caps' recent sends, event history), reaching back
   * from the earliest moment it decides at. In real time that is now; in occurrence time each input is decided
   * at its own moment, which can be long before now: the earliest event of the batch, or the earliest due
   * timer (fired at its due time, by runDue or before a user's later event). Reaching back only from now, a
   * simulation firing hours of timers at once missed the sends that counted against a cap at their moment.
   */
  private async contextSpec(now: number, earliestEvent: number | null): Promise<ReturnType<Catalog['contextSpec']>> {
    if (this.time !== 'occurrence') return this.catalog.contextSpec(now, this.caps);
    const earliestTimer = await this.store.nextWakeAt();
    return this.catalog.contextSpec(Math.min(now, earliestEvent ?? now, earliestTimer ?? now), this.caps);
  }

  /** Runs units of work of at most `batch` inputs until one comes back short, giving I/O a turn between them. */
  private async untilShort(batch: number, unit: () => Promise<number>): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await unit();
      total += n;
      if (n < batch) return total;
      await this.yieldToIo();
    }
  }

  /**
   * The embedded store answers synchronously, so a loop over units of work would never let the server read
   * a request; between units, real time gives the event loop a turn (ingest must not wait behind a backlog
   * of timers, or a conversion lands after the message it should have stopped).
   */
  yieldToIo(): Promise<void> {
    return this.realtime ? new Promise((resolve) => setImmediate(resolve)) : Promise.resolve();
  }

  /** Sends the pending messages that are due until none are left (dispatch.ts). */
  dispatch(): Promise<number> {
    return dispatchDue({
      store: this.store,
      channels: this.channels,
      now: () => this.clock.now(),
      random: this.random,
      between: () => this.yieldToIo(),
      onOutcomes: (channel, outcomes, threw) => this.counters.dispatched(channel, outcomes, threw),
    });
  }

  private afterCommit(set: ChangeSet | null): void {
    if (!set) return;
    this.counters.committed(set.messages);
    this.onCommit(set);
  }

  /**
   * Processes the inbox (internal events such as journey triggers) until it is empty; returns how many events.
   * Each batch is one unit of work, like an ingest.
   */
  drainInbox(): Promise<number> {
    return this.untilShort(this.maxIngestBatch, async () => {
      const now = this.clock.now();
      let set: ChangeSet | null = null;
      const decide = (view: EventBatchView) => {
        set = decideEvents(this.catalog, view, this.decideOptions(now));
        return set.toChanges();
      };
      const n = await this.store.drainInbox(now, this.maxIngestBatch, decide, this.catalog.lookback(), this.catalog.contextSpec(now, this.caps));
      this.afterCommit(set);
      return n;
    });
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
}
