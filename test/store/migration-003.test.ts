/**
 * Migration 003 on a database made by the earlier migrations, with rows in it: exited instances get their
 * exited_at from their state (so lastExits sees them), and the trait names of existing profiles are recorded.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Instance } from '../../src/core/instance.ts';
import { migrationFiles } from '../../src/store/postgres/migrate.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { EventBatchView, Store } from '../../src/store/store.ts';
import { INSERT_INSTANCE, LATEST_SQLITE, instanceValues, onPostgresBefore, sqliteBefore } from './migration-fixture.ts';
import { withPostgres } from './postgres-fixture.ts';

function state(id: string, userId: string, journeyId: string, exit: Instance['exit'], exitedWithoutRecord = false): Instance {
  const ended = exit !== null || exitedWithoutRecord;
  return {
    id,
    journeyId,
    version: 1,
    userId,
    status: ended ? 'exited' : 'active',
    nodeId: ended ? null : 'wait',
    wakeAt: ended ? null : 5_000,
    createdAt: 1,
    enteredAt: 1,
    step: 1,
    entryEvent: { messageId: 'e', name: 'Added to Cart', timestamp: 1, properties: {} },
    nodeUntil: null,
    timeoutAt: null,
    convertedAt: null,
    exit,
  };
}

/** Rows as a version-2 database holds them. */
const PROFILES: Array<[string, Record<string, unknown>]> = [
  ['u1', { name: 'Ana', email: 'a@x.test' }],
  ['u2', { plan: 'pro', address: { city: 'Porto' } }],
];
const INSTANCES = [
  state('c1', 'u1', 'cart', { reason: 'completed', at: 300, nodeId: 'wait' }),
  state('c2', 'u1', 'cart', { reason: 'goal', at: 700, nodeId: 'wait' }),
  state('w1', 'u1', 'welcome', { reason: 'stopped', at: 200, nodeId: null }),
  state('legacy', 'u1', 'legacy', null, true), // exited, without an exit record
  state('live', 'u1', 'promo', null),
];

/** `legacy`: the exited_at of an exit without a record of when (SQLite tells live from exited by exited_at). */
async function checkMigrated(store: Store, exitedAt: () => Promise<Array<[string, number | null]>>, legacy: number | null): Promise<void> {
  assert.deepEqual(await store.traitNames(), new Set(['name', 'email', 'plan', 'address']));
  assert.deepEqual(await exitedAt(), [['c1', 300], ['c2', 700], ['legacy', legacy], ['live', null], ['w1', 200]]);
  let view: EventBatchView | null = null;
  await store.ingestEvents([{ messageId: 'after', userId: 'u1', name: 'Opened', timestamp: 1, properties: {} }], 10, (v) => {
    view = v;
    return { instances: [], messages: [], stats: [] };
  });
  assert.deepEqual(Object.fromEntries(view!.lastExits.get('u1') ?? []), { cart: 700, welcome: 200 });
  assert.deepEqual(view!.live.get('u1')?.map((i) => i.id), ['live']);
}

await withPostgres('PostgreSQL migration 003', () => {
  test('PostgreSQL migration 003 fills exited_at and trait_names from existing rows', async () => {
    await onPostgresBefore(
      3,
      async (client) => {
        for (const [userId, traits] of PROFILES) await client.query('INSERT INTO profiles (user_id, traits, updated_at) VALUES ($1, $2, 1)', [userId, JSON.stringify(traits)]);
        for (const i of INSTANCES) await client.query(INSERT_INSTANCE.postgres, instanceValues(i));
      },
      async (store, schema) => {
        const applied = await schema.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
        assert.deepEqual(applied.map((r) => r.version), migrationFiles().map((m) => m.version), '003 and every later migration ran');
        await checkMigrated(store, async () => (await schema.query<{ id: string; exited_at: number | null }>('SELECT id, exited_at FROM instances ORDER BY id')).map((r) => [r.id, r.exited_at === null ? null : Number(r.exited_at)]), null);
      },
    );
  });
});

test('SQLite migration 003 fills exited_at and trait_names from existing rows', async () => {
  const file = sqliteBefore(3, (db) => {
    for (const [userId, traits] of PROFILES) db.prepare('INSERT INTO profiles (user_id, traits, updated_at) VALUES (?, ?, 1)').run(userId, JSON.stringify(traits));
    for (const i of INSTANCES) db.prepare(INSERT_INSTANCE.sqlite).run(...instanceValues(i));
  });
  const store = new SqliteStore(file);
  try {
    assert.equal(store.db.pragma('user_version', { simple: true }), LATEST_SQLITE, '003 and every later migration ran');
    await checkMigrated(store, async () => (store.db.prepare('SELECT id, exited_at FROM instances ORDER BY id').all() as Array<{ id: string; exited_at: number | null }>).map((r) => [r.id, r.exited_at]), Number.MIN_SAFE_INTEGER);
  } finally {
    await store.close();
  }
});
