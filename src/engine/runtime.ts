/**
 * The engine's background loops on real time: an alarm for the earliest timer this process knows of, backed
 * by a periodic poll (timers set by other processes, journeys published elsewhere, the inbox, retention,
 * scheduled entries), and each kind of work run at most once at a time. The store is the truth; the alarm is
 * only an alarm clock.
 */
import type { Clock } from '../core/clock.ts';
import type { Store } from '../store/store.ts';
import type { ChangeSet } from './decide.ts';
import { SingleFlight } from './single-flight.ts';
import type { EngineSteps } from './steps.ts';

export interface RuntimeOptions {
  steps: EngineSteps;
  store: Store;
  clock: Clock;
  /** Off for simulations: no alarm, no poll, no background work. */
  realtime: boolean;
  /** Whether this process fires timers and dispatches the outbox (the worker role). */
  background: boolean;
  pollMs: number;
  /** Timers due within this long of each other fire in one transaction rather than one each. */
  timerCoalesceMs: number;
  /**
   * Up to when timers may fire: now, but not from the moment an event still queued came, here (ingest-queue.ts)
   * or in another process (queued-elsewhere.ts).
   */
  timersUntil: () => Promise<TimersUntil>;
  /** Commits the events still queued (the group commit's flush), on stop. */
  flush: () => Promise<void>;
  onError: (error: unknown, where: string) => void;
}

export interface TimersUntil {
  until: number;
  /** Whether `until` is short of now for another process's queued calls. */
  heldElsewhere: boolean;
}

/** How soon a timer loop held back for another process's queued calls looks again (they commit in about 10 ms). */
const HELD_ELSEWHERE_RETRY_MS = 20;

export class Runtime {

  private running = false;
  private lastTimerRun = 0;
  private alarm: NodeJS.Timeout | null = null;
  private alarmAt = Infinity;
  private poll: NodeJS.Timeout | null = null;
  /** Whether the last round of timers was held back for another process's queued calls. */
  private heldElsewhere = false;

  /** Background work, each at most once at a time: timers, the outbox, the inbox, retention, scheduled entries. */
  private readonly firing: SingleFlight;
  private readonly dispatching: SingleFlight;
  private readonly draining: SingleFlight;
  private readonly pruning: SingleFlight;
  private readonly scheduling: SingleFlight;

  constructor(private readonly o: RuntimeOptions) {
    const steps = this.o.steps;
    const mayContinue = () => this.running;
    this.firing = new SingleFlight({
      round: async () => {
        this.lastTimerRun = this.o.clock.now();
        // Timers held back for a queued event fire with its unit (ingest-queue.ts), or at the next alarm.
        const { until, heldElsewhere } = await this.o.timersUntil();
        this.heldElsewhere = heldElsewhere;
        return steps.runDue(until);
      },
      settle: async () => {
        const next = await this.o.store.nextWakeAt();
        // Held for another process's queued calls: look again shortly, not at every turn until they commit.
        if (next !== null) this.armAlarm(this.heldElsewhere ? Math.max(next, this.o.clock.now() + HELD_ELSEWHERE_RETRY_MS) : next);
      },
      mayContinue,
      onError: (error) => this.o.onError(error, 'timers'),
    });
    this.dispatching = new SingleFlight({ round: () => steps.dispatch(), mayContinue, onError: (error) => this.o.onError(error, 'dispatch') });
    this.draining = new SingleFlight({ round: () => steps.drainInbox(), mayContinue, onError: (error) => this.o.onError(error, 'inbox') });
    // A kick while these run only costs a cheap extra round: both return at once when nothing is due.
    this.pruning = new SingleFlight({ round: () => steps.pruneEventsIfDue(), mayContinue, onError: (error) => this.o.onError(error, 'event retention') });
    this.scheduling = new SingleFlight({ round: () => steps.runScheduled(), mayContinue, onError: (error) => this.o.onError(error, 'scheduled entries') });
  }

  /** Starts the loops (on real time; a simulation only marks the engine running). */
  start(): void {
    this.running = true;
    if (!this.o.realtime) return;
    // The poll also picks up journeys published, paused or stopped by other processes on the same database.
    this.poll = setInterval(() => {
      this.o.steps.reloadJourneys().catch((error) => this.o.onError(error, 'journeys'));
      this.wake();
      this.kickPrune();
      this.kickSchedule();
      this.kickDrain(); // events other processes left in the inbox
      this.kickDispatch(); // retries come due, and leases of dispatchers that died run out
    }, this.o.pollMs);
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
    await this.o.flush();
    // A re-read still under way when the store closes after stop() fails ("Cannot use a pool after calling
    // end"): seen on a loaded machine, where a read outlasts the SIGTERM that arrives mid-poll.
    await this.o.steps.reloadsSettled();
    await this.firing.settled();
    await this.dispatching.settled();
    await this.pruning.settled();
    await this.scheduling.settled();
    await this.draining.settled();
  }

  /** After a unit of work commits: send what it queued, arm its earliest timer, drain what it triggered. */
  afterCommit(changes: ChangeSet): void {
    if (!this.o.realtime) return;
    if (changes.messages.some((m) => m.status === 'pending')) this.kickDispatch();
    if (changes.earliestWake !== null) this.armAlarm(changes.earliestWake);
    if (changes.followUps.length > 0) this.kickDrain();
  }

  private kickDrain(): void {
    if (this.running && this.o.background) this.draining.kick();
  }

  private armAlarm(at: number): void {
    if (!this.running || !this.o.background || at >= this.alarmAt) return;
    if (this.alarm) clearTimeout(this.alarm);
    this.alarmAt = at;
    const fireAt = Math.max(at, this.lastTimerRun + this.o.timerCoalesceMs);
    this.alarm = setTimeout(() => {
      this.alarm = null;
      this.alarmAt = Infinity;
      this.wake();
    }, Math.min(Math.max(0, fireAt - this.o.clock.now()), 2 ** 31 - 1));
  }

  /** Fires due timers, then re-arms the alarm for the next one in the store. */
  private wake(): void {
    if (this.running && this.o.background) this.firing.kick();
  }

  private kickPrune(): void {
    if (this.running) this.pruning.kick();
  }

  private kickSchedule(): void {
    if (this.running && this.o.background) this.scheduling.kick();
  }

  private kickDispatch(): void {
    if (this.running && this.o.background) this.dispatching.kick();
  }
}
