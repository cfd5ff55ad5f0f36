/**
 * Simulation: runs one journey over a recorded stream of events on a virtual clock, through the same engine
 * and the same embedded SQLite store as production, and writes what would have been sent. The engine loop
 * (ordering, timers between events, group commit) is run.ts, shared with backtests; this reads the files
 * and writes the output.
 *
 * Events are read in arrival order (a late one is taken when it arrives, see run.ts), and none may come before
 * the clock's start: a line that does is an error naming it.
 *
 * Memory stays flat: both input files are streamed, at most one batch of events is held, and the output
 * files are written as the run commits its messages (output.ts).
 *
 * Threads: a large file runs on one thread a core, each with its share of the users (shards.ts); the results
 * are the same as on one.
 *
 * Output: messages.ndjson holds the sent messages in sentAt order (ties in the order they were decided), as the
 * batching may decide a later send before an earlier one; skipped.ndjson the skipped ones in the order
 * they were decided; stats.json the simulated journey's stats exactly as GET /v1/journeys/:id/stats answers.
 * On several threads each thread's files are in that order, and they are merged by time (ties: the first
 * thread's first), so lines of the same millisecond may come in another order than on one thread.
 */
import { existsSync, promises as fs } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { StatsView } from '../app/views.ts';
import { openSqliteStore } from '../store/open.ts';
import type { ProfileUpsert } from '../store/store.ts';
import type { ProjectSettings } from '../core/settings.ts';
import { journeyIdFromFile, readJourney } from './journey-file.ts';
import { openLines } from './lines.ts';
import { MessageOutput } from './output.ts';
import { DEFAULT_START, LineError, parseEventLine, parseInstant, parseProfileLine } from './records.ts';
import { throwawayStore, type Timings } from './run.ts';
import { LocalRunner, type SimulationRunner } from './runner.ts';
import { ShardedRunner } from './shards.ts';
import { readSettingsFile } from './settings-file.ts';

export type { Timings } from './run.ts';

export interface SimulationOptions {
  /** The journey definition: a JSON file, or the definition itself. */
  journey: string | { definition: unknown; id: string };
  /** Journey id; by default the journey file's name. */
  journeyId?: string;
  /**
   * Other journeys (files) to run alongside, each under its file's name, e.g. the one whose node triggers the
   * simulated journey. Published first; messages.ndjson and skipped.ndjson hold every journey's messages (each
   * names its journeyId), stats.json the simulated journey's stats.
   */
  with?: string[];
  /**
   * Project settings (the project's time zone, frequency caps), as PUT /v1/settings takes them: a JSON file, or
   * the settings themselves. Default none: UTC, no caps.
   */
  settings?: string | ProjectSettings;
  /** NDJSON profiles: {userId, ...traits} or {userId, traits}. */
  profiles?: string;
  /** NDJSON events, in time order: workload form {at, ...} or native form {timestamp, ...}. */
  events: string;
  /** Where workload `at` offsets count from (ISO 8601 or epoch ms); default 2026-01-01T00:00:00Z. */
  start?: string | number;
  /**
   * Scheduled entries (segment and date-property triggers) run at their moments up to here (ISO 8601 or epoch
   * ms); default: the last event's time. Timers set by then still fire to the end.
   */
  until?: string | number;
  /** Output directory, created if missing. */
  out: string;
  /**
   * Keep the simulation's SQLite database in this file (must not exist yet; removed again if the run fails). By default a
   * temporary file in `out`, deleted at the end.
   */
  db?: string;
  onProgress?: (progress: SimulationProgress) => void;
  /** Least wall time between two progress reports; default 200 ms. */
  progressIntervalMs?: number;
  /** Units of work (an ingest or a timer firing) per SQLite commit; 1 commits each on its own. Default 20000. */
  commitEvery?: number;
  /** Stops the run (it then rejects, and the temporary database is removed). */
  signal?: AbortSignal;
  /**
   * Threads to run on, each with its share of the users (shards.ts): the results are the same on any number.
   * Default: one for an events file under 8 MB, else one a core (at most 4). `db` needs one.
   */
  threads?: number;
}

export interface SimulationProgress {
  phase: 'profiles' | 'events' | 'timers' | 'output';
  profiles: number;
  events: number;
  /** Bytes of the file the phase is reading, and its size (profiles and events phases). */
  bytesRead: number;
  bytesTotal: number;
  /** The virtual clock, epoch ms. */
  virtualTime: number;
  timersFired: number;
}

export interface SimulationResult {
  journeyId: string;
  /** Distinct users with at least one event. */
  users: number;
  profiles: number;
  events: number;
  accepted: number;
  duplicates: number;
  sent: Record<string, number>;
  sentTotal: number;
  skipped: number;
  failed: number;
  /** Instances advanced by timers. */
  timersFired: number;
  /** engine.ingestNow calls and engine.runDue calls made. */
  ingestCalls: number;
  timerRuns: number;
  startTime: string;
  /** The virtual clock when the last timer had fired. */
  endTime: string;
  wallMs: number;
  eventsPerSecond: number;
  /** Threads the run took (see SimulationOptions.threads). */
  threads: number;
  /** The simulated journey's stats, as the API's GET /v1/journeys/:id/stats answers (and as in stats.json). */
  stats: StatsView;
  /** Wall milliseconds spent in each part of the run. */
  timings: Timings;
  files: { messages: string; skipped: string; stats: string; db: string | null };
}

export class SimulationError extends Error {}

const PROFILE_BATCH = 2_000;
/**
 * Threads by default: one for an events file under 8 MB (about 40,000 events, a few seconds: a thread costs
 * more to start than it saves), else one a core, at most 4.
 */
const THREADS_FROM_BYTES = 8 << 20;
const MAX_DEFAULT_THREADS = 4;

export async function simulate(options: SimulationOptions): Promise<SimulationResult> {
  const wallStart = performance.now();
  const start = options.start === undefined ? DEFAULT_START : parseInstant(options.start, 'start');
  const until = options.until === undefined ? null : parseInstant(options.until, 'until');
  const interval = options.progressIntervalMs ?? 200;

  // Read and check everything cheap before creating any file.
  const journeyId = options.journeyId ?? (typeof options.journey === 'string' ? journeyIdFromFile(options.journey) : options.journey.id);
  const definition = typeof options.journey === 'string' ? (await readJourney(options.journey)).definition : options.journey.definition;
  const settings = typeof options.settings === 'string' ? await readSettingsFile(options.settings) : options.settings;
  const companions = await Promise.all((options.with ?? []).map(async (file) => ({ id: journeyIdFromFile(file), definition: (await readJourney(file)).definition })));
  const clash = companions.find((c) => c.id === journeyId) ?? companions.find((c, i) => companions.findIndex((d) => d.id === c.id) !== i);
  if (clash) throw new SimulationError(`two journeys would both be "${clash.id}"; rename a file (or use --journey-id)`);
  const events = await openLines(options.events, 'events file');
  const profiles = options.profiles === undefined ? null : await openLines(options.profiles, 'profiles file');
  if (options.db !== undefined && existsSync(options.db)) throw new SimulationError(`database ${options.db} already exists; a simulation starts from an empty one`);
  if (options.threads !== undefined && !(Number.isInteger(options.threads) && options.threads >= 1 && options.threads <= 64)) {
    throw new SimulationError(`threads must be a whole number from 1 to 64, not ${options.threads}`);
  }
  if (options.db !== undefined && options.threads !== undefined && options.threads > 1) throw new SimulationError('a kept database (--db) is one file: it needs one thread (--threads 1)');
  const threads = options.threads ?? (options.db !== undefined || events.size < THREADS_FROM_BYTES ? 1 : Math.min(availableParallelism(), MAX_DEFAULT_THREADS));

  // The clock starts at --start, or at the first event when it has its own timestamp and no start was given.
  const first = await firstEvent(options.events, start);
  const clockStart = options.start === undefined && first !== null && first.form === 'native' ? first.event.timestamp : start;

  await fs.mkdir(options.out, { recursive: true });
  const dbFile = options.db ?? join(options.out, `.simulation-${process.pid}-${Date.now()}.db`);
  let completed = false;
  const progress: SimulationProgress = { phase: 'profiles', profiles: 0, events: 0, bytesRead: 0, bytesTotal: 0, virtualTime: clockStart, timersFired: 0 };
  let run: SimulationRunner | null = null;
  let lastReport = 0;
  const report = (force = false) => {
    if (!options.onProgress) return;
    const t = performance.now();
    if (!force && t - lastReport < interval) return;
    lastReport = t;
    // During the events the reader's time: the threads (if several) may be behind it by a few chunks.
    const engine = run?.progress();
    progress.virtualTime = progress.phase === 'events' ? readerTime : (engine?.virtualTime ?? clockStart);
    progress.timersFired = engine?.timersFired ?? 0;
    options.onProgress({ ...progress });
  };
  const checkAborted = () => {
    if (options.signal?.aborted) throw new SimulationError('the simulation was interrupted');
  };

  let readerTime = clockStart;
  // On several threads the engine runs elsewhere: progress is reported, and an abort heard, on a timer.
  let ticker: ReturnType<typeof setInterval> | null = null;
  let interrupted: (() => void) | null = null;
  const stopped = new Promise<never>((_, reject) => {
    interrupted = () => reject(new SimulationError('the simulation was interrupted'));
  });
  stopped.catch(() => {});
  const untilStopped = <T>(work: Promise<T>): Promise<T> => (threads === 1 ? work : Promise.race([work, stopped]));

  try {
    const readStart = performance.now();
    const journeys = [...companions, { id: journeyId, definition }];
    const files = { messages: join(options.out, 'messages.ndjson'), skipped: join(options.out, 'skipped.ndjson'), stats: join(options.out, 'stats.json') };
    const output = { journeyId, messages: files.messages, skipped: files.skipped };
    if (threads === 1) {
      const messages = new MessageOutput(files);
      const onMessages = messages.take.bind(messages);
      // Until the runner holds it, a failure here is the output's to clean up: the store's own opening included.
      try {
        run = await LocalRunner.open(
          {
            // A kept database (--db) has every index and every message, to be served and read; a temporary one
            // only what the engine reads back.
            store: options.db === undefined ? throwawayStore(dbFile, { settings, journeys, onMessages }) : openSqliteStore(dbFile, { durability: 'fast', onMessages }),
            clockStart,
            settings,
            journeys,
            ...(options.commitEvery !== undefined ? { commitEvery: options.commitEvery } : {}),
            onUnit: () => {
              report();
              checkAborted();
            },
          },
          journeyId,
          messages,
        );
      } catch (error) {
        messages.discard();
        throw error;
      }
    } else run = await ShardedRunner.open({ threads, dir: options.out, clockStart, settings, journeys, commitEvery: options.commitEvery, output });
    const r = run;
    if (threads > 1) {
      ticker = setInterval(() => {
        report();
        if (options.signal?.aborted) interrupted!();
      }, Math.max(interval, 50));
    }

    // Profiles, in batches, before any event.
    if (profiles) {
      progress.bytesTotal = profiles.size;
      let batch: ProfileUpsert[] = [];
      let texts: string[] = [];
      for await (const lines of profiles) {
        for (const line of lines) {
          const p = inFile(options.profiles!, () => parseProfileLine(line.text, line.n));
          if (p) {
            batch.push(p);
            texts.push(line.text);
          }
        }
        if (batch.length >= PROFILE_BATCH) {
          await r.addProfiles(batch, texts);
          progress.profiles += batch.length;
          batch = [];
          texts = [];
        }
        progress.bytesRead = profiles.bytesRead;
        report();
        checkAborted();
      }
      await r.addProfiles(batch, texts);
      progress.profiles += batch.length;
    }

    // Events, with the timers due between them.
    progress.phase = 'events';
    progress.bytesRead = 0;
    progress.bytesTotal = events.size;
    report(true);
    let lastAt = -Infinity;
    // A message id a line gave again makes its event a duplicate: dropped here, as a server drops one, on any
    // number of threads. The store cannot tell, as it keeps only the events its journeys read back. A derived id
    // is unique to its line, so only given ones are kept (about 100 bytes each).
    const givenIds = new Set<string>();
    let duplicates = 0;
    for await (const lines of events) {
      for (const line of lines) {
        const parsed = inFile(options.events, () => parseEventLine(line.text, line.n, start));
        if (!parsed) continue;
        const t = parsed.event.timestamp;
        if (t < clockStart) throw new SimulationError(`${options.events}: line ${line.n}: the event at ${iso(t)} is before the simulation start ${iso(clockStart)}`);
        progress.events += 1;
        if (parsed.idGiven) {
          if (givenIds.has(parsed.event.messageId)) {
            duplicates += 1;
            continue;
          }
          givenIds.add(parsed.event.messageId);
        }
        await r.take(parsed.event, line.text, lastAt);
        lastAt = Math.max(lastAt, t);
        readerTime = lastAt;
      }
      progress.bytesRead = events.bytesRead;
      report();
      checkAborted();
    }
    await untilStopped(r.endEvents(until, lastAt === -Infinity ? clockStart : lastAt));
    // On one thread reading is what the engine's parts leave of the time so far; on several it overlaps them.
    const readMs = performance.now() - readStart - (threads === 1 ? engineMs(r.timings()) : 0);
    progress.phase = 'timers';
    progress.bytesRead = events.size;
    report(true);
    const endTime = await untilStopped(r.drainTimers());

    // Output, streamed from the message log.
    progress.phase = 'output';
    report(true);
    await fs.mkdir(options.out, { recursive: true });
    const { written, stats, users } = await untilStopped(r.finish());
    await fs.writeFile(files.stats, `${JSON.stringify(stats, null, 2)}\n`);
    const timings = { ...r.timings(), read: readMs };
    const counts = r.counts();

    const wallMs = performance.now() - wallStart;
    completed = true;
    return {
      journeyId,
      users,
      profiles: progress.profiles,
      events: progress.events,
      accepted: counts.accepted,
      duplicates: duplicates + counts.duplicates,
      sent: written.sent,
      sentTotal: Object.values(written.sent).reduce((a, b) => a + b, 0),
      skipped: written.skipped,
      failed: written.failed,
      timersFired: counts.timersFired,
      ingestCalls: counts.ingestCalls,
      timerRuns: counts.timerRuns,
      startTime: iso(clockStart),
      endTime: iso(endTime),
      wallMs,
      eventsPerSecond: progress.events / (wallMs / 1000),
      threads,
      stats,
      timings: roundTimings(timings),
      files: { ...files, db: options.db === undefined ? null : resolve(options.db) },
    };
  } finally {
    if (ticker) clearInterval(ticker);
    if (run) await run.close();
    // The temporary database always goes; a --db file is kept only when the run completed (a half-made one would be refused next time).
    if (options.db === undefined || !completed) {
      for (const suffix of ['', '-wal', '-shm']) await fs.rm(dbFile + suffix, { force: true });
    }
  }
}

/** A bad line's error, prefixed with the file it is in. */
function inFile<T>(file: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof LineError) throw new SimulationError(`${file}: ${error.message}`);
    throw error;
  }
}

/** The first event of the file, read on its own (the main pass reads it again). */
async function firstEvent(file: string, start: number) {
  for await (const lines of await openLines(file, 'events file', 1 << 16)) {
    for (const line of lines) {
      const parsed = inFile(file, () => parseEventLine(line.text, line.n, start));
      if (parsed) return parsed;
    }
  }
  return null;
}

/** The engine's parts of a run's time so far. */
function engineMs(t: Timings): number {
  return t.ingest + t.timers + t.nextWake + t.commit;
}

function roundTimings(t: Timings): Timings {
  const out = { ...t };
  for (const key of Object.keys(out) as (keyof Timings)[]) out[key] = Math.round(out[key]);
  return out;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
