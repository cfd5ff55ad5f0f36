/**
 * PostgreSQL migration 022 on a schema with rows in it: an instance's state, a message's content and an
 * event's properties (in the events and in the inbox) change from jsonb to json. Each reads back as it was
 * written, and goes on from there: a timer moves a pass on, a journey's stop, an identity merge and a new
 * version change others in SQL, and the inbox is drained.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Instance, JourneyEvent } from '../../src/core/instance.ts';
import type { Changes } from '../../src/store/store.ts';
import { insertWholeRecords, onPostgresBefore, seededPass } from './migration-fixture.ts';
import { withPostgres } from './postgres-fixture.ts';

const NONE: Changes = { instances: [], messages: [], stats: [] };
/** Text, numbers and nesting that jsonb stores in its own form: each must come back as the same value. */
const PROPERTIES = { productName: 'Trail Shoes “Ω” 🥾', price: 89.99, big: 9007199254740991, tiny: 1e-7, sizes: [42, 43], nested: { empty: {}, none: null } };
const pass = (id: string, userId: string, exitAt: number | null, extra: Partial<Instance> = {}): Instance =>
  seededPass(id, userId, exitAt, { entryEvent: { messageId: id, name: 'Added to Cart', timestamp: 1, properties: PROPERTIES }, nodeUntil: exitAt === null ? 5_000 : null, ...extra });

const LIVE = pass('cart:live', 'u1', null, { wakeNotBefore: 4_000, outcomes: [{ nodeId: 'push', outcome: 'sent', at: 2 }] });
const OVER = pass('cart:over', 'u1', 300, { convertedAt: 200 });
const ALIAS = pass('cart:alias', 'anon-1', null);
const WAITING = pass('cart:waiting', 'u3', null, { nodeId: 'push', wakeAt: 50_000 });
const CONTENT = { title: 'Still want them?', body: 'Your {{cart}} “Trail Shoes” 🥾', data: { price: 89.99, ids: [1, 2] } };
const INBOX_EVENT: JourneyEvent = { messageId: 'follow-1', userId: 'u1', name: 'Message Sent', timestamp: 3, properties: PROPERTIES };

await withPostgres('PostgreSQL migration 022', () => {
  test('PostgreSQL migration 022 on rows in place: states, contents and properties read back as written, and move on from there', async () => {
    await onPostgresBefore(
      22,
      async (client) => {
        await insertWholeRecords(client, [LIVE, OVER, ALIAS, WAITING]);
        await client.query(
          `INSERT INTO messages (id, journey_id, version, instance_id, node_id, user_id, channel, status, reason, content, created_at, sent_at, attempts)
           VALUES ('m1', 'cart', 1, $1, 'push', 'u1', 'push', 'sent', NULL, $2, 2, 2, 1)`,
          [LIVE.id, JSON.stringify(CONTENT)],
        );
        await client.query('CREATE TABLE events_19700101 PARTITION OF events FOR VALUES FROM (0) TO (86400000)');
        await client.query("INSERT INTO event_ids (message_id, received_at) VALUES ('e1', 1)");
        await client.query("INSERT INTO events (message_id, user_id, name, ts, properties, received_at) VALUES ('e1', 'u1', 'Added to Cart', 1, $1, 1)", [JSON.stringify(PROPERTIES)]);
        await client.query('INSERT INTO inbox (message_id, user_id, name, ts, properties, created_at) VALUES ($1, $2, $3, $4, $5, 3)', [
          INBOX_EVENT.messageId,
          INBOX_EVENT.userId,
          INBOX_EVENT.name,
          INBOX_EVENT.timestamp,
          JSON.stringify(INBOX_EVENT.properties),
        ]);
      },
      async (store, schema) => {
        const types = await schema.query<{ table_name: string; column_name: string; data_type: string }>(
          `SELECT table_name, column_name, data_type FROM information_schema.columns
           WHERE table_schema = current_schema() AND (table_name, column_name) IN (('instances', 'state'), ('messages', 'content'), ('events', 'properties'), ('inbox', 'properties'))
           ORDER BY table_name`,
        );
        assert.deepEqual(types.map((t) => [t.table_name, t.data_type]), [['events', 'json'], ['inbox', 'json'], ['instances', 'json'], ['messages', 'json']]);

        // Read back as written.
        assert.deepEqual((await store.userInstances('u1')).sort((a, b) => a.id.localeCompare(b.id)), [LIVE, OVER]);
        assert.deepEqual((await store.getMessage('m1'))?.content, CONTENT);
        assert.deepEqual((await store.userEvents('u1', 10)).map((e) => e.properties), [PROPERTIES]);

        // A timer moves the live pass on, from the state it read.
        let claimed: Instance[] = [];
        await store.fireDueTimers(5_000, 10, (view) => {
          claimed = view.instances;
          return { ...NONE, instances: view.instances.filter((i) => i.id === LIVE.id).map((i) => ({ ...i, nodeId: 'sms', step: 2, wakeAt: 9_000 })) };
        });
        assert.deepEqual(claimed.find((i) => i.id === LIVE.id), LIVE);
        assert.deepEqual((await store.userInstances('u1')).find((i) => i.id === LIVE.id), { ...LIVE, nodeId: 'sms', step: 2, wakeAt: 9_000 });

        // The statements that change a state in SQL: an identity merge, a new version, a journey's stop.
        await store.mergeIdentity({ from: 'anon-1', into: 'u2' }, 10);
        assert.deepEqual(await store.userInstances('u2'), [{ ...ALIAS, userId: 'u2' }]);
        assert.equal(await store.moveInstances('cart', 2, ['wait'], 20), 1, 'the alias pass, waiting at "wait"');
        assert.deepEqual(await store.userInstances('u2'), [{ ...ALIAS, userId: 'u2', version: 2 }]);
        assert.equal(await store.stopInstances('cart', 30), 3);
        assert.deepEqual(await store.userInstances('u3'), [{ ...WAITING, status: 'exited', wakeAt: null, nodeUntil: null, exit: { reason: 'stopped', at: 30, nodeId: 'push' } }]);

        // The inbox's event reaches the engine as it was added.
        let drained: JourneyEvent[] = [];
        assert.equal(await store.drainInbox(40, 10, (view) => ((drained = view.events), NONE)), 1);
        assert.deepEqual(drained, [{ ...INBOX_EVENT, receivedAt: 40 }]);
      },
    );
  });
});
