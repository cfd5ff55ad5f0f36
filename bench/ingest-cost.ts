/**
 * What the abandoned-cart workload costs the embedded store, without HTTP or a real clock: CPU time per
 * cart for ingest (Added to Cart, and Charged for half the carts) and for the timers that follow (the
 * inaction window, two delays, three sends), on a virtual clock. It isolates the store and engine from
 * scheduling, so the cost of one change (an index, say) shows as a difference of a few percent that the
 * real-time bench cannot resolve on a noisy machine. `--drop-index a,b` drops indexes after migrating, to
 * state what each costs; run the variants interleaved (`--rounds`) and compare medians.
 *
 *   npx tsx bench/ingest-cost.ts [--carts 20000] [--batch 200] [--rounds 3] [--drop-index name,...]
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openWaymark } from '../src/app/waymark.ts';
import { VirtualClock } from '../src/core/clock.ts';
import type { JourneyEvent } from '../src/core/instance.ts';
import { openStore } from '../src/store/open.ts';
import type { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { mulberry32 } from './segment-data.ts';

const { values: args } = parseArgs({
  options: {
    carts: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
    'drop-index': { type: 'string', default: '' },
  },
});
const CARTS = Number(args.carts);
const BATCH = Number(args.batch);
const T0 = Date.UTC(2026, 0, 5, 9);
const journey = JSON.parse(readFileSync(new URL('../examples/abandoned-cart.json', import.meta.url), 'utf8'));
const dropped = args['drop-index'] ? args['drop-index'].split(',') : [];

async function round(): Promise<{ ingestUs: number; timersUs: number; ingestWallUs: number; timersWallUs: number; ingestPages: number; timerPages: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'waymark-cost-'));
  const store = await openStore(join(dir, 'cost.db'));
  const db = (store as SqliteStore).db;
  for (const name of dropped) db.exec(`DROP INDEX ${name}`);
  // Pages written, counted as WAL frames with checkpoints held off: the same for every run of one build,
  // where the CPU and wall times vary by a third on a busy machine.
  db.pragma('wal_autocheckpoint = 0');
  const frames = () => (db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log;
  const clock = new VirtualClock(T0);
  const waymark = await openWaymark({ database: store, clock, realtime: false });
  try {
    await waymark.journeys.create({ id: 'cart', definition: journey });
    await waymark.journeys.publish('cart');
    await waymark.store.upsertProfiles(
      Array.from({ length: CARTS }, (_, i) => ({ userId: `u${i}`, traits: { Name: `User ${i}`, pushToken: `t${i}`, phone: '+15555550100', email: `u${i}@example.com` } })),
      T0,
    );
    // One cart per millisecond; every other user pays 30 s later, inside the 2-minute window. Users cart in a
    // shuffled order, as they do in life: in user order, every index keyed by user id is written at one end,
    // and a cart dirtied a third of the pages it dirties live (measured at 80,000 carts).
    const users = shuffled(CARTS);
    const events: JourneyEvent[] = [];
    for (let i = 0; i < CARTS; i++) {
      const u = users[i]!;
      events.push({ messageId: `add-${u}`, userId: `u${u}`, name: 'Added to Cart', timestamp: T0 + i, properties: { productName: 'Sneakers', price: 90, currency: 'EUR' } });
      if (u % 2 === 0) events.push({ messageId: `pay-${u}`, userId: `u${u}`, name: 'Charged', timestamp: T0 + i + 30_000, properties: {} });
    }
    events.sort((a, b) => a.timestamp - b.timestamp);
    db.pragma('wal_checkpoint(TRUNCATE)');
    let cpu = process.cpuUsage();
    let wall = performance.now();
    for (let i = 0; i < events.length; i += BATCH) {
      const batch = events.slice(i, i + BATCH);
      clock.set(batch.at(-1)!.timestamp);
      await waymark.engine.ingestNow(batch);
    }
    const ingest = process.cpuUsage(cpu);
    const ingestWall = performance.now() - wall;
    const ingestFrames = frames();
    db.pragma('wal_checkpoint(TRUNCATE)');
    cpu = process.cpuUsage();
    wall = performance.now();
    // The windows close, the pushes go, then the two delays: every timer the workload makes, fired as a live
    // server fires them, a few hundred at a time (a cart a millisecond: BATCH ms of carts a unit).
    for (const start of [T0 + 2 * 60_000, T0 + 2 * 3_600_000 + 2 * 60_000, T0 + 4 * 3_600_000 + 2 * 60_000]) {
      for (let at = start; at < start + CARTS + BATCH; at += BATCH) {
        clock.set(at);
        await waymark.engine.runDue(at);
      }
    }
    const timers = process.cpuUsage(cpu);
    const timersWall = performance.now() - wall;
    const timerFrames = frames();
    const sent = await waymark.store.listMessages({ limit: 3 * CARTS + 1 });
    if (sent.length !== (CARTS / 2) * 3) throw new Error(`expected ${(CARTS / 2) * 3} messages, found ${sent.length}`);
    const us = (u: NodeJS.CpuUsage) => (u.user + u.system) / CARTS;
    return { ingestUs: us(ingest), timersUs: us(timers), ingestWallUs: (ingestWall * 1000) / CARTS, timersWallUs: (timersWall * 1000) / CARTS, ingestPages: ingestFrames / CARTS, timerPages: timerFrames / CARTS };
  } finally {
    await waymark.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 0..n-1 in an order that is the same on every run (a seeded Fisher-Yates shuffle). */
function shuffled(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const random = mulberry32(20261205);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

const results = [];
for (let r = 0; r < Number(args.rounds); r++) results.push(await round());
const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;
console.log(
  `${CARTS} carts, batches of ${BATCH}${dropped.length ? `, without ${dropped.join(', ')}` : ''}: ` +
    `ingest ${median(results.map((r) => r.ingestUs)).toFixed(1)} µs CPU (${median(results.map((r) => r.ingestWallUs)).toFixed(1)} µs wall) a cart, ` +
      `timers ${median(results.map((r) => r.timersUs)).toFixed(1)} µs CPU (${median(results.map((r) => r.timersWallUs)).toFixed(1)} µs wall) (median of ${results.length}); ` +
    `pages written a cart: ingest ${median(results.map((r) => r.ingestPages)).toFixed(2)}, timers ${median(results.map((r) => r.timerPages)).toFixed(2)}`,
);
