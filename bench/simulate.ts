/**
 * Maximum-throughput benchmark: the abandoned-cart workload through `simulate` on a virtual clock (same
 * engine and store as the server), then every message checked against expected.json.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { simulate as Simulate } from '../src/sim/simulate.ts';
import { readExpected, SendChecker } from './check.ts';
import { ensureWorkload, readLines, type BenchArgs } from './common.ts';
import { statusKb } from './proc.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const START = Date.parse('2026-01-05T00:00:00Z');

/**
 * The compiled build, as `waymark simulate` runs it (`npm run bench` builds it first). From source each thread
 * would compile its modules again: startup took 2.4-3.0 s of a million-user run against 1.0-1.4 s compiled.
 */
async function compiledSimulate(): Promise<typeof Simulate> {
  const module = new URL('../dist/sim/simulate.js', import.meta.url);
  if (!existsSync(module)) throw new Error('dist/ is missing: run `npm run build` (npm run bench does)');
  return ((await import(module.href)) as { simulate: typeof Simulate }).simulate;
}

export async function runSimulateBench(args: BenchArgs): Promise<void> {
  const simulate = await compiledSimulate();
  const dir = await ensureWorkload(args);
  const expected = await readExpected(join(dir, 'expected.json'));
  const { windowMs, delayMs } = expected.params;
  const definition = JSON.parse(readFileSync(join(ROOT, 'examples/abandoned-cart.json'), 'utf8'));
  for (const node of definition.nodes) {
    if (node.kind === 'entry') node.trigger.within = `${windowMs}ms`;
    if (node.kind === 'delay') node.duration = `${delayMs}ms`;
  }
  const out = mkdtempSync(join(tmpdir(), 'waymark-sim-bench-'));
  // The peak resident set counts the pages of the threads' database files that their memory maps have read
  // (2.5 GB of 4.2 GB at a million users on two threads): the anonymous part is the run's own memory. It has
  // no peak of its own in /proc, so it is sampled, once a second, from the main thread (idle with threads).
  let peakAnonKb = 0;
  const sampler = setInterval(() => (peakAnonKb = Math.max(peakAnonKb, statusKb(process.pid, 'RssAnon'))), 1_000);
  try {
    const result = await simulate({
      journey: { id: 'cart-bench', definition },
      profiles: join(dir, 'profiles.ndjson'),
      events: join(dir, 'events.ndjson'),
      start: START,
      out,
      ...(args.threads !== undefined ? { threads: args.threads } : {}),
    });
    const checker = new SendChecker(expected);
    for await (const line of readLines(result.files.messages)) {
      const m = JSON.parse(line) as { userId: string; channel: string; sentAt: string };
      checker.add(m.userId, m.channel, Date.parse(m.sentAt) - START);
    }
    const report = checker.report();
    const rssMb = process.resourceUsage().maxRSS / 1024;
    console.log('');
    console.log(`workload       ${dir}`);
    console.log(`users          ${expected.users}, events ${result.events}, virtual span ${((Date.parse(result.endTime) - START) / 3_600_000).toFixed(1)} h`);
    console.log(`wall           ${(result.wallMs / 1000).toFixed(1)} s on ${result.threads} thread${result.threads > 1 ? 's' : ''}  (${Math.round(result.eventsPerSecond).toLocaleString('en-US')} events/s, ${Math.round(expected.users / (result.wallMs / 1000)).toLocaleString('en-US')} carts/s)`);
    console.log(`time split ms  ${Object.entries(result.timings).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')}`);
    console.log(`sends          ${report.sends} of ${expected.counts.total} expected`);
    console.log(`errors         missing ${report.missing}, unexpected ${report.unexpected}, duplicate ${report.duplicate}, after conversion ${report.afterConversion}`);
    for (const example of report.examples.slice(0, 5)) console.log(`               e.g. ${example}`);
    console.log(`lateness ms    p50 ${report.lateness.p50}  p99 ${report.lateness.p99}  max ${report.lateness.max} (virtual clock: 0 is exact)`);
    peakAnonKb = Math.max(peakAnonKb, statusKb(process.pid, 'RssAnon'));
    console.log(`peak RSS       ${rssMb.toFixed(0)} MB (private at most ${(peakAnonKb / 1024).toFixed(0)} MB of the 1 s samples)`);
    console.log(`errors: ${report.errors}  p99_ms: ${report.lateness.p99}  rate: ${Math.round(expected.users / (result.wallMs / 1000))} carts/s`);
  } finally {
    clearInterval(sampler);
    rmSync(out, { recursive: true, force: true });
  }
}
