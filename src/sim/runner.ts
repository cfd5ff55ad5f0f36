/**
 * What `simulate` drives: the engine loop on one thread (LocalRunner, a SimulationRun here) or on several
 * (ShardedRunner in shards.ts, each thread a SimulationRun on its share of the users). simulate reads the
 * files and hands over profiles and events in order; the runner says what came of them.
 */
import type { StatsView } from '../app/views.ts';
import type { JourneyEvent } from '../core/instance.ts';
import type { ProfileUpsert } from '../store/store.ts';
import type { MessageOutput, Written } from './output.ts';
import { SimulationRun, type RunCounts, type RunOptions, type Timings } from './run.ts';

/** What a run writes at the end: the output files, and the journey whose stats it gives. */
export interface RunOutput {
  journeyId: string;
  messages: string;
  skipped: string;
}

export interface Finished {
  written: Written;
  stats: StatsView;
  /** Distinct users with at least one event. */
  users: number;
}

export interface SimulationRunner {
  readonly threads: number;
  /** Wall milliseconds in each part of the run (on several threads, the slowest thread's, once finished). */
  timings(): Timings;
  counts(): RunCounts;
  /** The virtual clock (on several threads, the one furthest behind) and the timers fired so far. */
  progress(): { virtualTime: number; timersFired: number };
  /** `lines`: the text each profile was read from, in the same order (see ShardedRunner). */
  addProfiles(profiles: ProfileUpsert[], lines: string[]): Promise<void>;
  /**
   * The next event, and the text of its line; `seenBefore`: the latest time of the events before it (see
   * SimulationRun.take). No two events given have the same messageId (simulate.ts drops a duplicate as it reads).
   */
  take(event: JourneyEvent, text: string, seenBefore: number): Promise<void>;
  endEvents(until: number | null, lastEventAt: number): Promise<void>;
  /** Fires every timer left; returns the end time. */
  drainTimers(): Promise<number>;
  /** Writes the output files named at opening; the stats of the journey named there. */
  finish(): Promise<Finished>;
  close(): Promise<void>;
}

/** The run on this thread, on one SQLite file. */
export class LocalRunner implements SimulationRunner {
  readonly threads = 1;
  private finished = false;

  private constructor(
    private readonly run: SimulationRun,
    private readonly journeyId: string,
    private readonly messages: MessageOutput,
  ) {}

  /** `messages`: where the store (options.store) hands its messages as the run commits them. */
  static async open(options: RunOptions, journeyId: string, messages: MessageOutput): Promise<LocalRunner> {
    return new LocalRunner(await SimulationRun.open(options), journeyId, messages);
  }

  timings(): Timings {
    return this.run.timings;
  }

  counts(): RunCounts {
    return this.run.counts();
  }

  progress() {
    return this.run.progress();
  }

  addProfiles(profiles: ProfileUpsert[]): Promise<void> {
    return this.run.addProfiles(profiles);
  }

  /** One thread takes the whole stream: what it has taken is all there is before the event. */
  take(event: JourneyEvent): Promise<void> {
    return this.run.take(event);
  }

  endEvents(until: number | null, lastEventAt: number): Promise<void> {
    return this.run.endEvents(until, lastEventAt);
  }

  drainTimers(): Promise<number> {
    return this.run.drainTimers();
  }

  async finish(): Promise<Finished> {
    const written = await finishOutput(this.run, this.messages);
    this.finished = true;
    return { written, stats: await this.run.stats(this.journeyId), users: await this.run.store.eventUserCount() };
  }

  async close(): Promise<void> {
    if (!this.finished) this.messages.discard();
    await this.run.close();
  }
}

/** Completes a run's output files (output.ts), timed as its output. */
export async function finishOutput(run: SimulationRun, messages: MessageOutput): Promise<Written> {
  const start = performance.now();
  const written = await messages.finish();
  run.timings.output = performance.now() - start;
  return written;
}
