/**
 * The dashboard's reads go through indexes that hold only what they need, never through every instance or
 * every event: a journey's live instances (instances_live_by_journey on SQLite, instances_one_live on
 * PostgreSQL) for where its users are now, the primary key's
 * range of the journey's instance ids for its series, and arrival order (events_by_received_at on SQLite, the
 * day partitions' keys on PostgreSQL) for the events a backtest replays. The plans are checked on an empty
 * store, where a full scan costs the planner least, so an index chosen here is chosen for its bound.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { EVENT_WINDOW as PG_EVENT_WINDOW } from '../../src/store/postgres/event-window.ts';
import { SERIES_OF_JOURNEY as PG_SERIES } from '../../src/store/postgres/journey-series.ts';
import { WAITING_OF_JOURNEY as PG_WAITING } from '../../src/store/postgres/journey-waiting.ts';
import { EVENT_WINDOW } from '../../src/store/sqlite/event-window.ts';
import { SERIES_OF_JOURNEY } from '../../src/store/sqlite/journey-series.ts';
import { WAITING_OF_JOURNEY } from '../../src/store/sqlite/journey-waiting.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { tempDir } from '../helpers.ts';
import { testSchema, withPostgres } from './postgres-fixture.ts';

describe('SQLite', () => {
  test('waiting, series and the event window each search one bounded index, and the window needs no sort', () => {
    const store = new SqliteStore(join(tempDir(), 'plans.db'));
    try {
      const plan = (sql: string, params: unknown) => (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as Array<{ detail: string }>).map((r) => r.detail);
      const waiting = plan(WAITING_OF_JOURNEY, 'cart');
      assert.deepEqual(waiting.filter((d) => /instances/.test(d)), ['SEARCH instances USING INDEX instances_live_by_journey (journey_id=?)'], waiting.join('\n'));
      const series = plan(SERIES_OF_JOURNEY, { lo: 'cart:', hi: 'cart;', from: 0, to: 1, slot: 1 });
      assert.deepEqual(series.filter((d) => /instances/.test(d)), ['SEARCH instances USING INDEX sqlite_autoindex_instances_1 (id>? AND id<?)'], series.join('\n'));
      const window = plan(EVENT_WINDOW, { afterAt: 0, afterSeq: 0, from: 0, to: 1, limit: 10 });
      assert.deepEqual(window, ['SEARCH events USING INDEX events_by_received_at (received_at>? AND received_at<?)'], window.join('\n'));
    } finally {
      void store.close();
    }
  });
});

await withPostgres('PostgreSQL', () => {
  test('waiting reads instances_one_live, series the primary key, the event window the partitions\' keys', async () => {
    const schema = testSchema();
    const store = await schema.open();
    try {
      const now = Date.now();
      // One day partition, so the window has somewhere to look.
      await store.ingestEvents([{ messageId: 'm1', userId: 'u1', name: 'Viewed', timestamp: now, properties: {} }], now, () => ({ instances: [], messages: [], stats: [] }));
      const scans = async (sql: string, values: unknown[]) => {
        const [row] = await schema.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${sql}`, values);
        const found: string[] = [];
        const walk = (node: PlanNode) => {
          if (node['Index Name']) found.push(`${node['Node Type']} ${node['Index Name']}`);
          else if (node['Node Type'] === 'Seq Scan') found.push(`Seq Scan ${node['Relation Name']}`);
          for (const child of node.Plans ?? []) walk(child);
        };
        walk(row!['QUERY PLAN'][0]!.Plan);
        return found;
      };
      const waiting = await scans(PG_WAITING, ['cart']);
      assert.ok(waiting.length > 0 && waiting.every((s) => s.endsWith(' instances_one_live')), waiting.join(', '));
      const series = await scans(PG_SERIES, ['cart:', 'cart;', 0, 1, 1]);
      assert.ok(series.length > 0 && series.every((s) => s.endsWith(' instances_pkey')), series.join(', '));
      const window = await scans(PG_EVENT_WINDOW, [now - 86_400_000, now + 1, 0, 10]);
      assert.ok(window.length > 0 && window.every((s) => /^Index Scan events_\d{8}_pkey$/.test(s)), window.join(', '));
    } finally {
      await store.close();
      await schema.drop();
    }
  });
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
