/**
 * Simulation: runs one journey over a recorded stream of events on a virtual clock, through the same engine
 * and the same embedded SQLite store as production, and writes what would have been sent.
 *
 * Determinism and ordering: events are taken in file order, as they would arrive. An event that happened before
 * one already read (a late delivery) is taken at that one's time, as the live server takes it on arrival (see
 * DecideOptions.arrivedBy); scheduled entries are taken at their own time. Before an event at time t is
 * ingested, every timer due strictly before t fires, in due-time order, with the clock set to its due time; an
 * event at exactly a timer's due time is processed first (so a goal in the same millisecond as a send prevents
 * it). Events are ingested in batches spanning time, each event at its own time (the engine's 'occurrence'
 * time), so the result is identical to feeding them one by one. After the last event the
 * clock jumps from one due timer to the next until none is left.
 *
 * Speed without changing results: many units of work (ingests, timer firings) are grouped into one SQLite
 * transaction (the engine's own transactions nest as savepoints). Delivery is the built-in outbox, which the
 * engine records as sent in the unit of work that decided the send, so sentAt is that unit's virtual time.
 *
 * Memory stays flat: both input files are streamed, at most one timestamp's events are held, and the output
 * files are streamed from the store's message log (sorted by SQLite).
 *
 * Output: messages.ndjson holds the sent messages in sentAt order (ties in the order they were decided), as the
 * batching above may decide a later send before an earlier one; skipped.ndjson the skipped ones in the order
 * they were decided; stats.json the simulated journey's stats exactly as GET /v1/journeys/:id/stats answers.
 */
import { closeSync, existsSync, promises as fs, openSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { journeyStats } from '../app/stats.ts';
import type { StatsView } from '../app/views.ts';
import { openWaymark, type Waymark } from '../app/waymark.ts';
import { VirtualClock } from '../core/clock.ts';
import type { JourneyEvent } from '../core/instance.ts';
import { openSqliteStore } from '../store/open.ts';
import { exportMessages } from '../store/sqlite/message-export.ts';
import type { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { ProfileUpsert } from '../store/store.ts';
import type { ProjectSettings } from '../core/settings.ts';
import { journeyIdFromFile, readJourney } from './journey-file.ts';
import { openLines } from './lines.ts';
import { DEFAULT_START, LineError, parseEventLine, parseInstant, parseProfileLine } from './records.ts';
import { readSettingsFile } from './settings-file.ts';

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
  /** NDJSON events in arrival order (mostly time order; see above for late ones): workload form {at, ...} or native form {timestamp, ...}. */
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

export interface Timings {
  /** Reading and parsing profiles and events, loading profiles, and the simulator's own bookkeeping. */
  read: number;
  ingest: number;
  timers: number;
  nextWake: number;
  dispatch: number;
  commit: number;
  output: number;
}

export class SimulationError extends Error {}

/** Events per engine call: large enough that a commit's fixed cost is spread thin. */
const MAX_BATCH = 5_000;
const PROFILE_BATCH = 2_000;
/** Characters of output gathered before each write. */
const OUTPUT_CHUNK = 1 << 20;

export async function simulate(options: SimulationOptions): Promise<SimulationResult> {
  const wallStart = performance.now();
  const start = options.start === undefined ? DEFAULT_START : parseInstant(options.start, 'start');
  const until = options.until === undefined ? null : parseInstant(options.until, 'until');
  const commitEvery = Math.max(1, options.commitEvery ?? 20_000);
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
  const clock = new VirtualClock(clockStart);
  const store = openSqliteStore(dbFile, { durability: 'fast' });
  let waymark: Waymark | null = null;
  let completed = false;
  const progress: SimulationProgress = { phase: 'profiles', profiles: 0, events: 0, bytesRead: 0, bytesTotal: 0, virtualTime: clockStart, timersFired: 0 };
  let lastReport = 0;
  const report = (force = false) => {
    if (!options.onProgress) return;
    const t = performance.now();
    if (!force && t - lastReport < interval) return;
    lastReport = t;
    progress.virtualTime = clock.now();
    options.onProgress({ ...progress });
  };

  const timings: Timings = { read: 0, ingest: 0, timers: 0, nextWake: 0, dispatch: 0, commit: 0, output: 0 };
  const checkAborted = () => {
    if (options.signal?.aborted) throw new SimulationError('the simulation was interrupted');
  };

  try {
    waymark = await openWaymark({ database: store, clock, realtime: false, time: 'occurrence' });
    const w = waymark;
    const readStart = performance.now();
    // Before any publish: publishing is what makes the engine read the settings again.
    if (settings !== undefined) await w.store.saveSettings(settings, clock.now());
    for (const companion of companions) {
      await w.journeys.create(companion);
      await w.journeys.publish(companion.id);
    }
    await w.journeys.create({ id: journeyId, definition });
    await w.journeys.publish(journeyId);

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
          await w.store.upsertProfiles(batch, clock.now());
          progress.profiles += batch.length;
          batch = [];
        }
        progress.bytesRead = profiles.bytesRead;
        report();
        checkAborted();
      }
      if (batch.length > 0) await w.store.upsertProfiles(batch, clock.now());
      progress.profiles += batch.length;
    }

    // Events, with the timers due between them.
    progress.phase = 'events';
    progress.bytesRead = 0;
    progress.bytesTotal = events.size;
    report(true);
    let accepted = 0;
    let duplicates = 0;
    let ingestCalls = 0;
    let timerRuns = 0;
    let batch: JourneyEvent[] = [];
    /** The latest time of the events read so far, and of those ingested before the batch (see take). */
    let lastAt = -Infinity;
    let arrivedBy = -Infinity;
    const tx = new GroupCommit(store, commitEvery, timings);

    const dispatch = async () => {
      const t0 = performance.now();
      await w.engine.dispatch();
      timings.dispatch += performance.now() - t0;
    };
    /**
     * Fires every timer due at or before `until`, each at its own due time (the engine runs in occurrence
     * time). Firing one may set another due before `until` (a short delay), so repeat until none is left;
     * durations are at least 1 ms, so this ends.
     */
    const fireTimersUntil = async (until: number) => {
      for (;;) {
        const t0 = performance.now();
        const fired = await w.engine.runDue(until);
        await w.engine.drainInbox(); // journeys these steps triggered
        timings.timers += performance.now() - t0;
        timerRuns += 1;
        tx.unit();
        if (fired === 0) return;
        progress.timersFired += fired;
        report();
        checkAborted();
      }
    };
    /**
     * A batch spans time: timers due before its first event fire first; within it, the engine fires a user's
     * earlier timers before that user's event, and timers of users with no event in it fire with the next
     * batch at their own times. The result is the same as taking events and timers one by one.
     */
    /** Runs the scheduled entries due up to `until`, each at its own moment, timers before it first. */
    const runScheduledUntil = async (until: number) => {
      for (;;) {
        const next = w.engine.nextScheduledAt();
        if (next === null || next > until) return;
        await fireTimersUntil(next - 1);
        clock.set(Math.max(clock.now(), next));
        const t0 = performance.now();
        await w.engine.runScheduled();
        await w.engine.drainInbox();
        timings.ingest += performance.now() - t0;
        tx.unit();
        checkAborted();
      }
    };
    const ingest = async () => {
      if (batch.length === 0) return;
      await runScheduledUntil(batch[0]!.timestamp - 1);
      await fireTimersUntil(batch[0]!.timestamp - 1);
      clock.set(Math.max(clock.now(), lastAt));
      const t0 = performance.now();
      const result = await w.engine.ingestNow(batch, arrivedBy);
      arrivedBy = lastAt;
      await w.engine.drainInbox();
      timings.ingest += performance.now() - t0;
      accepted += result.accepted;
      duplicates += result.duplicates;
      ingestCalls += 1;
      batch = [];
      tx.unit();
    };

    const take = async (e: JourneyEvent, n: number) => {
      const t = e.timestamp;
      if (t < clockStart) throw new SimulationError(`${options.events}: line ${n}: the event at ${iso(t)} is before the simulation start ${iso(clockStart)}`);
      // A late event (before one read already) stays in line: the engine takes it when it arrives.
      lastAt = Math.max(lastAt, t);
      batch.push(e);
      progress.events += 1;
      if (batch.length >= MAX_BATCH) await ingest();
    };

    tx.begin();
    for await (const lines of events) {
      for (const line of lines) {
        const parsed = inFile(options.events, () => parseEventLine(line.text, line.n, start));
        if (parsed) await take(parsed.event, line.n);
      }
      progress.bytesRead = events.bytesRead;
      report();
      checkAborted();
    }
    await ingest();
    await runScheduledUntil(until ?? (lastAt === -Infinity ? clockStart : lastAt));
    timings.read = performance.now() - readStart - timings.ingest - timings.timers - timings.nextWake - timings.commit;
    progress.phase = 'timers';
    progress.bytesRead = events.size;
    report(true);
    // Then every timer still set, stretch by stretch, so the end time is the last one that fired.
    let endTime = clock.now();
    for (;;) {
      const last = await store.lastWakeAt();
      if (last === null) break;
      await fireTimersUntil(last);
      endTime = Math.max(endTime, last);
    }
    clock.set(endTime);
    await dispatch();
    tx.commit();

    // Output, streamed from the message log.
    progress.phase = 'output';
    report(true);
    await fs.mkdir(options.out, { recursive: true });
    const files = { messages: join(options.out, 'messages.ndjson'), skipped: join(options.out, 'skipped.ndjson'), stats: join(options.out, 'stats.json') };
    const outputStart = performance.now();
    const written = writeMessages(store, files.messages, files.skipped);
    timings.output = performance.now() - outputStart;
    const stats = await journeyStats(w.store, journeyId);
    await fs.writeFile(files.stats, `${JSON.stringify(stats, null, 2)}\n`);
    const users = await store.eventUserCount();

    const wallMs = performance.now() - wallStart;
    completed = true;
    return {
      journeyId,
      users,
      profiles: progress.profiles,
      events: progress.events,
      accepted,
      duplicates,
      sent: written.sent,
      sentTotal: Object.values(written.sent).reduce((a, b) => a + b, 0),
      skipped: written.skipped,
      failed: written.failed,
      timersFired: progress.timersFired,
      ingestCalls,
      timerRuns,
      startTime: iso(clockStart),
      endTime: iso(endTime),
      wallMs,
      eventsPerSecond: progress.events / (wallMs / 1000),
      stats,
      timings: roundTimings(timings),
      files: { ...files, db: options.db === undefined ? null : resolve(options.db) },
    };
  } finally {
    store.rollbackGroup();
    if (waymark) await waymark.close();
    else await store.close();
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
