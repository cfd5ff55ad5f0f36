/**
 * Real-time abandoned-cart benchmark: starts a Waymark server on a fresh embedded store, replays the
 * workload over HTTP in real time the way an SDK would (batched), then checks every send against
 * expected.json and prints throughput, lateness and the server's CPU and memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readExpected, SendChecker, type CheckReport } from './check.ts';
import { processTreeUsage } from './proc.ts';
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
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = startServer(join(data, 'bench.db'), port);
  try {
    await waitForHealth(base, server);
    await createJourney(base, windowMs, delayMs);
    const profileCount = await uploadProfiles(base, join(dir, 'profiles.ndjson'));
    log(`profiles: ${profileCount} uploaded`);

    const usage = processTreeUsage(server.pid!);
    const cpuBefore = usage.cpuSeconds();
    const replay = await replayEvents(base, join(dir, 'events.ndjson'), args.batchMs);
    // Wait for the last due message, plus slack for a slow engine to catch up.
    const lastDue = replay.t0 + expected.lastDueAt;
    const total = expected.counts.total;
    let seen = 0;
    for (;;) {
      await sleep(Math.max(250, lastDue - Date.now()));
      seen = await countSent(base);
      if (seen >= total || Date.now() > lastDue + args.settleMs) break;
    }
    const cpu = usage.cpuSeconds() - cpuBefore;
    const runSeconds = (Date.now() - replay.t0) / 1000;
    const rssMb = usage.peakRssMb();

    const checker = new SendChecker(expected);
    await forEachSent(base, (m) => checker.add(m.userId, m.channel, m.sentAt - replay.t0));
    const report = checker.report();

    const spanSeconds = expected.params.spanMs / 1000;
    console.log('');
    console.log(`workload          ${dir}`);
    console.log(`users             ${expected.users}  (W=${windowMs} ms, D=${delayMs} ms, span ${spanSeconds} s)`);
    const offered = replay.carts / spanSeconds;
    console.log(`carts/s offered   ${fmt(offered)}  (${replay.carts} carts over ${spanSeconds} s; the sender fell behind its schedule by at most ${replay.maxBehindMs} ms)`);
    console.log(`events/s ingested ${fmt(replay.events / replay.replaySeconds)} on average, ${fmt(replay.peakEventsPerSecond)} in the busiest second  (${replay.events} events, ${replay.requests} requests, ${replay.failedRequests} failed)`);
    console.log(`sends             ${report.sends} of ${total} expected`);
    console.log(`errors            missing ${report.missing}, unexpected ${report.unexpected}, duplicate ${report.duplicate}, after conversion ${report.afterConversion}`);
    for (const example of report.examples.slice(0, 5)) console.log(`                  e.g. ${example}`);
    console.log(`lateness ms       p50 ${report.lateness.p50}  p95 ${report.lateness.p95}  p99 ${report.lateness.p99}  max ${report.lateness.max}`);
    console.log(`server            CPU ${cpu.toFixed(1)} s over ${runSeconds.toFixed(1)} s (${((cpu / runSeconds) * 100).toFixed(0)}% of one core), peak RSS ${rssMb.toFixed(0)} MB`);
    const errors = report.errors + replay.failedRequests;
    console.log(`errors: ${errors}  p99_ms: ${report.lateness.p99}  rate: ${Math.round(offered)} carts/s`);
    return { ...report, errors };
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    rmSync(data, { recursive: true, force: true });
  }
}

function startServer(db: string, port: number): ChildProcess {
  // BENCH_PROFILE_DIR=dir writes a CPU profile of the server there.
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, join(ROOT, 'bin/waymark.mjs'), 'serve', '--db', db, '--port', String(port)], {
    env: { ...process.env, WAYMARK_ADMIN_KEY: ADMIN_KEY, WAYMARK_WRITE_KEY: WRITE_KEY },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

async function waitForHealth(base: string, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`server exited with code ${server.exitCode}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error('server did not become healthy within 30 s');
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

async function uploadProfiles(base: string, file: string): Promise<number> {
  let batch: unknown[] = [];
  let count = 0;
  const inFlight = new Set<Promise<void>>();
  const flush = async () => {
    const body = { batch: batch.map((line) => toProfile(line as Record<string, unknown>)) };
    batch = [];
    const p = api(base, 'POST', '/v1/profiles', WRITE_KEY, body).then(() => undefined);
    inFlight.add(p);
    p.finally(() => inFlight.delete(p));
    if (inFlight.size >= 4) await Promise.race(inFlight);
  };
  for await (const line of readLines(file)) {
    batch.push(JSON.parse(line));
    count++;
    if (batch.length === 1000) await flush();
  }
  if (batch.length > 0) await flush();
  await Promise.all(inFlight);
  return count;
}

function toProfile({ userId, ...traits }: Record<string, unknown>): { userId: unknown; traits: Record<string, unknown> } {
  return { userId, traits };
}

/** Sends each event at t0 + at, in batches gathered every `batchMs`, like an SDK flushing its queue. */
async function replayEvents(base: string, file: string, batchMs: number): Promise<Replayed> {
  const events: Array<{ at: number; userId: string; event: string; properties: unknown }> = [];
  for await (const line of readLines(file)) events.push(JSON.parse(line));
  const t0 = Date.now() + 1_000;
  log(`replaying ${events.length} events in real time from ${new Date(t0).toISOString()}`);
  let next = 0;
  let requests = 0;
  let failedRequests = 0;
  let maxBehindMs = 0;
  const inFlight = new Set<Promise<void>>();
  const post = (batch: typeof events, first: number) => {
    const body = JSON.stringify({
      batch: batch.map((e, i) => ({ messageId: `bench-${first + i}`, userId: e.userId, event: e.event, properties: e.properties, timestamp: t0 + e.at })),
    });
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
  while (next < events.length) {
    const elapsed = Date.now() - t0;
    const first = next;
    while (next < events.length && events[next]!.at <= elapsed) next++;
    if (next > first) {
      maxBehindMs = Math.max(maxBehindMs, elapsed - events[first]!.at);
      for (let i = first; i < next; i += 1000) post(events.slice(i, Math.min(next, i + 1000)), i);
    }
    if (inFlight.size > 64) await Promise.race(inFlight);
    const wait = next < events.length ? Math.min(batchMs, events[next]!.at - (Date.now() - t0)) : 0;
    await sleep(Math.max(1, wait));
  }
  await Promise.all(inFlight);
  const replaySeconds = (Date.now() - t0) / 1000;
  const carts = events.filter((e) => e.event === 'Added to Cart').length;
  const perSecond = new Map<number, number>();
  for (const e of events) perSecond.set(Math.floor(e.at / 1000), (perSecond.get(Math.floor(e.at / 1000)) ?? 0) + 1);
  const peakEventsPerSecond = Math.max(...perSecond.values());
  return { t0, carts, events: events.length, requests, failedRequests, replaySeconds, maxBehindMs, peakEventsPerSecond };
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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
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

