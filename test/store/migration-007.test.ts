/**
 * Migration 007 on a database made by the earlier migrations, with messages in it: they keep their log
 * positions, statuses, attempts and clicks (SQLite rebuilds the table to widen its status check); a sent one
 * reads as the outbox's; a pending one is due at once and claimable; the new statuses can be written.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { onPostgresBefore, sqliteBefore } from './migration-fixture.ts';
import { withPostgres } from './postgres-fixture.ts';

/** [seq, id, status, reason, sent_at, attempts, clicked_at] as an earlier release wrote them. */
const ROWS: Array<[number, string, string, string | null, number | null, number, number | null]> = [
  [3, 'm-sent', 'sent', null, 2_000, 1, 2_500],
  [7, 'm-pending', 'pending', null, null, 0, null],
  [9, 'm-failed', 'failed', 'provider timeout', 3_000, 1, null],
  [12, 'm-skipped', 'skipped', 'no_phone', null, 0, null],
];
const INSERT = `INSERT INTO messages (seq, id, journey_id, version, instance_id, node_id, user_id, channel, status, reason, content, created_at, sent_at, attempts, clicked_at)
                VALUES (?, ?, 'cart', 1, 'i1', 'push', 'u1', 'push', ?, ?, '{"body":"hi"}', 1000, ?, ?, ?)`;

async function checkMigrated(store: Store): Promise<void> {
  const log = await store.listMessages({ limit: 10 });
  assert.deepEqual(log.map((m) => [m.seq, m.id, m.status, m.reason, m.sentAt, m.attempts, m.clickedAt, m.provider, m.nextAttemptAt]), [
    [3, 'm-sent', 'sent', null, 2_000, 1, 2_500, 'outbox', null],
    [7, 'm-pending', 'pending', null, null, 0, null, null, null],
    [9, 'm-failed', 'failed', 'provider timeout', 3_000, 1, null, null, null],
    [12, 'm-skipped', 'skipped', 'no_phone', null, 0, null, null, null],
  ]);
  assert.deepEqual((await store.pendingMessages(10, 0)).map((m) => m.id), ['m-pending'], 'a message pending before is due at once');
  await store.recordOutcomes([{ id: 'm-pending', status: 'dead', at: 4_000, error: 'http_503', provider: 'webhook' }]);
  const dead = await store.messageLog({ order: 'oldest', limit: 10, status: 'dead', scanLimit: 100 });
  assert.deepEqual(dead.messages.map((m) => [m.seq, m.id, m.attempts, m.provider]), [[7, 'm-pending', 1, 'webhook']]);
}

await withPostgres('PostgreSQL migration 007', () => {
  test('PostgreSQL migration 007 keeps existing messages, reads sent ones as the outbox\'s, and takes the dead status', async () => {
    await onPostgresBefore(
      7,
      async (client) => {
        let n = 0;
        const numbered = INSERT.replace(/\?/g, () => `$${++n}`);
        for (const row of ROWS) await client.query(numbered, row);
      },
      (store) => checkMigrated(store),
    );
  });
});

test('SQLite migration 007 rebuilds messages keeping every row, reads sent ones as the outbox\'s, and takes the dead status', async () => {
  const file = sqliteBefore(7, (db) => {
    for (const row of ROWS) db.prepare(INSERT).run(...row);
  });
  const store = new SqliteStore(file);
  try {
    await checkMigrated(store);
    const indexes = (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
    // Every index the rebuild dropped is back (messages_by_provider_id and messages_inbox come with 009, messages_dead with 015;
    // messages_by_instance went with 017; messages_by_user_created went with 024, to be built while a cap is set).
    assert.deepEqual(indexes, ['messages_by_journey', 'messages_by_provider_id', 'messages_by_user', 'messages_dead', 'messages_due', 'messages_inbox', 'messages_pending']);
  } finally {
    await store.close();
  }
});
