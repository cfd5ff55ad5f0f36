/**
 * A simulation on several threads. Users are independent in a simulation (it merges no identities, and caps,
 * re-entry and goals are each user's own), so each thread (shard-worker.ts) runs the users a hash of the user
 * id gives it, on a SimulationRun and a SQLite file of its own, while this thread reads the files and hands
 * the events over in order. The results are the same as on one thread:
 * - a late event (one from before an earlier line) is taken at the time the whole stream had reached, not
 *   the time the thread's own share had reached, after what the other threads' events in between would have
 *   fired: this thread passes both with each event (SimulationRun.take);
 * - scheduled entries run up to the last event of the whole stream on every thread;
 * - the output files are the threads' files merged by time, the stats the threads' counters added up.
 * What differs: the order of sends at the same millisecond, which means nothing.
 *
 * The reader may run ahead of the threads by at most IN_FLIGHT chunks each, so memory stays bounded.
 *
 * A thread is handed the text of each line this thread has read and checked (with an event's message id and
 * time), and parses it again: passing the objects cost the reader 2.2-3.2 µs an event and a thread 2.5-3.3 µs,
 * the text 0.7-1.2 µs and 2.0-2.4 µs with the parse (measured alone, 155,000 cart events in chunks of 2,000).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { InvalidJourneyError } from '../app/journeys.ts';
import { statsView } from '../app/stats.ts';
import type { JourneyEvent } from '../core/instance.ts';
import type { StatRow, WaitingRow } from '../store/records.ts';
import type { ProfileUpsert } from '../store/store.ts';
import { threadEntry, UNIT_THREAD_LIMITS } from '../store/thread-entry.ts';
import { mergeByTime } from './merge.ts';
import { addWritten, removeUnfinished } from './output.ts';
import type { Finished, RunOutput, SimulationRunner } from './runner.ts';
import type { RunCounts, Timings } from './run.ts';
import type { ShardCall, ShardConfig, ShardFinish, ShardMessage, ShardMethod } from './shard-protocol.ts';

/** Events a thread is handed at a time: enough that posting costs little beside the work. */
const CHUNK = 2_000;
/**
 * Chunks a thread may have waiting before the reader waits for it: 32,000 events, a few MB, so that a thread
 * never runs dry while the reader is descheduled (three busy threads share two cores).
 */
const IN_FLIGHT = 16;

export interface ShardedOptions {
  threads: number;
  /** Where the threads' files (databases, parts of the output) go; each is removed at the end. */
  dir: string;
  clockStart: number;
  settings: Record<string, unknown> | undefined;
  journeys: Array<{ id: string; definition: unknown }>;
  commitEvery: number | undefined;
  /** The journey whose stats finish gives, and the output files: each thread writes its part as soon as it can. */
  output: RunOutput;
}

/** A thread's part of an output file, merged into the file at the end. */
const partFile = (file: string, thread: number) => `${file}.thread-${thread}`;

/** The thread a user's events go to: FNV-1a of the user id. */
export function shardOf(userId: string, threads: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) hash = Math.imul(hash ^ userId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % threads;
}

export class ShardedRunner implements SimulationRunner {
  private finished: ShardFinish[] | null = null;
  private steps: Array<{ ended: Promise<unknown>; drained: Promise<number>; finished: Promise<ShardFinish> }> | null = null;
  private mergeMs = 0;

  private constructor(
    private readonly shards: Shard[],
    private readonly clockStart: number,
    private readonly output: RunOutput,
  ) {}

  get threads(): number {
    return this.shards.length;
  }

  static async open(options: ShardedOptions): Promise<ShardedRunner> {
    const shards: Shard[] = [];
    for (let i = 0; i < options.threads; i++) {
      const config: ShardConfig = {
        dbFile: join(options.dir, `.simulation-${process.pid}-${Date.now()}-thread-${i}.db`),
        output: { messages: partFile(options.output.messages, i), skipped: partFile(options.output.skipped, i) },
        clockStart: options.clockStart,
        settings: options.settings,
        journeys: options.journeys,
        commitEvery: options.commitEvery,
      };
      shards.push(new Shard(config, options.clockStart));
    }
    const runner = new ShardedRunner(shards, options.clockStart, options.output);
    try {
      await Promise.all(shards.map((s) => s.call('open')));
    } catch (error) {
      await runner.close();
      throw error;
    }
    return runner;
  }

  timings(): Timings {
    const parts = this.finished?.map((f) => f.timings) ?? [];
    const slowest = (key: keyof Timings) => Math.max(0, ...parts.map((t) => t[key]));
    return { read: 0, ingest: slowest('ingest'), timers: slowest('timers'), nextWake: slowest('nextWake'), dispatch: slowest('dispatch'), commit: slowest('commit'), output: slowest('output') + this.mergeMs };
  }

  counts(): RunCounts {
    const total: RunCounts = { accepted: 0, duplicates: 0, timersFired: 0, ingestCalls: 0, timerRuns: 0 };
    for (const f of this.finished ?? []) for (const key of Object.keys(total) as (keyof RunCounts)[]) total[key] += f.counts[key];
    return total;
  }

  progress() {
    return {
      virtualTime: Math.min(...this.shards.map((s) => s.progress.virtualTime)),
      timersFired: this.shards.reduce((n, s) => n + s.progress.timersFired, 0),
    };
  }

  async addProfiles(profiles: ProfileUpsert[], lines: string[]): Promise<void> {
    const parts = this.shards.map((): string[] => []);
    for (let i = 0; i < profiles.length; i++) parts[shardOf(profiles[i]!.userId, parts.length)]!.push(lines[i]!);
    await Promise.all(this.shards.map((s, i) => (parts[i]!.length > 0 ? s.post('profiles', parts[i]) : undefined)));
  }

  async take(event: JourneyEvent, text: string, seenBefore: number): Promise<void> {
    const shards = this.shards;
    const shard = shards[shardOf(event.userId, shards.length)]!;
    shard.lines.push(text);
    shard.messageIds.push(event.messageId);
    shard.timestamps.push(event.timestamp);
    shard.seenBefore.push(seenBefore);
    shard.othersSince.push(shard.since);
    shard.since = -Infinity;
    for (const other of shards) if (other !== shard && other.since < event.timestamp) other.since = event.timestamp;
    if (shard.lines.length >= CHUNK) await shard.sendEvents();
  }

  /**
   * Each thread then goes on by itself to its timers and its output file: one that ends first does not wait for
   * the others (waiting cost 1.5 s of 12 at 100,000 users). drainTimers and finish wait for those steps.
   */
  async endEvents(until: number | null, lastEventAt: number): Promise<void> {
    const { journeyId } = this.output;
    const steps = this.shards.map((s, i) => {
      const ended = s.sendEvents().then(() => s.settle()).then(() => s.call('end', until, lastEventAt));
      const drained = ended.then(() => s.call('drain') as Promise<number>);
      const finished = drained.then(() => s.call('finish', journeyId) as Promise<ShardFinish>);
      for (const step of [drained, finished]) step.catch(() => {}); // surfaced where awaited
      return { ended, drained, finished };
    });
    this.steps = steps;
    await Promise.all(steps.map((s) => s.ended));
  }

  async drainTimers(): Promise<number> {
    const ends = await Promise.all(this.steps!.map((s) => s.drained));
    return Math.max(this.clockStart, ...ends);
  }

  /** The threads' output files merged, and their counters added up. */
  async finish(): Promise<Finished> {
    const { journeyId, messages, skipped } = this.output;
    const finished = await Promise.all(this.steps!.map((s) => s.finished));
    this.finished = finished;
    const parts = (file: string) => this.shards.map((_, i) => partFile(file, i));
    const start = performance.now();
    try {
      await mergeByTime(parts(messages), messages, 'sentAt');
      await mergeByTime(parts(skipped), skipped, 'at');
    } finally {
      for (const file of [...parts(messages), ...parts(skipped)]) rmSync(file, { force: true });
    }
    this.mergeMs = performance.now() - start;
    const [first] = finished;
    const stats = statsView(journeyId, addRows(finished.map((f) => f.rows)), first!.versions, first!.draft, addRows(finished.map((f) => f.waiting)));
    return { written: addWritten(finished.map((f) => f.written)), stats, users: finished.reduce((n, f) => n + f.users, 0) };
  }

  /**
   * Stops every thread and removes its database, whether the run completed or not. A run that did not finish
   * (a failure, an abort) has its threads ended at once: a call to close would wait behind their work.
   */
  async close(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.stop(this.finished !== null)));
    for (let i = 0; i < this.shards.length; i++) {
      const parts = { messages: partFile(this.output.messages, i), skipped: partFile(this.output.skipped, i) };
      removeUnfinished(parts);
      for (const file of [parts.messages, parts.skipped]) rmSync(file, { force: true });
    }
  }
}

/** Rows of the same counter (version, node, metric) added up, in the store's order. */
function addRows<R extends StatRow | WaitingRow>(parts: R[][]): R[] {
  const key = (r: R) => `${r.version}\u0000${r.nodeId}\u0000${'metric' in r ? r.metric : ''}`;
  const added = new Map<string, R>();
  for (const rows of parts) {
    for (const row of rows) {
      const seen = added.get(key(row));
      if (seen) seen.count += row.count;
      else added.set(key(row), { ...row });
    }
  }
  // Within a version the key orders by node, then metric (\u0000 sorts before any character of a name).
  return [...added.values()].sort((a, b) => a.version - b.version || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** One thread: its calls, the events gathered for it (as shard-worker.ts's take reads them), the posts it has not answered yet. */
class Shard {
  readonly lines: string[] = [];
  readonly messageIds: string[] = [];
  readonly timestamps: number[] = [];
  readonly seenBefore: number[] = [];
  readonly othersSince: number[] = [];
  /** The latest time of the other threads' events since this one's last event. */
  since = -Infinity;
  progress: { virtualTime: number; timersFired: number };
  private readonly worker: Worker;
  private readonly calls = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly pending: Promise<unknown>[] = [];
  private nextId = 0;
  private dead: Error | null = null;

  constructor(
    private readonly config: ShardConfig,
    clockStart: number,
  ) {
    this.progress = { virtualTime: clockStart, timersFired: 0 };
    this.worker = new Worker(threadEntry(import.meta.url, 'shard-worker'), { workerData: config, resourceLimits: UNIT_THREAD_LIMITS });
    this.worker.on('message', (message: ShardMessage) => {
      if ('progress' in message) {
        this.progress = message.progress;
        return;
      }
      const call = this.calls.get(message.id);
      this.calls.delete(message.id);
      if (!call) return;
      if ('error' in message) call.reject(message.error.problems ? new InvalidJourneyError(message.error.problems) : new Error(message.error.message));
      else call.resolve(message.value);
    });
    const died = (error: Error) => {
      this.dead ??= error;
      for (const call of this.calls.values()) call.reject(this.dead);
      this.calls.clear();
    };
    this.worker.on('error', died);
    this.worker.on('exit', (code) => died(new Error(`a simulation thread exited (code ${code})`)));
  }

  call(method: ShardMethod, ...args: unknown[]): Promise<unknown> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.worker.postMessage({ id, method, args } satisfies ShardCall);
    });
  }

  /** A call not waited for, unless IN_FLIGHT are unanswered already: then the oldest is. Errors surface there. */
  async post(method: ShardMethod, ...args: unknown[]): Promise<void> {
    const answer = this.call(method, ...args);
    answer.catch(() => {}); // seen when awaited below or by settle()
    this.pending.push(answer);
    if (this.pending.length > IN_FLIGHT) await this.pending.shift();
  }

  /** Hands over the events gathered. */
  async sendEvents(): Promise<void> {
    if (this.lines.length === 0) return;
    await this.post('take', this.lines.splice(0), this.messageIds.splice(0), this.timestamps.splice(0), this.seenBefore.splice(0), this.othersSince.splice(0));
  }

  /** Waits for every post. */
  async settle(): Promise<void> {
    while (this.pending.length > 0) await this.pending.shift();
  }

  async stop(graceful: boolean): Promise<void> {
    try {
      if (graceful && !this.dead) await this.call('close');
    } catch {
      // a thread that failed is ended below all the same
    }
    await this.worker.terminate();
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(this.config.dbFile + suffix, { force: true });
  }
}
