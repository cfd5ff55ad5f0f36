/**
 * Real-time abandoned-cart benchmark: starts Waymark on a fresh store (a SQLite file, or with --database a
 * fresh PostgreSQL schema, with --workers N as one api process and N worker processes), replays the
 * workload over HTTP in real time the way an SDK would (batched), then checks every send against
 * expected.json and prints throughput, lateness and the CPU and memory of the servers (and the database).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readExpected, SendChecker, type CheckReport } from './check.ts';
import { startCluster, type Cluster } from './cluster.ts';
import { ensureWorkload, readLines, type BenchArgs } from './common.ts';

const ADMIN_KEY = 'wm_admin_benchmark_key';
const WRITE_KEY = 'wm_write_benchmark_key';
const ROOT = new URL('..', import.meta.url).pathname;

interface Replayed {
  t0: number;
  carts: number;
  events: number;
  requests: number;
  failedRequests: number;
  replaySeconds: number;
  maxBehindMs: number;
  peakEventsPerSecond: number;
}

export async function runCartBench(args: BenchArgs): Promise<CheckReport> {
  const dir = await ensureWorkload(args);
  const expected = await readExpected(join(dir, 'expected.json'));
  const { windowMs, delayMs } = expected.params;
  const data = mkdtempSync(join(tmpdir(), 'waymark-bench-'));
  const clusters: Cluster[] = [];
  const stopAll = () => Promise.all(clusters.map((c) => c.stop()));
  try {
    for (let i = 0; i < args.servers; i++) {
      const dataDir = args.servers === 1 ? data : join(data, `shard-${i}`);
      mkdirSync(dataDir, { recursive: true });
      clusters.push(await startCluster({ ...(args.database ? { database: args.database } : {}), workers: args.workers, analyzeMs: args.analyzeMs, serveArgs: args.serveArgs, dataDir, env: { WAYMARK_ADMIN_KEY: ADMIN_KEY, WAYMARK_WRITE_KEY: WRITE_KEY } }));
    }
  } catch (error) {
    await stopAll().catch(() => {});
    rmSync(data, { recursive: true, force: true });
    throw error;
  }
  const cluster = clusters[0]!;
  const shards = new Shards(clusters.map((c) => c.base));
  const label = args.servers === 1 ? cluster.label : `${cluster.label} x ${args.servers}, users split by a hash of their id`;
  log(`servers: ${label}${cluster.schema ? ` (schema ${cluster.schema})` : ''}${args.serveArgs.length > 0 ? `, serve ${args.serveArgs.join(' ')}` : ''}`);
  try {
    for (const base of shards.bases) await createJourney(base, windowMs, delayMs);
    const profileCount = await uploadProfiles(shards, join(dir, 'profiles.ndjson'));
    log(`profiles: ${profileCount} uploaded`);

    const cpuBefore = cpuOf(clusters);
    // A long run's memory, sampled as it goes: flat after warm-up, or growing (issue 10's soak).
    // RSS counts the pages of the memory-mapped database file (up to 2 GB) that have been read; the private
    // part (RssAnon) is the server's own memory, the figure that must stay flat.
    const rssSamples: Array<{ at: number; mb: number; anonMb: number }> = [];
    const sampler = setInterval(() => rssSamples.push({ at: Date.now(), mb: sum(clusters.map((c) => c.rssMb())), anonMb: sum(clusters.map((c) => c.anonMb())) }), 5_000);
    const replay = await replayEvents(shards, join(dir, 'events.ndjson'), args.batchMs, args.messageIds);
    // Wait for the last due message, plus slack for a slow engine to catch up. Polled once a second: the
    // stats call counts the journey's live instances, and polled every 250 ms it took 2.6 s of PostgreSQL's
    // CPU (31 calls of 82 ms) while a run at 4,000 carts/s was catching up, load the engine then had to share.
    const lastDue = replay.t0 + expected.lastDueAt;
    const total = expected.counts.total;
    let seen = 0;
    for (;;) {
      await sleep(Math.max(1_000, lastDue - Date.now()));
      seen = sum(await Promise.all(shards.bases.map(countSent)));
      if (seen >= total || Date.now() > lastDue + args.settleMs) break;
    }
    clearInterval(sampler);
    const cpuAfter = cpuOf(clusters);
    const runSeconds = (Date.now() - replay.t0) / 1000;
    const rssMb = sum(clusters.map((c) => c.peakRssMb()));

    const checker = new SendChecker(expected);
    for (const base of shards.bases) await forEachSent(base, (m) => checker.add(m.userId, m.channel, m.sentAt - replay.t0));
    const report = checker.report();

    const spanSeconds = expected.params.spanMs / 1000;
    console.log('');
    console.log(`servers           ${label}${args.serveArgs.length > 0 ? ` (serve ${args.serveArgs.join(' ')})` : ''}`);
    console.log(`workload          ${dir}`);
    console.log(`users             ${expected.users}  (W=${windowMs} ms, D=${delayMs} ms, span ${spanSeconds} s)`);
    const offered = replay.carts / spanSeconds;
    console.log(`carts/s offered   ${fmt(offered)}  (${replay.carts} carts over ${spanSeconds} s; the sender fell behind its schedule by at most ${replay.maxBehindMs} ms)`);
    console.log(`events/s ingested ${fmt(replay.events / replay.replaySeconds)} on average, ${fmt(replay.peakEventsPerSecond)} in the busiest second  (${replay.events} events, ${replay.requests} requests, ${replay.failedRequests} failed)`);
    console.log(`sends             ${report.sends} of ${total} expected`);
    console.log(`errors            missing ${report.missing}, unexpected ${report.unexpected}, duplicate ${report.duplicate}, after conversion ${report.afterConversion}`);
    for (const example of report.examples.slice(0, 5)) console.log(`                  e.g. ${example}`);
    console.log(`lateness ms       p50 ${report.lateness.p50}  p95 ${report.lateness.p95}  p99 ${report.lateness.p99}  max ${report.lateness.max}`);
    const share = (seconds: number) => `${seconds.toFixed(1)} s (${((seconds / runSeconds) * 100).toFixed(0)}% of one core)`;
    const roles = Object.keys(cpuAfter.byRole).map((role) => `${role} ${share(cpuAfter.byRole[role]! - (cpuBefore.byRole[role] ?? 0))}`);
    console.log(`server            CPU over ${runSeconds.toFixed(1)} s: ${roles.join(', ')}; peak RSS ${rssMb.toFixed(0)} MB (private at most ${Math.max(0, ...rssSamples.map((r) => r.anonMb)).toFixed(0)} MB of the 5 s samples)`);
    if (cpuAfter.database !== null) console.log(`database          CPU ${share(cpuAfter.database - cpuBefore.database!)} (every postgres process on this machine)`);
    console.log(`machine           CPU ${share(cpuAfter.machine - cpuBefore.machine)} busy of ${availableParallelism()} cores (everything on the machine, this benchmark's client included)`);
    if (expected.params.spanMs >= 120_000) printTimeline(checker.timeline(60_000), rssSamples, replay.t0);
    const errors = report.errors + replay.failedRequests;
    console.log(`errors: ${errors}  p99_ms: ${report.lateness.p99}  rate: ${Math.round(offered)} carts/s`);
    return { ...report, errors };
  } finally {
    await stopAll();
    rmSync(data, { recursive: true, force: true });
  }
}

/** A long run minute by minute: the sends due in it, their lateness, and the server's memory at its end. */
function printTimeline(rows: ReturnType<SendChecker['timeline']>, rss: Array<{ at: number; mb: number; anonMb: number }>, t0: number): void {
  console.log('timeline          minute  sends due  p99 ms  max ms  server RSS at its end (private)');
  for (const row of rows) {
    const end = t0 + row.fromMs + 60_000;
    const sample = rss.filter((s) => s.at <= end).at(-1);
    const minute = String(row.fromMs / 60_000 + 1).padStart(6);
    console.log(`                  ${minute}  ${String(row.sends).padStart(9)}  ${String(row.p99).padStart(6)}  ${String(row.max).padStart(6)}  ${sample ? `${sample.mb.toFixed(0)} MB (${sample.anonMb.toFixed(0)} MB)` : ''}`);
  }
}

async function api(base: string, method: string, path: string, key: string, body?: unknown): Promise<any> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

async function createJourney(base: string, windowMs: number, delayMs: number): Promise<void> {
  const definition = JSON.parse(readFileSync(join(ROOT, 'examples/abandoned-cart.json'), 'utf8'));
  for (const node of definition.nodes) {
    if (node.kind === 'entry') node.trigger.within = `${windowMs}ms`;
    if (node.kind === 'delay') node.duration = `${delayMs}ms`;
  }
  await api(base, 'POST', '/v1/journeys', ADMIN_KEY, { id: 'cart-bench', definition });
  await api(base, 'POST', '/v1/journeys/cart-bench/publish', ADMIN_KEY);
}

async function uploadProfiles(shards: Shards, file: string): Promise<number> {
  const batches: unknown[][] = shards.bases.map(() => []);
  let count = 0;
  const inFlight = new Set<Promise<void>>();
  const flush = async (shard: number) => {
    const body = { batch: batches[shard]!.map((line) => toProfile(line as Record<string, unknown>)) };
    batches[shard] = [];
    const p = api(shards.bases[shard]!, 'POST', '/v1/profiles', WRITE_KEY, body).then(() => undefined);
    inFlight.add(p);
    p.finally(() => inFlight.delete(p));
    if (inFlight.size >= 4) await Promise.race(inFlight);
  };
  for await (const line of readLines(file)) {
    const profile = JSON.parse(line) as { userId: string };
    const shard = shards.of(profile.userId);
    batches[shard]!.push(profile);
    count++;
    if (batches[shard]!.length === 1000) await flush(shard);
  }
  for (let shard = 0; shard < batches.length; shard++) if (batches[shard]!.length > 0) await flush(shard);
  await Promise.all(inFlight);
  return count;
}

function toProfile({ userId, ...traits }: Record<string, unknown>): { userId: unknown; traits: Record<string, unknown> } {
  return { userId, traits };
}

interface WorkloadEvent {
  at: number;
  userId: string;
  event: string;
  properties: unknown;
}

/**
 * The workload's events as the file's bytes and where each line starts, parsed again as they are sent. Held as
 * 3,720,000 parsed objects (10 minutes at 4,000 carts/s), they made a heap of about 1.5 GB whose full
 * collections stopped the sender for up to a second every 42 s: it fell behind its schedule by up to 1,033 ms,
 * and the server then got a second of events at once (sampled from /proc, 2026-12-07). Bytes outside the heap
 * are never traversed by a collection.
 */
class EventLines {
  readonly length: number;
  readonly carts: number;
  /** Each event's `at`, in file order (ascending). */
  readonly at: Float64Array;
  private readonly bytes: Buffer;
  private readonly starts: Float64Array;

  constructor(file: string) {
    this.bytes = readFileSync(file);
    let count = 0;
    for (let i = this.bytes.indexOf(10); i !== -1; i = this.bytes.indexOf(10, i + 1)) count++;
    if (this.bytes.length > 0 && this.bytes[this.bytes.length - 1] !== 10) count++;
    this.starts = new Float64Array(count + 1);
    const at = new Float64Array(count);
    let n = 0;
    let carts = 0;
    for (let start = 0; start < this.bytes.length; ) {
      const newline = this.bytes.indexOf(10, start);
      const end = newline === -1 ? this.bytes.length : newline;
      if (end > start) {
        const event = JSON.parse(this.bytes.toString('utf8', start, end)) as WorkloadEvent;
        this.starts[n] = start;
        at[n] = event.at;
        if (event.event === 'Added to Cart') carts++;
        n++;
      }
      start = end + 1;
    }
    this.starts[n] = this.bytes.length;
    // Counted by newlines, which blank lines also end: only the events read count.
    this.at = at.subarray(0, n);
    this.length = n;
    this.carts = carts;
  }

  get(i: number): WorkloadEvent {
    return JSON.parse(this.bytes.toString('utf8', this.starts[i], this.starts[i + 1])) as WorkloadEvent;
  }
}

/** Sends each event at t0 + at, in batches gathered every `batchMs`, like an SDK flushing its queue. */
async function replayEvents(shards: Shards, file: string, batchMs: number, messageIds: BenchArgs['messageIds']): Promise<Replayed> {
  const messageId = messageIds === 'random' ? () => randomUUID() : (n: number) => `bench-${n}`;
  const events = new EventLines(file);
  const t0 = Date.now() + 1_000;
  log(`replaying ${events.length} events in real time from ${new Date(t0).toISOString()}`);
  let next = 0;
  let requests = 0;
  let failedRequests = 0;
  let maxBehindMs = 0;
  const inFlight = new Set<Promise<void>>();
  const post = (first: number, end: number) => {
    const split: Array<Array<{ messageId: string; userId: string; event: string; properties: unknown; timestamp: number }>> = shards.bases.map(() => []);
    for (let i = first; i < end; i++) {
      const e = events.get(i);
      split[shards.of(e.userId)]!.push({ messageId: messageId(i), userId: e.userId, event: e.event, properties: e.properties, timestamp: t0 + e.at });
    }
    split.forEach((part, shard) => {
      if (part.length > 0) postTo(shards.bases[shard]!, JSON.stringify({ batch: part }));
    });
  };
  const postTo = (base: string, body: string) => {
    requests++;
    const p = fetch(`${base}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${WRITE_KEY}`, 'content-type': 'application/json' }, body })
      .then(async (r) => {
        if (!r.ok) {
          failedRequests++;
          log(`POST /v1/events: HTTP ${r.status} ${(await r.text()).slice(0, 200)}`);
        } else await r.arrayBuffer();
      })
      .catch((error) => {
        failedRequests++;
        log(`POST /v1/events failed: ${(error as Error).message}`);
      });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  await sleep(t0 - Date.now());
  // An SDK's flush timer: every batchMs, what is due goes in one request (up to 1,000 events). Until commit
  // 442fa4d the loop slept only until the next event (about 1 ms at these rates), so the server got some 700
  // requests a second of a few events each instead of 100 of dozens: a load no SDK makes.
  let tick = Date.now();
  while (next < events.length) {
    const elapsed = Date.now() - t0;
    const first = next;
    while (next < events.length && events.at[next]! <= elapsed) next++;
    if (next > first) {
      maxBehindMs = Math.max(maxBehindMs, elapsed - events.at[first]!);
      for (let i = first; i < next; i += 1000) post(i, Math.min(next, i + 1000));
    }
    if (inFlight.size > 64) await Promise.race(inFlight);
    if (next >= events.length) break;
    // The next tick; after an idle stretch, not before the next event is due.
    tick = Math.max(tick + batchMs, Date.now(), t0 + events.at[next]!);
    await sleep(Math.max(1, tick - Date.now()));
  }
  await Promise.all(inFlight);
  const replaySeconds = (Date.now() - t0) / 1000;
  const perSecond = new Map<number, number>();
  for (const at of events.at) perSecond.set(Math.floor(at / 1000), (perSecond.get(Math.floor(at / 1000)) ?? 0) + 1);
  const peakEventsPerSecond = Math.max(...perSecond.values());
  return { t0, carts: events.carts, events: events.length, requests, failedRequests, replaySeconds, maxBehindMs, peakEventsPerSecond };
}

interface SentMessage {
  userId: string;
  channel: string;
  status: string;
  sentAt: number;
}

async function forEachSent(base: string, visit: (m: SentMessage) => void): Promise<void> {
  let after = 0;
  for (;;) {
    const page = (await api(base, 'GET', `/v1/messages?after=${after}&limit=1000`, ADMIN_KEY)) as { messages: SentMessage[]; next: number };
    for (const m of page.messages) if (m.status === 'sent') visit(m);
    if (page.messages.length === 0) return;
    after = page.next;
  }
}

async function countSent(base: string): Promise<number> {
  const stats = await api(base, 'GET', '/v1/journeys/cart-bench/stats', ADMIN_KEY);
  return (stats.nodes as Array<{ sent: number }>).reduce((sum, n) => sum + (n.sent ?? 0), 0);
}

/** The servers of a sharded run, and which one holds a user: a hash of the user's id (FNV-1a). */
class Shards {
  constructor(readonly bases: string[]) {}

  of(userId: string): number {
    if (this.bases.length === 1) return 0;
    let h = 0x811c9dc5;
    for (let i = 0; i < userId.length; i++) h = Math.imul(h ^ userId.charCodeAt(i), 0x01000193);
    return (h >>> 0) % this.bases.length;
  }
}

/** CPU seconds of every shard's processes, by role, and of the machine. */
function cpuOf(clusters: Cluster[]): ReturnType<Cluster['cpu']> {
  const each = clusters.map((c) => c.cpu());
  const byRole: Record<string, number> = {};
  for (const cpu of each) for (const [role, seconds] of Object.entries(cpu.byRole)) byRole[role] = (byRole[role] ?? 0) + seconds;
  return { byRole, database: each[0]!.database, machine: each[0]!.machine };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

