/**
 * On PostgreSQL an update of an instance is never heap-only (it changes wake_at, which instances_due indexes),
 * so it adds an entry to every index of instances whose condition the new row meets. An index whose condition
 * a live instance meets costs an entry at every step of every user: the index of passes over (the re-entry
 * cool-down's) must hold passes that are over only (migration 021), and grows at the exit, once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Instance } from '../../src/core/instance.ts';
import type { Changes } from '../../src/store/store.ts';
import { testSchema, withPostgres, type TestSchema } from './postgres-fixture.ts';

const entered: Instance = {
  id: 'cart:e1',
  journeyId: 'cart',
  version: 1,
  userId: 'u1',
  status: 'active',
  nodeId: 'wait',
  wakeAt: 1_000,
  createdAt: 0,
  enteredAt: 120,
  step: 1,
  entryEvent: { messageId: 'e1', name: 'Added to Cart', timestamp: 0, properties: {} },
  nodeUntil: 1_000,
  timeoutAt: null,
  convertedAt: null,
  exit: null,
};

await withPostgres('PostgreSQL', () => {
  test('a live pass that entered adds no entry to the index of passes over, however often it moves on; its exit adds one', async () => {
    const schema = testSchema();
    const store = await schema.open();
    try {
      let units = 0;
      const unit = (instance: Instance) =>
        store.ingestEvents([{ messageId: `tick-${++units}`, userId: 'nobody', name: 'Tick', timestamp: 1, properties: {} }], 1, (): Changes => ({ instances: [instance], messages: [], stats: [] }));
      // 300 steps, each with a new wake-up: 300 entries in an index that held live passes (two leaf pages).
      for (let step = 1; step <= 300; step++) await unit({ ...entered, step, wakeAt: 1_000 + step, nodeUntil: 1_000 + step });
      assert.equal(await indexPages(schema, 'instances_entered_by_user'), 1, 'the metapage only: no entry yet');
      assert.ok((await indexPages(schema, 'instances_live_by_user')) > 1, 'the live index, for contrast, took the entries');
      await unit({ ...entered, step: 301, status: 'exited', nodeId: null, wakeAt: null, nodeUntil: null, exit: { reason: 'completed', at: 2_000, nodeId: 'wait' } });
      assert.ok((await indexPages(schema, 'instances_entered_by_user')) > 1, 'the exit wrote its entry');
      assert.deepEqual((await store.userInstances('u1')).map((i) => i.status), ['exited']);
    } finally {
      await store.close();
      await schema.drop();
    }
  });
});

async function indexPages(schema: TestSchema, index: string): Promise<number> {
  const [row] = await schema.query<{ pages: string }>(`SELECT pg_relation_size(format('%I.%I', $1::text, $2::text)::regclass) / current_setting('block_size')::int AS pages`, [schema.name, index]);
  return Number(row!.pages);
}
