/**
 * Store.exclusively on PostgreSQL holds across processes: two stores (two pools, as two processes would
 * have) on one schema never run start-up work under one name at the same time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hash53 } from '../../src/store/postgres/postgres-store.ts';
import { testSchema, withPostgres } from './postgres-fixture.ts';

await withPostgres('Store.exclusively on PostgreSQL', () => {
  test('a second process waits for the first to finish, then runs', async () => {
    const schema = testSchema();
    const a = await schema.open();
    const b = await schema.open();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    try {
      const order: string[] = [];
      let started!: () => void;
      const firstIn = new Promise<void>((resolve) => (started = resolve));
      const first = a.exclusively('startup', async () => {
        order.push('a in');
        started();
        await gate;
        order.push('a out');
      });
      await firstIn;
      const second = b.exclusively('startup', async () => {
        order.push('b in');
      });
      // Wait until b's session is queued behind a's lock (seen by the server), not for a length of time. A
      // bigint advisory key shows as classid (high 32 bits) and objid (low 32 bits).
      const key = hash53(`waymark:${schema.name}:startup`);
      for (;;) {
        const [row] = await schema.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid::bigint * 4294967296 + objid::bigint = $1",
          [key],
        );
        if (row!.n > 0) break;
        assert.ok(!order.includes('b in'), 'b ran while a held the lock');
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.deepEqual(order, ['a in']);
      release();
      await Promise.all([first, second]);
      assert.deepEqual(order, ['a in', 'a out', 'b in']);
    } finally {
      release();
      await a.close();
      await b.close();
      await schema.drop();
    }
  });
});
