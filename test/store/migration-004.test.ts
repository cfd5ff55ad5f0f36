/**
 * Migration 004 on a database made by the earlier migrations, with rows in it: existing messages get
 * clicked_at (NULL, then recordClick sets it), the messages of existing instances are found through the new
 * index for splits on message outcome, and the inbox starts empty and works.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Instance } from '../../src/core/instance.ts';
import { migrationFiles } from '../../src/store/postgres/migrate.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { EventBatchView, Store } from '../../src/store/store.ts';
import { INSERT_INSTANCE, instanceValues, postgresBefore, sqliteBefore } from './migration-fixture.ts';
import { testSchema, withPostgres } from './postgres-fixture.ts';

function live(id: string, userId: string, journeyId: string): Instance {
  return {
    id,
    journeyId,
    version: 1,
    userId,
    status: 'active',
    nodeId: 'wait',
    wakeAt: 5_000,
    createdAt: 1,
    enteredAt: 1,
    step: 1,
    entryEvent: { messageId: 'e', name: 'Added to Cart', timestamp: 1, properties: {} },
    nodeUntil: 5_000,
    timeoutAt: null,
    convertedAt: null,
    exit: null,
  };
}

/** Rows as a version-3 database holds them. */
const INSTANCES = [live('i1', 'u1', 'cart'), live('i2', 'u2', 'cart')];
// [id, instance, user, node, status, created_at, sent_at], in log order; ids as sends make them (instance:node:step)
const MESSAGES: Array<[string, string, string, string, string, number, number | null]> = [
  ['i1:push:1', 'i1', 'u1', 'push', 'sent', 100, 110],
  ['i2:push:1', 'i2', 'u2', 'push', 'pending', 150, null],
  ['i1:sms:2', 'i1', 'u1', 'sms', 'failed', 200, 210],
];

/** 004 made messages_by_instance; the latest schema has it no more (SQLite's 017, PostgreSQL's 024: the message key serves). */
async function checkMigrated(store: Store, indexes: () => Promise<string[]>): Promise<void> {
  assert.equal((await indexes()).includes('messages_by_instance'), false, 'the messages of an instance are a range of the message key');
  assert.deepEqual((await store.listMessages({ limit: 10 })).map((m) => [m.id, m.status, m.clickedAt]), [['i1:push:1', 'sent', null], ['i2:push:1', 'pending', null], ['i1:sms:2', 'failed', null]]);
  assert.notEqual(await store.recordEngagement('i1:push:1', 'click', 300), null);
  assert.notEqual(await store.recordEngagement('i1:push:1', 'click', 400), null);
  assert.equal(await store.recordEngagement('missing', 'click', 400), null);
  assert.deepEqual((await store.listMessages({ limit: 1 }))[0]!.clickedAt, 300);

  assert.equal(await store.inboxSize(), 0);
  let view: EventBatchView | null = null;
  await store.ingestEvents([{ messageId: 'after', userId: 'u1', name: 'Opened', timestamp: 1, properties: {} }], 10, (v) => {
    view = v;
    return { instances: [], messages: [], stats: [], followUps: [{ messageId: 'follow', userId: 'u2', name: 'Journey Reached', timestamp: 2, properties: { from: 'cart' } }] };
  }, undefined, { history: null, sendsSince: null, outcomes: true });
  assert.deepEqual(Object.fromEntries(view!.context.messages ?? []), {
    i1: [
      { nodeId: 'push', status: 'sent', createdAt: 100, sentAt: 110, clickedAt: 300 },
      { nodeId: 'sms', status: 'failed', createdAt: 200, sentAt: 210, clickedAt: null },
    ],
  });
  assert.equal(await store.inboxSize(), 1);
  const drained: string[] = [];
  assert.equal(await store.drainInbox(20, 10, (v) => {
    drained.push(...v.events.map((e) => `${e.messageId}:${e.userId}:${v.live.get(e.userId)?.map((i) => i.id).join(',')}`));
    return { instances: [], messages: [], stats: [] };
  }), 1);
  assert.deepEqual(drained, ['follow:u2:i2']);
  assert.equal(await store.inboxSize(), 0);
}

await withPostgres('PostgreSQL migration 004', () => {
  test('PostgreSQL migration 004 adds clicked_at to existing messages, indexes them by instance, and makes the inbox', async () => {
    const schema = testSchema();
    await postgresBefore(schema, 4, async (client) => {
      for (const i of INSTANCES) await client.query(INSERT_INSTANCE.postgres, instanceValues(i));
      for (const [id, instanceId, userId, nodeId, status, createdAt, sentAt] of MESSAGES) {
        await client.query(
          `INSERT INTO messages (id, journey_id, version, instance_id, node_id, user_id, channel, status, reason, content, created_at, sent_at, attempts)
           VALUES ($1, 'cart', 1, $2, $3, $4, 'push', $5, NULL, '{"body":"hi"}', $6, $7, 1)`,
          [id, instanceId, nodeId, userId, status, createdAt, sentAt],
        );
      }
    });
    const store = await schema.open();
    try {
      const applied = await schema.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      assert.deepEqual(applied.map((r) => r.version), migrationFiles().map((m) => m.version));
      assert.ok(applied.some((r) => r.version === 4));
      await checkMigrated(store, async () => (await schema.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'messages'")).map((r) => r.indexname));
    } finally {
      await store.close();
      await schema.drop();
    }
  });
});

test('SQLite migration 004 adds clicked_at to existing messages, indexes them by instance, and makes the inbox', async () => {
  const file = sqliteBefore(4, (db) => {
    for (const i of INSTANCES) db.prepare(INSERT_INSTANCE.sqlite).run(...instanceValues(i));
    for (const [id, instanceId, userId, nodeId, status, createdAt, sentAt] of MESSAGES) {
      db.prepare(
        `INSERT INTO messages (id, journey_id, version, instance_id, node_id, user_id, channel, status, reason, content, created_at, sent_at, attempts)
         VALUES (?, 'cart', 1, ?, ?, ?, 'push', ?, NULL, '{"body":"hi"}', ?, ?, 1)`,
      ).run(id, instanceId, nodeId, userId, status, createdAt, sentAt);
    }
  });
  const store = new SqliteStore(file);
  try {
    assert.ok((store.db.pragma('user_version', { simple: true }) as number) >= 4);
    await checkMigrated(store, async () => (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages'").all() as Array<{ name: string }>).map((r) => r.name));
  } finally {
    await store.close();
  }
});
