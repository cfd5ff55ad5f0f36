/**
 * Timer-claim latency on PostgreSQL as sleeping instances pile up: does claiming due timers stay flat with
 * 0, 1 million and 10 million instances asleep (wake_at far in the future) in the table?
 *
 * In a throw-away schema, with the abandoned-cart journey published: at each level, a steady trickle of due
 * instances (pending carts whose window just closed, with profiles) is inserted, `--due` at a time, and the
 * engine fires them (Engine.runDue: claim FOR UPDATE SKIP LOCKED, try-lock the users, decide, write: the push
 * is recorded, the instance goes to sleep for 2 h). Measured per round:
 *   - unit of work: one Store.fireDueTimers call, claim to commit, as a worker runs it;
 *   - claim: the claim statement alone (SELECT ... WHERE wake_at <= now ORDER BY wake_at LIMIT n FOR UPDATE
 *     SKIP LOCKED), in a transaction rolled back, just before;
 *   - nextWakeAt: the earliest timer (what every worker asks after each run).
 * Sleeping rows are added with INSERT ... SELECT FROM generate_series, then VACUUM ANALYZE (what autovacuum
 * does on a live database).
 *
 *   npx tsx bench/pg-claim.ts [--levels 0,1000000,10000000] [--rounds 300] [--due 100] [--payload full|small] [--keep]
 *   (server: WAYMARK_BENCH_DATABASE_URL, else WAYMARK_TEST_DATABASE_URL, else local postgres)
 *
 * --payload full (default) gives sleeping rows a realistic state document (~600 bytes: the entry event and
 * its properties); small gives them a minimal one, for a quicker fill.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { openWaymark } from '../src/app/waymark.ts';
import { VirtualClock } from '../src/core/clock.ts';
import type { JourneyDefinition } from '../src/core/definition.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import type { Store } from '../src/store/store.ts';

const URL_ = process.env.WAYMARK_BENCH_DATABASE_URL || process.env.WAYMARK_TEST_DATABASE_URL || 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const argv = process.argv.slice(2);
const get = (flag: string): string | undefined => {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
};
const LEVELS = (get('--levels') ?? '0,1000000,10000000').split(',').map(Number);
const ROUNDS = Number(get('--rounds') ?? 300);
const DUE = Number(get('--due') ?? 100);
const PAYLOAD = get('--payload') ?? 'full';
const KEEP = argv.includes('--keep');
const FILL_CHUNK = 1_000_000;
const WARM_UP_ROUNDS = 50;
const T0 = Date.UTC(2026, 10, 2, 15, 0, 0);
const DAY = 86_400_000;

const definition = JSON.parse(readFileSync(new URL('../examples/abandoned-cart.json', import.meta.url), 'utf8')) as JourneyDefinition;

function percentile(sorted: number[], q: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function summary(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 0.5).toFixed(2)}  p99 ${percentile(sorted, 0.99).toFixed(2)}  max ${sorted.at(-1)!.toFixed(2)}`;
}

/** The state document of a sleeping instance, built in SQL from the row number g. */
function sleeperState(): string {
  if (PAYLOAD === 'small') return `jsonb_build_object('id', 'sleep-' || g, 'journeyId', 'cart', 'version', 1, 'userId', 'sleeper-' || g, 'status', 'active', 'wakeAt', $1::bigint + g)`;
  return `jsonb_build_object(
    'id', 'sleep-' || g, 'journeyId', 'cart', 'version', 1, 'userId', 'sleeper-' || g, 'status', 'active',
    'nodeId', 'wait-2h-before-sms', 'wakeAt', $1::bigint + g, 'createdAt', ${T0}, 'enteredAt', ${T0 + 120_000}, 'step', 2,
    'entryEvent', jsonb_build_object('messageId', 'cart-' || g, 'name', 'Added to Cart', 'timestamp', ${T0},
      'properties', jsonb_build_object('sku', 'SKU-2001', 'productName', 'Trail Running Shoes', 'category', 'footwear', 'price', 89.99,
        'quantity', 1, 'currency', 'USD', 'cartId', 'cart-' || md5(g::text))),
    'nodeUntil', $1::bigint + g, 'timeoutAt', ${T0 + DAY}, 'convertedAt', null, 'exit', null)`;
}

async function main(): Promise<void> {
  const schema = `wm_claim_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: URL_ });
  await admin.connect();
  await admin.query(`SET search_path = "${schema}"`).catch(() => {});
  console.log(`claim latency bench: levels ${LEVELS.join(', ')} sleeping instances; ${ROUNDS} rounds of ${DUE} due instances each; payload ${PAYLOAD}; schema ${schema}`);
  const store = await PostgresStore.open(URL_, { schema, poolSize: 4 });
  await admin.query(`SET search_path = "${schema}"`);

  // Time every fireDueTimers call: one call is one claim-to-commit unit of work.
  const unitTimes: number[] = [];
  const timed = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'fireDueTimers') {
        return async (...args: Parameters<Store['fireDueTimers']>) => {
          const start = performance.now();
          const n = await target.fireDueTimers(...args);
          if (n > 0) unitTimes.push(performance.now() - start);
          return n;
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as Store;

  const clock = new VirtualClock(T0);
  const waymark = await openWaymark({ database: timed, clock, realtime: false, engine: { timerBatch: 2_000 } });
  try {
    await waymark.journeys.create({ id: 'cart', definition });
    await waymark.journeys.publish('cart');
    let sleeping = 0;
    let round = 0;
    const rows: string[] = [];
    for (const level of LEVELS) {
      // Fill up to the level, a million rows per statement.
      const fillStart = performance.now();
      while (sleeping < level) {
        const n = Math.min(FILL_CHUNK, level - sleeping);
        await admin.query(
          `INSERT INTO instances (id, journey_id, version, user_id, status, wake_at, entered_at, state, updated_at)
           SELECT 'sleep-' || g, 'cart', 1, 'sleeper-' || g, 'active', $1::bigint + g, ${T0 + 120_000}, ${sleeperState()}, ${T0}
           FROM generate_series($2::bigint, $3::bigint) AS g`,
          [T0 + 30 * DAY, sleeping + 1, sleeping + n],
        );
        sleeping += n;
        process.stderr.write(`  ${sleeping.toLocaleString('en-US')} sleeping instances (${((performance.now() - fillStart) / 1000).toFixed(0)} s)\n`);
      }
      if (performance.now() - fillStart > 1) {
        await admin.query('VACUUM ANALYZE instances');
        process.stderr.write(`  filled and vacuumed in ${((performance.now() - fillStart) / 1000).toFixed(0)} s\n`);
      }
      const { rows: size } = await admin.query(`SELECT pg_size_pretty(pg_total_relation_size('instances')) AS total, pg_size_pretty(pg_relation_size('instances_due')) AS due_index`);

      // The trickle: DUE carts whose window has just closed, then the engine fires them.
      unitTimes.length = 0;
      const claimTimes: number[] = [];
      let plan: string[] = [];
      const nextTimes: number[] = [];
      for (let r = 0; r < ROUNDS; r++, round++) {
        const now = clock.now() + 1_000;
        clock.set(now);
        await admin.query(
          `WITH ids AS (SELECT $1::text || '-' || k AS u FROM generate_series(1, $2::int) AS k),
           p AS (INSERT INTO profiles (user_id, traits, updated_at) SELECT u, jsonb_build_object('name', 'Due ' || u, 'pushToken', 'tok-' || u, 'email', u || '@example.test'), $3 FROM ids)
           INSERT INTO instances (id, journey_id, version, user_id, status, wake_at, entered_at, state, updated_at)
           SELECT 'i-' || u, 'cart', 1, u, 'pending', $3, NULL,
             jsonb_build_object('id', 'i-' || u, 'journeyId', 'cart', 'version', 1, 'userId', u, 'status', 'pending', 'nodeId', 'cart-abandoned',
               'wakeAt', $3::bigint, 'createdAt', $3::bigint - 120000, 'enteredAt', null, 'step', 0,
               'entryEvent', jsonb_build_object('messageId', 'm-' || u, 'name', 'Added to Cart', 'timestamp', $3::bigint - 120000,
                 'properties', jsonb_build_object('productName', 'Trail Running Shoes', 'price', 89.99, 'currency', 'USD')),
               'nodeUntil', $3::bigint, 'timeoutAt', null, 'convertedAt', null, 'exit', null),
             $3
           FROM ids`,
          [`due-${round}`, DUE, now - 1],
        );
        let s = performance.now();
        await admin.query('BEGIN');
        const claimed = await admin.query('SELECT user_id, state FROM instances WHERE wake_at <= $1 ORDER BY wake_at LIMIT $2 FOR UPDATE SKIP LOCKED', [now, 2_000]);
        claimTimes.push(performance.now() - s);
        await admin.query('ROLLBACK');
        if (claimed.rowCount !== DUE) throw new Error(`expected ${DUE} due instances, claimed ${claimed.rowCount}`);
        if (r === ROUNDS - 1) {
          await admin.query('BEGIN');
          const { rows: explained } = await admin.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT user_id, state FROM instances WHERE wake_at <= ${now} ORDER BY wake_at LIMIT 2000 FOR UPDATE SKIP LOCKED`);
          await admin.query('ROLLBACK');
          plan = explained.map((p: Record<string, string>) => p['QUERY PLAN']!.trim());
        }
        const fired = await waymark.engine.runDue();
        if (fired !== DUE) throw new Error(`expected to fire ${DUE}, fired ${fired}`);
        s = performance.now();
        await store.nextWakeAt();
        nextTimes.push(performance.now() - s);
      }
      const line = `${level.toLocaleString('en-US').padStart(12)} sleeping (table ${size[0].total}, instances_due ${size[0].due_index}): unit of work ms ${summary(unitTimes)} | claim ms ${summary(claimTimes)} | nextWakeAt ms ${summary(nextTimes)}`;
      console.log(line);
      console.log(`               claim plan with ${DUE} due: ${plan.join(' / ')}`);
      rows.push(line);
    }
  } finally {
    await waymark.close();
    if (KEEP) console.log(`kept schema ${schema}`);
    else await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    await admin.end();
  }
}

await main();
