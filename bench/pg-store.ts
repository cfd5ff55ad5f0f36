/**
 * Throughput of the PostgreSQL store's units of work on a real server, in a throw-away schema:
 *   - ingestEvents: batches of cart events for distinct users, decided by the engine's decideEvents on the
 *     abandoned-cart journey (each event creates one pending instance);
 *   - fireDueTimers: batches of due instances, advanced by decideTimers (each qualifies, gets a push, sleeps);
 *   - pendingMessages + recordOutcomes: the dispatcher's claim and acknowledgement;
 *   - the same ingest from two stores (two pools, as two processes) at once;
 *   - the shape of a multi-row write: unnest arrays vs a VALUES list vs one statement per row.
 *
 *   npx tsx bench/pg-store.ts [--users 20000] [--batch 1000]
 *   (server: WAYMARK_BENCH_DATABASE_URL, else WAYMARK_TEST_DATABASE_URL, else local postgres)
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { Channel, JourneyDefinition } from '../src/core/definition.ts';
import type { JourneyEvent } from '../src/core/instance.ts';
import { Catalog } from '../src/engine/catalog.ts';
import { decideEvents, decideTimers } from '../src/engine/decide.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';

const URL_ = process.env.WAYMARK_BENCH_DATABASE_URL || process.env.WAYMARK_TEST_DATABASE_URL || 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const arg = (flag: string, fallback: number) => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const USERS = arg('--users', 20_000);
const BATCH = arg('--batch', 1_000);
const T0 = Date.UTC(2026, 10, 2, 15, 0, 0);
const MIN = 60_000;
const definition = JSON.parse(readFileSync(new URL('../examples/abandoned-cart.json', import.meta.url), 'utf8')) as JourneyDefinition;
const inStore = new Set<Channel>(); // every send stays pending for the dispatcher

const schemas: string[] = [];
const admin = new pg.Pool({ connectionString: URL_, max: 2 });

async function freshStore(tag: string, options: { poolSize?: number } = {}): Promise<{ schema: string; open: () => Promise<PostgresStore> }> {
  const schema = `wm_bench_${tag}_${randomBytes(4).toString('hex')}`;
  schemas.push(schema);
  return { schema, open: () => PostgresStore.open(URL_, { schema, poolSize: options.poolSize ?? 4 }) };
}

function cartEvents(from: number, count: number, at: number, prefix = 'cart'): JourneyEvent[] {
  return Array.from({ length: count }, (_, k) => ({
    messageId: `${prefix}-${from + k}`,
    userId: `u${from + k}`,
    name: 'Added to Cart',
    timestamp: at,
    properties: { sku: 'SKU-2001', productName: 'Trail Running Shoes', price: 89.99, currency: 'USD', quantity: 1, cartId: `cart-${from + k}` },
  }));
}

function rate(n: number, ms: number): string {
  return `${Math.round((n / ms) * 1000).toLocaleString('en-US')}/s`;
}

function report(label: string, n: number, ms: number, batches: number[]): void {
  const sorted = [...batches].sort((a, b) => a - b);
  const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  console.log(`${label.padEnd(44)} ${String(n).padStart(7)} in ${(ms / 1000).toFixed(2).padStart(6)} s = ${rate(n, ms).padStart(10)}   batch ms p50 ${p(0.5)} p95 ${p(0.95)} max ${p(1)}`);
}

async function main(): Promise<void> {
  console.log(`PostgreSQL store bench: ${USERS} users, batches of ${BATCH}; server ${URL_.replace(/:[^:@/]*@/, ':***@')}`);
  const { open } = await freshStore('main');
  const store = await open();
  try {
    await store.createJourney({ id: 'cart', name: definition.name, draft: definition, layout: {} }, T0);
    await store.publishJourney('cart', T0);
    const catalog = await Catalog.load(store);

    // Profiles (the engine reads them in every unit of work).
    let t = performance.now();
    let times: number[] = [];
    for (let i = 0; i < USERS; i += BATCH) {
      const s = performance.now();
      const n = Math.min(BATCH, USERS - i);
      await store.upsertProfiles(Array.from({ length: n }, (_, k) => ({ userId: `u${i + k}`, traits: { Name: `User ${i + k}`, email: `u${i + k}@example.test`, phone: '+15550000', pushToken: `tok-${i + k}`, timezone: 'UTC' } })), T0);
      times.push(performance.now() - s);
    }
    report('upsertProfiles (new users)', USERS, performance.now() - t, times);

    // Ingest: each cart event creates one pending instance.
    t = performance.now();
    times = [];
    for (let i = 0; i < USERS; i += BATCH) {
      const events = cartEvents(i, Math.min(BATCH, USERS - i), T0);
      const s = performance.now();
      await store.ingestEvents(events, T0, (view) => decideEvents(catalog, view, { now: T0, inStore, time: 'arrival' }).toChanges(), catalog.lookback());
      times.push(performance.now() - s);
    }
    report('ingestEvents (1 pending instance per event)', USERS, performance.now() - t, times);

    // Duplicates only (a client retrying a whole batch).
    t = performance.now();
    times = [];
    for (let i = 0; i < USERS; i += BATCH) {
      const events = cartEvents(i, Math.min(BATCH, USERS - i), T0);
      const s = performance.now();
      await store.ingestEvents(events, T0, () => ({ instances: [], messages: [], stats: [] }), catalog.lookback());
      times.push(performance.now() - s);
    }
    report('ingestEvents (all duplicates)', USERS, performance.now() - t, times);

    // Timers: every pending instance qualifies at T0 + 2 min, gets a push and sleeps 2 h.
    const now = T0 + 3 * MIN;
    t = performance.now();
    times = [];
    let fired = 0;
    for (;;) {
      const s = performance.now();
      const n = await store.fireDueTimers(now, BATCH, (view) => decideTimers(catalog, view, { now: now, inStore, time: 'arrival' }).toChanges());
      if (n === 0) break;
      times.push(performance.now() - s);
      fired += n;
    }
    report('fireDueTimers (qualify + push + sleep)', fired, performance.now() - t, times);

    // Dispatcher: claim with a lease, then record the outcome.
    t = performance.now();
    times = [];
    let dispatched = 0;
    for (;;) {
      const s = performance.now();
      const batch = await store.pendingMessages(BATCH);
      if (batch.length === 0) break;
      await store.recordOutcomes(batch.map((m) => ({ id: m.id, status: 'sent' as const, at: now })));
      times.push(performance.now() - s);
      dispatched += batch.length;
    }
    report('pendingMessages + recordOutcomes', dispatched, performance.now() - t, times);

    // Second pass of timers on a table with history (SMS 2 h later).
    const later = now + 2 * 60 * MIN;
    t = performance.now();
    times = [];
    fired = 0;
    for (;;) {
      const s = performance.now();
      const n = await store.fireDueTimers(later, BATCH, (view) => decideTimers(catalog, view, { now: later, inStore, time: 'arrival' }).toChanges());
      if (n === 0) break;
      times.push(performance.now() - s);
      fired += n;
    }
    report('fireDueTimers (delay ends, SMS)', fired, performance.now() - t, times);
  } finally {
    await store.close();
  }

  // Two processes ingesting at once (distinct users), each with 2 batches in flight.
  {
    const { open: openShared } = await freshStore('two');
    const a = await openShared();
    const b = await openShared();
    try {
      await a.createJourney({ id: 'cart', name: definition.name, draft: definition, layout: {} }, T0);
      await a.publishJourney('cart', T0);
      const catalogs = [await Catalog.load(a), await Catalog.load(b)];
      const stores = [a, b];
      let next = 0;
      const times: number[] = [];
      const worker = async (w: number) => {
        const store = stores[w % 2]!;
        const catalog = catalogs[w % 2]!;
        for (;;) {
          const from = next;
          if (from >= USERS) return;
          next += BATCH;
          const events = cartEvents(from, Math.min(BATCH, USERS - from), T0);
          const s = performance.now();
          await store.ingestEvents(events, T0, (view) => decideEvents(catalog, view, { now: T0, inStore, time: 'arrival' }).toChanges(), catalog.lookback());
          times.push(performance.now() - s);
        }
      };
      const t = performance.now();
      await Promise.all([0, 1, 2, 3].map(worker));
      report('ingestEvents, 2 stores x 2 in flight', USERS, performance.now() - t, times);

      const now = T0 + 3 * MIN;
      const ftimes: number[] = [];
      let fired = 0;
      const timerWorker = async (w: number) => {
        const store = stores[w % 2]!;
        const catalog = catalogs[w % 2]!;
        for (;;) {
          const s = performance.now();
          const n = await store.fireDueTimers(now, BATCH, (view) => decideTimers(catalog, view, { now: now, inStore, time: 'arrival' }).toChanges());
          if (n === 0) {
            const next = await store.nextWakeAt();
            if (next === null || next > now) return;
            continue; // the rest is claimed by the other workers right now
          }
          ftimes.push(performance.now() - s);
          fired += n;
        }
      };
      const t2 = performance.now();
      await Promise.all([0, 1, 2, 3].map(timerWorker));
      report('fireDueTimers, 2 stores x 2 in flight', fired, performance.now() - t2, ftimes);
    } finally {
      await a.close();
      await b.close();
    }
  }

  await statementShapes();
}

/** 1000-row instance upserts: unnest arrays (what the store does) vs a VALUES list vs row by row. */
async function statementShapes(): Promise<void> {
  const { schema, open } = await freshStore('shape');
  await (await open()).close(); // creates the tables
  const client = new pg.Client({ connectionString: URL_ });
  await client.connect();
  await client.query(`SET search_path = "${schema}"`);
  const rows = (round: number) =>
    Array.from({ length: BATCH }, (_, k) => {
      const id = `i${round}-${k}`;
      const state = { id, journeyId: 'cart', version: 1, userId: `u${round}-${k}`, status: 'active', nodeId: 'wait', wakeAt: T0 + k, createdAt: T0, enteredAt: T0, step: 2, entryEvent: { messageId: `m${k}`, name: 'Added to Cart', timestamp: T0, properties: { sku: 'SKU-2001', price: 89.99 } }, nodeUntil: T0 + k, timeoutAt: null, convertedAt: null, exit: null };
      return [id, 'cart', 1, state.userId, 'active', T0 + k, T0, JSON.stringify(state), T0] as const;
    });
  const shapes: Record<string, (r: ReturnType<typeof rows>) => Promise<unknown>> = {
    'unnest arrays': (r) =>
      client.query(
        `INSERT INTO instances (id, journey_id, version, user_id, status, wake_at, entered_at, state, updated_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::jsonb[], $9::bigint[])
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, wake_at = excluded.wake_at, state = excluded.state, updated_at = excluded.updated_at`,
        [0, 1, 2, 3, 4, 5, 6, 7, 8].map((c) => r.map((row) => row[c])),
      ),
    'VALUES list (9 params a row)': (r) =>
      client.query(
        `INSERT INTO instances (id, journey_id, version, user_id, status, wake_at, entered_at, state, updated_at) VALUES
         ${r.map((_, i) => `(${Array.from({ length: 9 }, (_, c) => `$${i * 9 + c + 1}`).join(', ')})`).join(', ')}
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, wake_at = excluded.wake_at, state = excluded.state, updated_at = excluded.updated_at`,
        r.flat(),
      ),
    'one statement per row (prepared)': async (r) => {
      for (const row of r) {
        await client.query({
          name: 'one-row',
          text: `INSERT INTO instances (id, journey_id, version, user_id, status, wake_at, entered_at, state, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (id) DO UPDATE SET status = excluded.status, wake_at = excluded.wake_at, state = excluded.state, updated_at = excluded.updated_at`,
          values: [...row],
        });
      }
    },
  };
  try {
    let round = 0;
    for (const [label, run] of Object.entries(shapes)) {
      const times: number[] = [];
      const t = performance.now();
      for (let i = 0; i < 10; i++) {
        const r = rows(round++);
        const s = performance.now();
        await client.query('BEGIN');
        await run(r);
        await client.query('COMMIT');
        times.push(performance.now() - s);
      }
      report(`instances insert, ${label}`, 10 * BATCH, performance.now() - t, times);
    }
  } finally {
    await client.end();
  }
}

try {
  await main();
} finally {
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
}
