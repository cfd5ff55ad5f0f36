/** PostgreSQL store specifics: migrations, parity with SQLite's profile merge, the engine on PostgreSQL. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openWaymark } from '../../src/app/waymark.ts';
import { VirtualClock } from '../../src/core/clock.ts';
import type { JourneyEvent } from '../../src/core/instance.ts';
import { migrationFiles } from '../../src/store/postgres/migrate.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { T0, example, tempDir } from '../helpers.ts';
import { openTestStore, testSchema, withPostgres } from './postgres-fixture.ts';

const MIN = 60_000;
const HOUR = 3_600_000;

await withPostgres('PostgreSQL store specifics', () => {
  test("the store's sessions run with jit off and in their schema", async () => {
    const store = await openTestStore();
    try {
      const { rows } = await store.pool.query<{ jit: string; schema: string }>('SELECT current_setting($1) AS jit, current_schema() AS schema', ['jit']);
      assert.deepEqual(rows[0], { jit: 'off', schema: store.schema });
    } finally {
      await store.close();
    }
  });

  test('processes starting together apply each migration once, recorded in schema_migrations', async () => {
    const schema = testSchema();
    const stores = await Promise.all(Array.from({ length: 4 }, () => schema.open({ poolSize: 1 })));
    try {
      const applied = await schema.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
      assert.deepEqual(
        applied.map((r) => [r.version, r.name]),
        migrationFiles().map((m) => [m.version, m.name]),
      );
      const again = await schema.open({ poolSize: 1 });
      await again.close();
      assert.equal((await schema.query('SELECT 1 FROM schema_migrations')).length, applied.length, 'reopening applies nothing');
    } finally {
      for (const s of stores) await s.close();
      await schema.drop();
    }
  });

  test('a released migration that was edited stops start-up', async () => {
    const schema = testSchema();
    try {
      await (await schema.open()).close();
      await schema.query("UPDATE schema_migrations SET checksum = 'something else' WHERE version = 1");
      await assert.rejects(schema.open(), /migration 001_init\.sql was edited after it was applied/);
    } finally {
      await schema.drop();
    }
  });

  test('an unreachable server fails to open with the URL (password hidden) and the reason', async () => {
    await assert.rejects(PostgresStore.open('postgres://waymark:secret@127.0.0.1:1/waymark', { connectionTimeoutMillis: 2_000 }), (error: Error) => {
      assert.match(error.message, /^PostgresStore: cannot open postgres:\/\/waymark:\*\*\*@127\.0\.0\.1:1\/waymark: /);
      assert.doesNotMatch(error.message, /secret/);
      return true;
    });
    await assert.rejects(PostgresStore.open('postgres://x@127.0.0.1/x', { schema: 'bad"name' }), /schema must be a plain identifier/);
  });

  test('profile traits merge exactly as on SQLite (RFC 7396), nested objects included', async () => {
    const pgStore = await openTestStore();
    const sqlite = new SqliteStore(join(tempDir(), 'parity.db'));
    try {
      const steps: Array<Array<{ userId: string; traits: Record<string, unknown> }>> = [
        [{ userId: 'u1', traits: { name: 'Ana', address: { city: 'Lisbon', zip: '1000', geo: { lat: 1, lon: 2 } }, tags: ['a', null], gone: null } }],
        [{ userId: 'u1', traits: { address: { zip: null, geo: { lat: null, alt: 3 } }, tags: null, plan: { tier: 'pro', trial: null } } }],
        [
          { userId: 'u1', traits: { address: 'moved', score: 1.5 } },
          { userId: 'u2', traits: { deep: { a: { b: null, c: 1 } }, n: 0, f: false, s: '' } },
          { userId: 'u1', traits: { address: { city: 'Porto', none: null }, score: null } },
        ],
        [{ userId: '__proto__', traits: { odd: true } }],
        [{ userId: 'u2', traits: {} }],
      ];
      for (const [i, batch] of steps.entries()) {
        await pgStore.upsertProfiles(batch, 100 + i);
        await sqlite.upsertProfiles(batch, 100 + i);
        for (const userId of ['u1', 'u2', '__proto__']) {
          assert.deepEqual(await pgStore.getProfile(userId), await sqlite.getProfile(userId), `step ${i}, ${userId}`);
        }
      }
      assert.deepEqual((await pgStore.getProfile('u1'))?.traits, { name: 'Ana', address: { city: 'Porto' }, plan: { tier: 'pro' } });
    } finally {
      await pgStore.close();
      await sqlite.close();
    }
  });

  test('arrival order (seq) follows the order given, as on SQLite: equal timestamps keep it in userEvents and lookback', async () => {
    const pgStore = await openTestStore();
    const sqlite = new SqliteStore(join(tempDir(), 'order.db'));
    try {
      const ev = (messageId: string, name: string, timestamp: number): JourneyEvent => ({ messageId, userId: 'u1', name, timestamp, properties: { messageId } });
      const lookback = { startsJourney: (e: JourneyEvent) => e.name === 'Added to Cart', names: new Set(['Charged', 'Added to Cart']) };
      const views: Array<Array<[string, string[]]>> = [];
      for (const store of [sqlite, pgStore]) {
        let recent: Array<[string, string[]]> = [];
        await store.ingestEvents([ev('z1', 'Charged', 5), ev('a1', 'Charged', 5), ev('m1', 'Charged', 4)], 1, () => ({ instances: [], messages: [], stats: [] }));
        await store.ingestEvents([ev('zz', 'Charged', 5), ev('cart', 'Added to Cart', 5), ev('aa', 'Charged', 5), ev('z1', 'Charged', 5), ev('b', 'Charged', 7)], 2, (view) => {
          recent = [...view.recent].map(([user, events]) => [user, events.map((e) => e.messageId)]);
          return { instances: [], messages: [], stats: [] };
        }, lookback);
        views.push(recent);
      }
      assert.deepEqual(views[1], views[0]);
      assert.deepEqual(views[1], [['u1', ['z1', 'a1', 'zz', 'cart', 'aa', 'b']]]);
      assert.deepEqual((await pgStore.userEvents('u1', 10)).map((e) => e.messageId), (await sqlite.userEvents('u1', 10)).map((e) => e.messageId));
    } finally {
      await pgStore.close();
      await sqlite.close();
    }
  });

  test('the engine runs the abandoned-cart journey on PostgreSQL', async () => {
    const store = await openTestStore();
    const clock = new VirtualClock(T0);
    const w = await openWaymark({ database: store, clock, realtime: false });
    try {
      await store.upsertProfiles([{ userId: 'ana', traits: { name: 'Ana', email: 'ana@example.test', phone: '+15550001', pushToken: 'tok-ana' } }], T0);
      await w.journeys.create({ id: 'cart', definition: example('abandoned-cart') });
      await w.journeys.publish('cart');
      const runUntil = async (at: number) => {
        for (;;) {
          const next = await store.nextWakeAt();
          if (next === null || next > at) break;
          clock.set(Math.max(clock.now(), next));
          await w.engine.runDue();
          await w.engine.dispatch();
        }
        clock.set(Math.max(clock.now(), at));
      };
      await w.engine.ingestNow([{ messageId: 'm1', userId: 'ana', name: 'Added to Cart', timestamp: T0, properties: { productName: 'Trail Running Shoes', price: 89.99, currency: 'USD' } }]);
      await w.engine.ingestNow([{ messageId: 'm1', userId: 'ana', name: 'Added to Cart', timestamp: T0, properties: {} }]); // a retry: ignored
      await runUntil(T0 + 5 * HOUR);
      const sends = await store.listMessages({ userId: 'ana', limit: 10 });
      assert.deepEqual(
        sends.map((m) => [m.nodeId, m.status, m.sentAt! - T0]),
        [
          ['push-free-shipping', 'sent', 2 * MIN],
          ['sms-10-off', 'sent', 2 * MIN + 2 * HOUR],
          ['email-final-reminder', 'sent', 2 * MIN + 4 * HOUR],
        ],
      );
      assert.equal(sends[0]!.content!.body, 'Hi Ana, your Trail Running Shoes is waiting. Free shipping if you check out today.');
      const [instance] = await store.userInstances('ana');
      assert.equal(instance?.exit?.reason, 'completed');
    } finally {
      await w.close(); // closes the store, which drops its schema
    }
  });
});
