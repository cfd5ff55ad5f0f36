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
 * files are streamed from the store's message log (sorted by SQLite).
 *
 * Output: messages.ndjson holds the sent messages in sentAt order (ties in the order they were decided), as the
 * batching may decide a later send before an earlier one; skipped.ndjson the skipped ones in the order
 * they were decided; stats.json the simulated journey's stats exactly as GET /v1/journeys/:id/stats answers.
 */
import { closeSync, existsSync, promises as fs, openSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { StatsView } from '../app/views.ts';
import { openSqliteStore } from '../store/open.ts';
import { exportMessages } from '../store/sqlite/message-export.ts';
import type { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { ProfileUpsert } from '../store/store.ts';
import type { ProjectSettings } from '../core/settings.ts';
import { journeyIdFromFile, readJourney } from './journey-file.ts';
import { openLines } from './lines.ts';
import { DEFAULT_START, LineError, parseEventLine, parseInstant, parseProfileLine } from './records.ts';
import { SimulationRun, type Timings } from './run.ts';
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
  /** The simulated journey's stats, as the API's GET /v1/journeys/:id/stats answers (and as in stats.json). */
  stats: StatsView;
  /** Wall milliseconds spent in each part of the run. */
  timings: Timings;
  files: { messages: string; skipped: string; stats: string; db: string | null };
}

export class SimulationError extends Error {}

const PROFILE_BATCH = 2_000;
/** Characters of output gathered before each write. */
const OUTPUT_CHUNK = 1 << 20;

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

  // The clock starts at --start, or at the first event when it has its own timestamp and no start was given.
  const first = await firstEvent(options.events, start);
  const clockStart = options.start === undefined && first !== null && first.form === 'native' ? first.event.timestamp : start;

  await fs.mkdir(options.out, { recursive: true });
  const dbFile = options.db ?? join(options.out, `.simulation-${process.pid}-${Date.now()}.db`);
  let completed = false;
  const progress: SimulationProgress = { phase: 'profiles', profiles: 0, events: 0, bytesRead: 0, bytesTotal: 0, virtualTime: clockStart, timersFired: 0 };
  let run: SimulationRun | null = null;
  let lastReport = 0;
  const report = (force = false) => {
    if (!options.onProgress) return;
    const t = performance.now();
    if (!force && t - lastReport < interval) return;
    lastReport = t;
    progress.virtualTime = run?.clock.now() ?? clockStart;
    progress.timersFired = run?.timersFired ?? 0;
    options.onProgress({ ...progress });
  };
  const checkAborted = () => {
    if (options.signal?.aborted) throw new SimulationError('the simulation was interrupted');
  };

  try {
    const readStart = performance.now();
    run = await SimulationRun.open({
      store: openSqliteStore(dbFile, { durability: 'fast' }),
      clockStart,
      settings,
      journeys: [...companions, { id: journeyId, definition }],
      ...(options.commitEvery !== undefined ? { commitEvery: options.commitEvery } : {}),
      onUnit: () => {
        report();
        checkAborted();
      },
    });
    const r = run;

    // Profiles, in batches, before any event.
    if (profiles) {
      progress.bytesTotal = profiles.size;
      let batch: ProfileUpsert[] = [];
      for await (const lines of profiles) {
        for (const line of lines) {
          const p = inFile(options.profiles!, () => parseProfileLine(line.text, line.n));
          if (p) batch.push(p);
        }
        if (batch.length >= PROFILE_BATCH) {
          await r.addProfiles(batch);
          progress.profiles += batch.length;
          batch = [];
        }
        progress.bytesRead = profiles.bytesRead;
        report();
        checkAborted();
      }
      await r.addProfiles(batch);
      progress.profiles += batch.length;
    }

    // Events, with the timers due between them.
    progress.phase = 'events';
    progress.bytesRead = 0;
    progress.bytesTotal = events.size;
    report(true);
    let lastAt = -Infinity;
    for await (const lines of events) {
      for (const line of lines) {
        const parsed = inFile(options.events, () => parseEventLine(line.text, line.n, start));
        if (!parsed) continue;
        const t = parsed.event.timestamp;
        if (t < clockStart) throw new SimulationError(`${options.events}: line ${line.n}: the event at ${iso(t)} is before the simulation start ${iso(clockStart)}`);
        lastAt = Math.max(lastAt, t);
        progress.events += 1;
        await r.take(parsed.event);
      }
      progress.bytesRead = events.bytesRead;
      report();
      checkAborted();
    }
    await r.endEvents(until, lastAt === -Infinity ? clockStart : lastAt);
    const timings = r.timings;
    timings.read = performance.now() - readStart - timings.ingest - timings.timers - timings.nextWake - timings.commit;
    progress.phase = 'timers';
    progress.bytesRead = events.size;
    report(true);
    const endTime = await r.drainTimers();

    // Output, streamed from the message log.
    progress.phase = 'output';
    report(true);
    await fs.mkdir(options.out, { recursive: true });
    const files = { messages: join(options.out, 'messages.ndjson'), skipped: join(options.out, 'skipped.ndjson'), stats: join(options.out, 'stats.json') };
    const outputStart = performance.now();
    const written = writeMessages(r.store, files.messages, files.skipped);
    timings.output = performance.now() - outputStart;
    const stats = await r.stats(journeyId);
    await fs.writeFile(files.stats, `${JSON.stringify(stats, null, 2)}\n`);
    const users = await r.store.eventUserCount();

    const wallMs = performance.now() - wallStart;
    completed = true;
    return {
      journeyId,
      users,
      profiles: progress.profiles,
      events: progress.events,
      accepted: r.accepted,
      duplicates: r.duplicates,
      sent: written.sent,
      sentTotal: Object.values(written.sent).reduce((a, b) => a + b, 0),
      skipped: written.skipped,
      failed: written.failed,
      timersFired: r.timersFired,
      ingestCalls: r.ingestCalls,
      timerRuns: r.timerRuns,
      startTime: iso(clockStart),
      endTime: iso(endTime),
      wallMs,
      eventsPerSecond: progress.events / (wallMs / 1000),
      stats,
      timings: roundTimings(timings),
      files: { ...files, db: options.db === undefined ? null : resolve(options.db) },
    };
  } finally {
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

/**
 * Writes the sent and the skipped messages and counts them. Synchronous from end to end: the rows come from an
 * open SQLite statement, so nothing else may use the connection meanwhile (see exportMessages).
 */
function writeMessages(store: SqliteStore, messagesFile: string, skippedFile: string) {
  const sent: Record<string, number> = {};
  let skipped = 0;
  let failed = 0;
  writeLines(messagesFile, exportMessages(store, 'sent', 'sentAt'), (m) => {
    sent[m.channel] = (sent[m.channel] ?? 0) + 1;
    return { userId: m.userId, channel: m.channel, nodeId: m.nodeId, sentAt: iso(m.sentAt!), journeyId: m.journeyId, content: m.content };
  });
  writeLines(skippedFile, exportMessages(store, 'skipped', 'seq'), (m) => {
    skipped += 1;
    return { userId: m.userId, channel: m.channel, nodeId: m.nodeId, at: iso(m.createdAt), reason: m.reason };
  });
  for (const _ of exportMessages(store, 'failed', 'seq')) failed += 1;
  return { sent: sortKeys(sent), skipped, failed };
}

function writeLines<T>(file: string, items: Iterable<T>, line: (item: T) => unknown): void {
  const fd = openSync(file, 'w');
  try {
    let text = '';
    for (const item of items) {
      text += `${JSON.stringify(line(item))}\n`;
      if (text.length >= OUTPUT_CHUNK) {
        writeSync(fd, text);
        text = '';
      }
    }
    if (text) writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function roundTimings(t: Timings): Timings {
  const out = { ...t };
  for (const key of Object.keys(out) as (keyof Timings)[]) out[key] = Math.round(out[key]);
  return out;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
