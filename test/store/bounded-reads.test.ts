/**
 * A unit of work reads a user's instances through the part of an index that holds only what it needs (live
 * instances; the journeys entered and their last exits), never all the passes a user ever made: a re-entering
 * journey with no cool-down piles up exited passes, and an event of that user would read them all (90 ms per
 * event at 40,000 on SQLite before these reads).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { INSTANCES_OF_USERS } from '../../src/store/postgres/batch-lookups.ts';
import { USER_INSTANCE_PAGE as USER_INSTANCE_PAGE_PG, USER_INSTANCES as USER_INSTANCES_PG } from '../../src/store/postgres/reads.ts';
import { MESSAGES_OF_INSTANCE } from '../../src/store/sqlite/instance-messages.ts';
import { USER_INSTANCE_PAGE, USER_INSTANCES, USER_KNOWN } from '../../src/store/sqlite/reads.ts';
import { ENTERED_OF_USERS, LIVE_OF_USERS } from '../../src/store/sqlite/unit-views.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { tempDir } from '../helpers.ts';
import { testSchema, withPostgres, type TestSchema } from './postgres-fixture.ts';

const BOUNDED = new Set(['instances_live_by_user', 'instances_entered_by_user']);
/** On SQLite, the ranges that are bounded: a user's live passes (migration 025), and per journey a user's entries. */
const BOUNDED_SQLITE = ['USING INDEX instances_by_user_exit (user_id=? AND <expr>=?)', 'USING INDEX instances_entered_by_user (user_id=?'];

describe('SQLite', () => {
  test('the live instances and the entered journeys of a batch\'s users are read by the bounded indexes only', () => {
    const store = new SqliteStore(join(tempDir(), 'plans.db'));
    try {
      for (const sql of [LIVE_OF_USERS, ENTERED_OF_USERS]) {
        const details = (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('["u1","u2"]') as Array<{ detail: string }>).map((r) => r.detail);
        const onInstances = details.filter((d) => /\b(SCAN|SEARCH) (instances|i)\b/.test(d));
        assert.ok(onInstances.length > 0, details.join('\n'));
        for (const d of onInstances) assert.ok(BOUNDED_SQLITE.some((range) => d.includes(range)), `${d}\nin\n${details.join('\n')}`);
      }
    } finally {
      void store.close();
    }
  });

  test('without messages_by_instance (migration 017), an instance\'s messages are a range of the messages\' key', () => {
    const store = new SqliteStore(join(tempDir(), 'plans.db'));
    try {
      const sql = `SELECT m.* FROM json_each(?) AS i CROSS JOIN messages m ON ${MESSAGES_OF_INSTANCE}`;
      const details = (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('["cart:e1"]') as Array<{ detail: string }>).map((r) => r.detail);
      const onMessages = details.filter((d) => /\b(SCAN|SEARCH) m\b/.test(d));
      assert.deepEqual(onMessages, ['SEARCH m USING INDEX sqlite_autoindex_messages_1 (id>? AND id<?)'], details.join('\n'));
    } finally {
      void store.close();
    }
  });

  test('the API\'s reads of a user\'s passes and a merge go through the one index of them (migration 025), the passes that are over walked from the latest', () => {
    const store = new SqliteStore(join(tempDir(), 'plans.db'));
    try {
      const indexes = (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'instances'").all() as Array<{ name: string }>).map((r) => r.name);
      for (const gone of ['instances_by_user', 'instances_by_user_updated', 'instances_live_by_user', 'instances_exited_by_user']) assert.ok(!indexes.includes(gone), indexes.join(', '));
      const page = { userId: 'u1', changed: 5, id: 'x', journeyId: null, rows: 11 };
      for (const [sql, params, expected] of [
        [USER_INSTANCES, { userId: 'u1' }, ['(user_id=? AND <expr>=?)', '(user_id=? AND <expr><?)']],
        [USER_INSTANCE_PAGE, page, ['(user_id=? AND <expr>=?)', '(user_id=? AND <expr><?)']],
        [USER_KNOWN, { userId: 'u1' }, ['(user_id=?)']],
        ["UPDATE instances SET user_id = 'b' WHERE user_id = 'a'", {}, ['(user_id=?)']],
      ] as const) {
        const details = (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as Array<{ detail: string }>).map((r) => r.detail);
        const onInstances = details.filter((d) => /\b(SCAN|SEARCH) instances\b/.test(d));
        const ranges = onInstances.map((d) => /^SEARCH instances USING (?:COVERING )?INDEX instances_by_user_exit (\(.*\))$/.exec(d)?.[1] ?? d);
        assert.deepEqual(ranges.sort(), [...expected].sort(), details.join('\n'));
        if (sql === USER_INSTANCE_PAGE) {
          // The page's passes that are over come in the index's order, LIMIT rows: the walk sorts none (a sort
          // after it sorts the page).
          const plan = store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as Array<{ id: number; parent: number; detail: string }>;
          const walk = plan.find((r) => r.detail.endsWith('(user_id=? AND <expr><?)'))!;
          assert.deepEqual(plan.filter((r) => r.parent === walk.parent).map((r) => r.detail), [walk.detail], plan.map((r) => `${r.id} ${r.parent} ${r.detail}`).join('\n'));
        }
      }
    } finally {
      void store.close();
    }
  });
});

await withPostgres('PostgreSQL', () => {
  test('no index of all a user\'s instances (migrations 019 and 020): every write of an instance wrote an entry of each', async () => {
    await onFreshSchema(async (schema) => {
      const rows = await schema.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2', [schema.name, 'instances']);
      const indexes = rows.map((r) => r.indexname);
      for (const gone of ['instances_by_user', 'instances_by_user_updated']) assert.ok(!indexes.includes(gone), indexes.join(', '));
      assert.ok(indexes.includes('instances_exited_by_user'), indexes.join(', '));
    });
  });

  test('without an index of all a user\'s instances (migration 020), the API\'s reads of them go through the live and the exited ones\' indexes', async () => {
    await onFreshSchema(async (schema) => {
      for (const [sql, params] of [
        [USER_INSTANCES_PG, ['u1']],
        [USER_INSTANCE_PAGE_PG, ['u1', 5, 'x', null, 11]],
      ] as const) {
        assert.deepEqual((await scansOfInstances(schema, sql, [...params])).sort(), ['instances_exited_by_user', 'instances_live_by_user'], sql);
      }
    });
  });

  test('the live instances and the entered journeys of a batch\'s users are read by the bounded indexes (and the key) only', async () => {
    await onFreshSchema(async (schema) => {
      const scans = await scansOfInstances(schema, INSTANCES_OF_USERS, [['u1', 'u2']]);
      assert.ok(scans.length > 0);
      for (const index of scans) assert.ok(BOUNDED.has(index) || index === 'instances_pkey', `${index} in ${scans.join(', ')}`);
    });
  });
});

async function onFreshSchema(check: (schema: TestSchema) => Promise<void>): Promise<void> {
  const schema = testSchema();
  const store = await schema.open();
  try {
    await check(schema);
  } finally {
    await store.close();
    await schema.drop();
  }
}

/** How a query's plan reads instances: the name of each index it scans, or 'Seq Scan'. */
async function scansOfInstances(schema: TestSchema, sql: string, params: unknown[]): Promise<string[]> {
  const [row] = await schema.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
  const scans: string[] = [];
  const walk = (node: PlanNode) => {
    // Index scans name their index (a bitmap heap scan's index is its child's); a seq scan has none.
    if (node['Index Name']?.startsWith('instances')) scans.push(node['Index Name']);
    else if (node['Relation Name'] === 'instances' && node['Node Type'] === 'Seq Scan') scans.push('Seq Scan');
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(row!['QUERY PLAN'][0]!.Plan);
  return scans;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
