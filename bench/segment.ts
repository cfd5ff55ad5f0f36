/**
 * Scheduled segment evaluation at scale: `npm run bench -- segment [--profiles 1000000] [--events 10000000]
 * [--seed 1] [--database postgres://...[?schema=NAME]] [--keep [FILE]]`.
 *
 * Setup (timed and reported, not the measured figure): a data set of profiles and events (segment-data.ts)
 * loaded straight into the store's own tables (segment-load.ts), a spot check that 40 profiles and their
 * events read back through the store's own reads equal what was generated, then an independent count, in
 * one SQL statement, of the users the measured segment matches (and the generator's own count of them, made
 * from its arrays). SQLite by default, in a temporary file; with
 * --database, PostgreSQL in the schema named by ?schema= (default bench_segment), dropped and made afresh.
 * --keep FILE (SQLite) keeps the file, and --keep (PostgreSQL) the schema; a later run with the same
 * --profiles, --events and --seed reuses it (setup skipped; what earlier runs wrote is deleted first).
 *
 * Measured, each in a fresh child process (so its memory is the run's alone), through the real engine:
 * openWaymark on the store with a VirtualClock (realtime false), a journey published at PUBLISH_AT whose
 * segment trigger has one run at RUN_AT (a minute after the last event), the clock set to RUN_AT, then
 * `engine.runScheduled(onProgress)`, which pages through the profiles 1,000 at a time with the events the
 * segment needs. Two journeys, one per child:
 *   - evaluate: the worst case, every profile's events read: the segment's two event conditions, no trait
 *     condition, and Viewed Product a million times in 7 days, which nobody reaches: nobody enters;
 *   - enter: all of plan in [pro, business]; Viewed Product >= 3 times in the last 7 days; no Charged in the
 *     last 30 days. Only the 30% of profiles on those plans have their events read. The matches enter (a push
 *     each, through the outbox) and the entered count must equal the independent count, the generator's count
 *     and the journey's "entered" statistic; exit code 1 if not.
 * Reported per run: wall time, profiles scanned per second, users entered, peak RSS, peak private RSS (less
 * the mapped database file) and peak heap (sampled every 250 ms, and after every page, since on SQLite the run
 * never yields to the event loop; plus the kernel's high-water mark of the child's RSS, VmHWM), and where the time went (the store's calls, timed by
 * wrapping them on the store object: scanProfiles, eventsOfUsers with the rows it returned, ingest of the
 * entries, the run's cursor saves; the rest is evaluation and the engine's own work).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { openWaymark } from '../src/app/waymark.ts';
import { VirtualClock } from '../src/core/clock.ts';
import type { Condition } from '../src/core/segment.ts';
import type { RunProgress } from '../src/engine/scheduler.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { statusKb } from './proc.ts';
import type { Store, StoredEvent } from '../src/store/store.ts';
import { Dataset, EVENT_NAMES, GENERATOR_VERSION, PUBLISH_AT, RUN_AT, SEGMENT_RULE } from './segment-data.ts';
import { checkSample, databaseBytes, dropTarget, independentCount, loadData, metaMatches, readMeta, resetRuns, withPool, writeMeta, type Meta, type Target } from './segment-load.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const DEFAULT_SCHEMA = 'bench_segment';

type Variant = 'evaluate' | 'enter';

interface SegmentArgs {
  profiles: number;
  events: number;
  seed: number;
  target: Target;
  /** Keep the database afterwards (and reuse a matching one). */
  keep: boolean;
  /** Internal: run one measured journey in this process. */
  phase: 'all' | 'measure';
  /** The temporary directory of a default SQLite file, removed at the end. */
  tempDir?: string;
  variant: Variant;
}

function parseSegmentArgs(argv: string[]): SegmentArgs {
  const known = new Set(['--profiles', '--events', '--seed', '--database', '--keep', '--phase', '--variant', '--file']);
  const values = new Map<string, string>();
  let keep = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (!known.has(flag)) throw new Error(`unknown option ${flag}; segment takes --profiles N --events N --seed K --database URL --keep [FILE]`);
    const next = argv[i + 1];
    if (flag === '--keep') {
      keep = true;
      if (next !== undefined && !next.startsWith('--')) values.set('--file', argv[++i]!);
      continue;
    }
    if (next === undefined) throw new Error(`${flag} needs a value`);
    values.set(flag, next);
    i++;
  }
  const whole = (flag: string, fallback: number, min: number): number => {
    const text = values.get(flag);
    const n = text === undefined ? fallback : Number(text.replace(/[_,]/g, ''));
    if (!Number.isSafeInteger(n) || n < min) throw new Error(`${flag} must be a whole number >= ${min}`);
    return n;
  };
  const database = values.get('--database');
  let target: Target;
  let tempDir: string | undefined;
  if (database !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(database)) throw new Error('--database must be a postgres:// URL (the default is a SQLite file)');
    if (values.has('--file')) throw new Error('--keep FILE is for SQLite; on PostgreSQL --keep keeps the schema (?schema=NAME)');
    const url = new URL(database);
    const schema = url.searchParams.get('schema') || DEFAULT_SCHEMA;
    url.searchParams.delete('schema');
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new Error(`the schema must be a plain identifier, got ${JSON.stringify(schema)}`);
    target = { kind: 'postgres', url: url.toString(), schema };
  } else {
    const file = values.get('--file');
    if (file) target = { kind: 'sqlite', file: resolve(file) };
    else {
      tempDir = mkdtempSync(join(tmpdir(), 'waymark-segment-'));
      target = { kind: 'sqlite', file: join(tempDir, 'waymark.db') };
    }
  }
  const phase = values.get('--phase') ?? 'all';
  const variant = values.get('--variant') ?? 'enter';
  if (phase !== 'all' && phase !== 'measure') throw new Error('--phase is all or measure');
  if (variant !== 'evaluate' && variant !== 'enter') throw new Error('--variant is evaluate or enter');
  return {
    profiles: whole('--profiles', 1_000_000, 1),
    events: whole('--events', 10_000_000, 0),
    seed: whole('--seed', 1, 0),
    target,
    keep,
    phase,
    variant,
    ...(tempDir !== undefined ? { tempDir } : {}),
  };
}

export async function runSegmentBench(argv: string[]): Promise<void> {
  const args = parseSegmentArgs(argv);
  if (args.phase === 'measure') return measure(args);
  try {
    if (!(await orchestrate(args))) process.exitCode = 1;
  } finally {
    if (args.tempDir !== undefined && !args.keep) rmSync(args.tempDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------
// The journeys
// ---------------------------------------------------------------------------------------------------------

export function segmentOf(variant: Variant): Condition {
  const events: Condition[] = [
    { type: 'event', event: 'Viewed Product', count: { op: '>=', value: SEGMENT_RULE.viewedAtLeast }, within: { last: '7d' } },
    { type: 'event', event: 'Charged', did: false, within: { last: '30d' } },
  ];
  if (variant === 'enter') return { type: 'all', of: [{ type: 'profile', where: [{ property: 'plan', op: 'in', value: [...SEGMENT_RULE.plans] }] }, ...events] };
  // No trait to leave anyone out before their events are read, and a count nobody reaches: the worst case.
  return { type: 'all', of: [...events, { type: 'event', event: 'Viewed Product', count: { op: '>=', value: 1_000_000 }, within: { last: '7d' } }] };
}

function journeyOf(variant: Variant): unknown {
  return {
    name: `Segment benchmark (${variant})`,
    setup: { timezone: 'UTC' },
    nodes: [
      { id: 'in', kind: 'entry', trigger: { type: 'segment', schedule: { type: 'dates', at: [new Date(RUN_AT).toISOString()] }, segment: segmentOf(variant) } },
      {
        id: 'push',
        kind: 'send',
        channel: 'push',
        message: { title: 'Still thinking it over?', body: 'Hi {{ Profile.firstName | default: "there" }}, the things you looked at this week are still in stock.' },
      },
      { id: 'out', kind: 'exit' },
    ],
    edges: [
      { from: 'in', to: 'push' },
      { from: 'push', to: 'out' },
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------
// One measured run (child process)
// ---------------------------------------------------------------------------------------------------------

interface MeasureResult {
  variant: Variant;
  journeyId: string;
  wallMs: number;
  scanned: number;
  entered: number;
  statsEntered: number;
  statsSent: number;
  rssMb: { before: number; peak: number; kernelPeak: number; privatePeak: number };
  heapMb: { before: number; peak: number };
  samples: number;
  /** Time in the store's calls, and what eventsOfUsers returned. */
  split: { scanMs: number; eventsMs: number; ingestMs: number; cursorMs: number; pages: number; eventRows: number; rowsInWindows: number };
  /** The machine's 1-minute load average before and after the run (other work on the machine shows here). */
  load?: [number, number];
  /** eventsOfUsers per page: median, p99, slowest, and the first five pages together. */
  eventsPageMs: { p50: number; p99: number; max: number; firstFive: number };
}

async function measure(args: SegmentArgs): Promise<void> {
  const t = args.target;
  const clock = new VirtualClock(PUBLISH_AT);
  const database = t.kind === 'sqlite' ? t.file : await PostgresStore.open(t.url, { schema: t.schema });
  const w = await openWaymark({ database, clock, realtime: false });
  const journeyId = `segment-${args.variant}`;
  await w.journeys.create({ id: journeyId, definition: journeyOf(args.variant) });
  const published = await w.journeys.publish(journeyId);
  for (const warning of published.warnings) process.stderr.write(`  publish warning: ${warning.path}: ${warning.message}\n`);
  clock.set(RUN_AT);

  const pageMs: number[] = [];
  const split = instrument(w.store, pageMs);
  const mb = (bytes: number) => Math.round(bytes / 1_048_576);
  const first = process.memoryUsage();
  const mem = { rss: first.rss, privateKb: 0, heap: first.heapUsed, samples: 0, at: performance.now() };
  const sample = () => {
    const m = process.memoryUsage();
    mem.rss = Math.max(mem.rss, m.rss);
    mem.privateKb = Math.max(mem.privateKb, statusKb(process.pid, 'RssAnon'));
    mem.heap = Math.max(mem.heap, m.heapUsed);
    mem.samples++;
    mem.at = performance.now();
  };
  const sampler = setInterval(sample, 250);
  const started = performance.now();
  let lastLine = started;
  const total = args.profiles;
  const onProgress = (p: RunProgress) => {
    const now = performance.now();
    // On SQLite the whole run is one synchronous stretch: the interval never fires, so sample here too.
    if (now - mem.at >= 250) sample();
    if (now - lastLine >= 5_000) {
      lastLine = now;
      const rate = p.scanned / ((now - started) / 1000);
      process.stderr.write(
        `  [${args.variant}] scanned ${p.scanned.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} (${Math.round(rate).toLocaleString('en-US')}/s), entered ${p.entered.toLocaleString('en-US')}, heap ${mb(process.memoryUsage().heapUsed)} MB\n`,
      );
    }
  };
  const runs = await w.engine.runScheduled(onProgress);
  const wallMs = performance.now() - started;
  clearInterval(sampler);
  sample();

  const run = runs.find((r) => r.journeyId === journeyId);
  if (!run) throw new Error(`the run of ${journeyId} at ${new Date(RUN_AT).toISOString()} was not carried out (runs: ${JSON.stringify(runs)})`);
  const stats = await w.store.journeyStats(journeyId);
  const sum = (metric: string, node: string | null) => stats.filter((r) => r.metric === metric && (node === null || r.nodeId === node)).reduce((n, r) => n + r.count, 0);
  await w.close();
  const result: MeasureResult = {
    variant: args.variant,
    journeyId,
    wallMs,
    scanned: run.scanned,
    entered: run.entered,
    statsEntered: sum('entered', ''),
    statsSent: sum('node_sent', null),
    // The kernel's high-water mark (VmHWM) sees peaks between samples. Not process.resourceUsage().maxRSS:
    // Linux carries that over exec from the parent, so this child would report the loading process's peak.
    rssMb: { before: mb(first.rss), peak: mb(mem.rss), kernelPeak: Math.round(statusKb(process.pid, 'VmHWM') / 1024), privatePeak: Math.round(mem.privateKb / 1024) },
    heapMb: { before: mb(first.heapUsed), peak: mb(mem.heap) },
    samples: mem.samples,
    split,
    eventsPageMs: pageStats(pageMs),
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

function pageStats(ms: number[]): MeasureResult['eventsPageMs'] {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 10) / 10;
  return { p50: at(0.5), p99: at(0.99), max: at(1), firstFive: Math.round(ms.slice(0, 5).reduce((a, b) => a + b, 0)) };
}

/** Wraps the store calls a run makes, on this store object only, to time them; returns the live totals. */
function instrument(store: Store, eventsPageMs: number[]): MeasureResult['split'] {
  const split = { scanMs: 0, eventsMs: 0, ingestMs: 0, cursorMs: 0, pages: 0, eventRows: 0, rowsInWindows: 0 };
  const viewedFrom = RUN_AT - SEGMENT_RULE.viewedWithinMs;
  const chargedFrom = RUN_AT - SEGMENT_RULE.notChargedWithinMs;
  const inWindow = (e: StoredEvent) => e.timestamp <= RUN_AT && ((e.name === EVENT_NAMES[1] && e.timestamp > viewedFrom) || (e.name === EVENT_NAMES[3] && e.timestamp > chargedFrom));
  const scanProfiles = store.scanProfiles.bind(store);
  store.scanProfiles = async (after, limit) => {
    const t = performance.now();
    const page = await scanProfiles(after, limit);
    split.scanMs += performance.now() - t;
    split.pages++;
    return page;
  };
  const eventsOfUsers = store.eventsOfUsers.bind(store);
  store.eventsOfUsers = async (users, ranges) => {
    const t = performance.now();
    const rows = await eventsOfUsers(users, ranges);
    const ms = performance.now() - t;
    split.eventsMs += ms;
    eventsPageMs.push(ms);
    split.eventRows += rows.length;
    for (const e of rows) if (inWindow(e)) split.rowsInWindows++;
    return rows;
  };
  const ingestEvents = store.ingestEvents.bind(store);
  store.ingestEvents = async (...a) => {
    const t = performance.now();
    const result = await ingestEvents(...a);
    split.ingestMs += performance.now() - t;
    return result;
  };
  const saveRunCursor = store.saveRunCursor.bind(store);
  store.saveRunCursor = async (...a) => {
    const t = performance.now();
    await saveRunCursor(...a);
    split.cursorMs += performance.now() - t;
  };
  return split;
}

function measureInChild(args: SegmentArgs, variant: Variant): Promise<MeasureResult> {
  const t = args.target;
  const where = t.kind === 'sqlite' ? ['--file', t.file] : ['--database', withSchema(t.url, t.schema)];
  const argv = [...process.execArgv, join(ROOT, 'bench/run.ts'), 'segment', '--phase', 'measure', '--variant', variant, '--profiles', String(args.profiles), ...where];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) {
        reject(new Error(`the ${variant} run failed (exit ${code ?? signal}): ${out.trim().slice(-2000)}`));
        return;
      }
      resolvePromise(JSON.parse(line.slice('RESULT '.length)) as MeasureResult);
    });
  });
}

function withSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('schema', schema);
  return u.toString();
}

// ---------------------------------------------------------------------------------------------------------
// The whole benchmark (parent process)
// ---------------------------------------------------------------------------------------------------------

async function orchestrate(args: SegmentArgs): Promise<boolean> {
  const t = args.target;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const storeLabel = t.kind === 'sqlite' ? `SQLite ${t.file}` : `PostgreSQL ${redact(t.url)}, schema ${t.schema}`;
  log(`segment benchmark: ${fmt(args.profiles)} profiles, ${fmt(args.events)} events, seed ${args.seed}; ${storeLabel}`);

  // Setup: reuse a kept database of the same data set, else load afresh.
  const params = { profiles: args.profiles, events: args.events, seed: args.seed };
  const meta = await readMeta(t);
  let setup: Meta;
  const setupStarted = performance.now();
  if (args.keep && meta?.complete && metaMatches(meta, params)) {
    log(`reusing the kept database (${meta.summary}); deleting what earlier runs wrote`);
    await resetRuns(t);
    setup = meta;
  } else {
    await refuseForeign(t, meta);
    await dropTarget(t);
    log('generating the data set');
    const started = performance.now();
    let data: Dataset | null = new Dataset(params, log);
    const generateSeconds = Math.round((performance.now() - started) / 100) / 10;
    log('loading');
    const marker: Meta = { bench: 'segment', complete: false, generator: GENERATOR_VERSION, ...params, expectedMatches: -1, summary: '', setupSeconds: {} };
    const timings = await loadData(t, data, marker, log);
    const checkStarted = performance.now();
    const checked = await checkSample(t, data);
    timings.checkSample = Math.round((performance.now() - checkStarted) / 100) / 10;
    log(`  spot check: 40 profiles and their ${checked} events read back through the store equal the generated ones`);
    setup = { bench: 'segment', complete: true, generator: GENERATOR_VERSION, ...params, expectedMatches: data.expectedMatches, summary: data.summary, setupSeconds: { generate: generateSeconds, ...timings } };
    data = null; // the arrays go before the measured runs (which run in children anyway)
    await writeMeta(t, setup);
  }
  const setupSeconds = (performance.now() - setupStarted) / 1000;
  const bytes = await databaseBytes(t);
  log(`setup ${setupSeconds.toFixed(1)} s (${Object.entries(setup.setupSeconds).map(([k, v]) => `${k} ${v} s`).join(', ')}); database ${(bytes / 1e9).toFixed(2)} GB`);

  // The independent count: one SQL statement over the whole tables.
  const started = performance.now();
  const expected = await independentCount(t);
  const countSeconds = (performance.now() - started) / 1000;
  log(`independent count (SQL, ${countSeconds.toFixed(1)} s): ${fmt(expected)} match; the generator's own count: ${fmt(setup.expectedMatches)}`);

  const results: MeasureResult[] = [];
  try {
    for (const variant of ['evaluate', 'enter'] as const) {
      log(`measuring: ${variant}`);
      const before = loadavg()[0]!;
      const result = await measureInChild(args, variant);
      results.push({ ...result, load: [before, loadavg()[0]!] });
    }
  } finally {
    if (!args.keep) await dropTarget(t);
  }

  // Checks and report.
  const [evaluate, enter] = results as [MeasureResult, MeasureResult];
  const problems: string[] = [];
  if (expected !== setup.expectedMatches) problems.push(`the SQL count ${expected} differs from the generator's ${setup.expectedMatches}`);
  for (const r of results) if (r.scanned !== args.profiles) problems.push(`${r.variant}: scanned ${r.scanned}, not ${args.profiles}`);
  if (evaluate.entered !== 0 || evaluate.statsEntered !== 0) problems.push(`evaluate: ${evaluate.entered} entered, expected 0`);
  if (enter.entered !== expected) problems.push(`enter: ${enter.entered} entered, expected ${expected}`);
  if (enter.statsEntered !== expected) problems.push(`enter: the journey's "entered" statistic is ${enter.statsEntered}, expected ${expected}`);

  const engine = await versions(t);
  console.log('');
  console.log(`store          ${t.kind === 'sqlite' ? `SQLite ${engine}` : `PostgreSQL ${engine}`}, ${storeLabel}${args.keep ? ' (kept)' : ''}`);
  console.log(`machine        ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; commit ${commit()}`);
  console.log(`data           ${setup.summary}`);
  console.log(`setup          ${setupSeconds.toFixed(1)} s (${Object.entries(setup.setupSeconds).map(([k, v]) => `${k} ${v} s`).join(', ')}${meta?.complete && args.keep && metaMatches(meta, params) ? '; reused, times of the original load' : ''}); database ${(bytes / 1e9).toFixed(2)} GB`);
  console.log(`expected       ${fmt(expected)} users match (SQL count, ${countSeconds.toFixed(1)} s; generator ${fmt(setup.expectedMatches)})`);
  for (const r of results) {
    const s = r.split;
    const other = r.wallMs - s.scanMs - s.eventsMs - s.ingestMs - s.cursorMs;
    console.log(
      `${r.variant.padEnd(14)} wall ${(r.wallMs / 1000).toFixed(1)} s, ${fmt(r.scanned / (r.wallMs / 1000))} profiles/s, scanned ${fmt(r.scanned)}, entered ${fmt(r.entered)} ` +
        `(stats ${fmt(r.statsEntered)}, pushes sent ${fmt(r.statsSent)}); peak RSS ${r.rssMb.peak} MB (kernel ${r.rssMb.kernelPeak} MB, ${r.rssMb.before} MB before the run; private ${r.rssMb.privatePeak} MB), ` +
        `peak heap ${r.heapMb.peak} MB (${r.heapMb.before} MB before), ${r.samples} samples; load average ${r.load?.map((l) => l.toFixed(2)).join(' -> ')}`,
    );
    console.log(
      `${''.padEnd(14)} scanProfiles ${(s.scanMs / 1000).toFixed(1)} s, eventsOfUsers ${(s.eventsMs / 1000).toFixed(1)} s (${fmt(s.eventRows)} rows, ${fmt(s.rowsInWindows)} inside their condition's window), ` +
        `ingest of entries ${(s.ingestMs / 1000).toFixed(1)} s, cursor ${(s.cursorMs / 1000).toFixed(1)} s, the rest (evaluation, engine) ${(other / 1000).toFixed(1)} s; ${fmt(s.pages)} pages`,
    );
    const e = r.eventsPageMs;
    console.log(`${''.padEnd(14)} eventsOfUsers per page of 1,000: p50 ${e.p50} ms, p99 ${e.p99} ms, max ${e.max} ms; the first five pages ${fmt(e.firstFive)} ms`);
  }
  console.log(problems.length === 0 ? `check          OK: entered ${fmt(enter.entered)} = SQL count ${fmt(expected)} = generator ${fmt(setup.expectedMatches)}; evaluate entered 0` : `check          FAILED: ${problems.join('; ')}`);
  return problems.length === 0;
}

/** Never drop a database this benchmark did not make. */
async function refuseForeign(t: Target, meta: Meta | null): Promise<void> {
  if (meta?.bench === 'segment') return;
  if (t.kind === 'sqlite') {
    if (existsSync(t.file)) throw new Error(`${t.file} exists and was not made by this benchmark (no ${t.file}.bench.json); give another --keep FILE`);
    return;
  }
  const tables = await withPool(t, 1, async (pool) => {
    const { rows } = await pool.query<{ n: string }>("SELECT count(*) AS n FROM pg_tables WHERE schemaname = $1", [t.schema]);
    return Number(rows[0]!.n);
  });
  if (tables > 0) throw new Error(`schema ${t.schema} has tables and was not made by this benchmark; choose another with ?schema=NAME`);
}

async function versions(t: Target): Promise<string> {
  if (t.kind === 'postgres') {
    return withPool(t, 1, async (pool) => {
      const { rows } = await pool.query<{ v: string; jit: string; buffers: string }>(
        "SELECT current_setting('server_version') AS v, current_setting('jit') AS jit, current_setting('shared_buffers') AS buffers",
      );
      return `${rows[0]!.v.split(' ')[0]} (jit ${rows[0]!.jit}, shared_buffers ${rows[0]!.buffers})`;
    }).catch(() => '?');
  }
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(':memory:');
  try {
    return (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  } finally {
    db.close();
  }
}

/** The checked-out commit, read from .git (no git process). */
function commit(): string {
  try {
    const head = readFileSync(join(ROOT, '.git/HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head.slice(0, 7);
    const ref = head.slice(5);
    if (existsSync(join(ROOT, '.git', ref))) return readFileSync(join(ROOT, '.git', ref), 'utf8').trim().slice(0, 7);
    const packed = readFileSync(join(ROOT, '.git/packed-refs'), 'utf8').split('\n').find((l) => l.endsWith(` ${ref}`));
    return packed ? packed.slice(0, 7) : '?';
  } catch {
    return '?';
  }
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
