/**
 * The reads of a batch's users are planned as index probes even on a fresh schema, before any statistics
 * exist (src/store/postgres/batch-lookups.ts): EXPLAIN on tables of 50,000 rows that were never analyzed. And a
 * unit of work goes on reading by index once a table has grown past the plans its connection kept
 * (connection.ts, UNIT_BEGIN).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MERGE_MESSAGES } from '../../src/store/postgres/identities.ts';
import { MESSAGES_OF_INSTANCE_IDS } from '../../src/store/postgres/reads.ts';
import { EVENTS_OF_USERS, INSTANCES_OF_USERS, MESSAGES_OF_INSTANCES, PROFILES_OF_USERS, RECENT_EVENTS_OF_USERS, SENDS_OF_USERS } from '../../src/store/postgres/batch-lookups.ts';
import { DAY_MS } from '../../src/store/postgres/event-partitions.ts';
import { T0 } from '../helpers.ts';
import { testSchema, withPostgres, type TestSchema } from './postgres-fixture.ts';

const ROWS = 50_000;
const USERS = Array.from({ length: 500 }, (_, i) => `u${i * 97}`);

interface PlanNode {
  'Node Type': string;
  'Plan Rows': number;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

async function plan(schema: TestSchema, sql: string, values: unknown[]): Promise<PlanNode> {
  const [row] = await schema.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${sql}`, values);
  return row!['QUERY PLAN'][0]!.Plan;
}

/** Every scan of the plan: "Seq Scan on instances", "Index Scan on events_20261102", ... */
/** The indexes the plan reads, in plan order. */
async function indexesRead(schema: TestSchema, sql: string, values: unknown[]): Promise<string[]> {
  const found: string[] = [];
  const walk = (node: PlanNode) => {
    if (node['Index Name']) found.push(node['Index Name']);
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(await plan(schema, sql, values));
  return found;
}

async function scans(schema: TestSchema, sql: string, values: unknown[]): Promise<string[]> {
  const found: string[] = [];
  const walk = (node: PlanNode) => {
    if (node['Relation Name']) found.push(`${node['Node Type']} on ${node['Relation Name']}`);
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(await plan(schema, sql, values));
  return found;
}

await withPostgres('PostgreSQL batch lookups without statistics', () => {
  test('the instances, events, recent sends and instance messages of 500 users are read by index on tables never analyzed', async () => {
    const schema = testSchema();
    const store = await schema.open();
    try {
      // Three day partitions, made by the store as ingest would; then bulk rows, with autovacuum kept away.
      for (let day = 0; day < 3; day++) {
        await store.ingestEvents([{ messageId: `seed-${day}`, userId: 'seed', name: 'Charged', timestamp: T0, properties: {} }], T0 + day * DAY_MS, () => ({ instances: [], messages: [], stats: [] }));
      }
      const partitions = (await schema.query<{ name: string }>("SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass")).map((r) => r.name);
      for (const table of ['instances', 'profiles', 'event_ids', 'messages', ...partitions]) await schema.query(`ALTER TABLE "${table}" SET (autovacuum_enabled = false)`);
      await schema.query(`INSERT INTO profiles (user_id, traits, updated_at) SELECT 'u' || g, '{}', 1 FROM generate_series(1, $1::int) g`, [ROWS]);
      await schema.query(
        `INSERT INTO instances (id, journey_id, version, user_id, status, wake_at, entered_at, state, updated_at)
         SELECT 'i' || g, 'cart', 1, 'u' || g, 'active', NULL, 1, '{}', 1 FROM generate_series(1, $1::int) g`,
        [ROWS],
      );
      await schema.query(
        `INSERT INTO messages (id, journey_id, version, instance_id, node_id, user_id, channel, status, created_at)
         SELECT 'i' || g || ':push:1', 'cart', 1, 'i' || g, 'push', 'u' || (g % 5000), 'push', 'sent', $2::bigint + g FROM generate_series(1, $1::int) g`,
        [ROWS, T0],
      );
      for (let day = 0; day < 3; day++) {
        await schema.query(
          `INSERT INTO events (message_id, user_id, name, ts, properties, received_at)
           SELECT 'm' || g || '-' || $2::int, 'u' || g, 'Charged', $3::bigint + g, '{}', $3::bigint + $2::int * $4::bigint FROM generate_series(1, $1::int) g`,
          [ROWS, day, T0, DAY_MS],
        );
      }
      const analyzed = await schema.query("SELECT 1 FROM pg_stats WHERE schemaname = current_schema() AND (tablename IN ('instances', 'profiles', 'messages') OR tablename LIKE 'events%')");
      assert.equal(analyzed.length, 0, 'the tables have no statistics');

      // Without statistics, ANY over a batch's users is planned as a full scan: what these lookups avoid.
      assert.deepEqual(await scans(schema, 'SELECT state FROM instances WHERE user_id = ANY($1::text[])', [USERS]), ['Seq Scan on instances']);

      // profiles: user_id is the key, so the planner knows each user is one row and chooses by cost.
      assert.equal((await plan(schema, PROFILES_OF_USERS, [USERS]))['Plan Rows'], USERS.length);
      // instances and events: one index probe per user, whatever the planner guesses.
      const lookups: Array<[string, string, unknown[]]> = [
        ['instances', INSTANCES_OF_USERS, [USERS]],
        ['recent events', RECENT_EVENTS_OF_USERS, [USERS, USERS.map(() => T0), ['Charged']]],
        ['events of users', EVENTS_OF_USERS, [USERS, ['Charged'], T0]],
        ['recent sends', SENDS_OF_USERS, [USERS, T0]],
        ['messages of instances', MESSAGES_OF_INSTANCES, [USERS.map((u) => `i${u.slice(1)}`)]],
      ];
      for (const [what, sql, values] of lookups) {
        const found = await scans(schema, sql, values);
        assert.ok(found.length > 0, what);
        assert.deepEqual(found.filter((s) => s.startsWith('Seq Scan')), [], `${what}: ${found.join(', ')}`);
      }

      // An instance's messages are a range of the message key (migration 024 dropped messages_by_instance):
      // for a unit's outcomes, the API, and the waiting messages of the passes a merge ends.
      const instances = USERS.map((u) => `i${u.slice(1)}`);
      const BY_KEY = ['messages_id_key', 'messages_pkey'];
      for (const [what, sql, values, allowed] of [
        ['outcomes', MESSAGES_OF_INSTANCES, [instances], BY_KEY],
        ['the API', MESSAGES_OF_INSTANCE_IDS, [instances], BY_KEY],
        ['a merge', MERGE_MESSAGES, ['u1', 'u2', instances], [...BY_KEY, 'messages_by_user', 'messages_by_user_created']],
      ] as const) {
        const read = (await indexesRead(schema, sql, [...values])).filter((name) => name.startsWith('messages'));
        assert.ok(read.includes('messages_id_key') && read.every((name) => allowed.includes(name)), `${what}: ${read.join(', ')}`);
        assert.deepEqual((await scans(schema, sql, [...values])).filter((s) => s.startsWith('Seq Scan')), [], what);
      }
    } finally {
      await store.close();
      await schema.drop();
    }
  });

  test('a unit of work reads instances by key even when its statements were first planned on a small table', async () => {
    const schema = testSchema();
    // One connection, whose statements are prepared once. After a few runs PostgreSQL may keep one plan for a
    // statement; one it made while instances held a few hundred rows (a full scan the cheapest read then, a batch
    // of hundreds of users costed as ten) read the whole table at every unit once it had grown.
    const store = await schema.open({ poolSize: 1 });
    const none = () => ({ instances: [], messages: [], stats: [] });
    /** Full scans of instances so far, as the statistics count them (the store's connection flushes its counts first). */
    const fullScans = async () => {
      await store.pool.query('SELECT pg_stat_force_next_flush()');
      return (await schema.query<{ n: number }>("SELECT seq_scan::int AS n FROM pg_stat_user_tables WHERE relid = 'instances'::regclass"))[0]!.n;
    };
    const addInstances = async (from: number, to: number) => {
      await schema.query(
        `INSERT INTO instances (id, journey_id, version, user_id, status, wake_at, entered_at, state, updated_at)
         SELECT 'i' || g, 'cart', 1, 'u' || g, 'active', $3::bigint + g, 1,
           json_build_object('id', 'i' || g, 'journeyId', 'cart', 'version', 1, 'userId', 'u' || g, 'status', 'active', 'entryEvent', json_build_object()), 1
         FROM generate_series($1::int, $2::int) g`,
        [from, to, T0],
      );
    };
    const batch = (tag: string) => Array.from({ length: 200 }, (_, u) => ({ messageId: `${tag}-${u}`, userId: `u${u + 1}`, name: 'Viewed', timestamp: T0, properties: {} }));
    try {
      await addInstances(1, 300);
      await schema.query('ANALYZE instances');
      const start = await fullScans();
      await store.pool.query('SELECT count(*) FROM instances');
      assert.equal(await fullScans(), start + 1, 'a full scan is counted');

      // Units of 200 users and timer claims while the table is small, then the table grows 160-fold.
      for (let n = 0; n < 8; n++) {
        await store.ingestEvents(batch(`early-${n}`), T0, none);
        await store.fireDueTimers(T0, 100, none);
      }
      await addInstances(301, ROWS);
      const before = await fullScans();
      let live = 0;
      await store.ingestEvents(batch('late'), T0, (view) => ((live = view.live.get('u7')?.length ?? 0), none()));
      assert.equal(live, 1, "the user's live pass was read");
      assert.equal(await store.fireDueTimers(T0 + 10, 100, none), 10, 'ten timers were due');
      assert.equal(await fullScans(), before, 'no unit read instances whole');
    } finally {
      await store.close();
      await schema.drop();
    }
  });
});
