/**
 * A SQLite store handing each unit's messages over once it has committed (SqliteOptions.onMessages), and one
 * that writes none to its file (messages 'none', a simulation's whose units read no message back): what each
 * unit hands over and when, that a unit that fails hands over nothing, and that the store without messages
 * refuses by name what it cannot answer.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JourneyEvent } from '../../src/core/instance.ts';
import type { SqliteOptions } from '../../src/store/sqlite/connection.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Changes, NewMessage } from '../../src/store/store.ts';
import { tempDir } from '../helpers.ts';
import { instance } from './contract.ts';

const NO_CHANGES: Changes = { instances: [], messages: [], stats: [] };
const event = (messageId: string, userId = 'u1'): JourneyEvent => ({ messageId, userId, name: 'Added to Cart', timestamp: 1_000, properties: {} });
const sent = (id: string, sentAt: number, overrides: Partial<NewMessage> = {}): NewMessage => ({
  id,
  journeyId: 'cart',
  version: 1,
  instanceId: 'i1',
  nodeId: 'push',
  userId: 'u1',
  channel: 'push',
  status: 'sent',
  reason: null,
  content: { body: `hi ${id}` },
  createdAt: sentAt,
  sentAt,
  ...overrides,
});

/** A store that hands its messages to the returned list, each unit's as one entry. */
function handingOver(options: SqliteOptions = {}): { store: SqliteStore; units: string[][] } {
  const units: string[][] = [];
  const store = new SqliteStore(join(tempDir(), 'handover.db'), { durability: 'fast', instances: 'memory', ...options, onMessages: (messages) => units.push(messages.map((m) => m.id)) });
  return { store, units };
}

const storedCount = (store: SqliteStore) => (store.db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;

test("each unit's messages are handed over once it has committed, in the order decided; a store keeping its messages writes them too", async () => {
  for (const messages of ['file', 'none'] as const) {
    const { store, units } = handingOver({ messages });
    await store.ingestEvents([event('e1')], 1_000, () => ({ ...NO_CHANGES, instances: [instance('a', { wakeAt: 5_000 })], messages: [sent('m2', 1_000), sent('m1', 1_000, { status: 'skipped', reason: 'no_push_token', sentAt: null, content: null })] }));
    assert.deepEqual(units, [['m2', 'm1']], `${messages}: the ingest's messages, as decided`);
    await store.fireDueTimers(5_000, 10, (view) => ({ ...NO_CHANGES, instances: view.instances.map((i) => ({ ...i, wakeAt: null, status: 'exited' as const, exit: { reason: 'completed' as const, at: 5_000, nodeId: 'wait' } })), messages: [sent('m3', 5_000)] }));
    assert.deepEqual(units, [['m2', 'm1'], ['m3']], `${messages}: then the timer's`);
    await store.ingestEvents([event('e2')], 6_000, () => NO_CHANGES);
    assert.equal(units.length, 2, `${messages}: a unit without messages hands over nothing`);
    assert.equal(storedCount(store), messages === 'file' ? 3 : 0);
    await store.close();
  }
});

test('a unit that fails hands over nothing, and its messages are in no file', async () => {
  for (const messages of ['file', 'none'] as const) {
    const { store, units } = handingOver({ messages });
    await store.ingestEvents([event('e1')], 1_000, () => ({ ...NO_CHANGES, instances: [instance('a', { wakeAt: 5_000 })] }));
    // A second live pass of the same journey for u1: refused inside the transaction, after the messages were decided.
    await assert.rejects(
      store.ingestEvents([event('e2')], 2_000, () => ({ ...NO_CHANGES, instances: [instance('b', { wakeAt: 6_000 })], messages: [sent('lost', 2_000)] })),
      /user u1 has a live pass of journey cart already \(a\)/,
    );
    await assert.rejects(
      store.fireDueTimers(5_000, 10, () => {
        throw new Error('decide failed');
      }),
      /decide failed/,
    );
    assert.deepEqual(units, [], messages);
    assert.equal(storedCount(store), 0, messages);
    await store.close();
  }
});

test('a store without messages refuses a pending one (it could never deliver it), and the unit with it', async () => {
  const { store, units } = handingOver({ messages: 'none' });
  await assert.rejects(
    store.ingestEvents([event('e1')], 1_000, () => ({ ...NO_CHANGES, instances: [instance('a')], messages: [sent('m1', 1_000, { status: 'pending', sentAt: null })] })),
    /message m1 is pending on push, but this store keeps no message in its file/,
  );
  assert.deepEqual(units, []);
  assert.equal(await store.nextWakeAt(), null, 'the instance of the refused unit was not kept');
  await store.close();
});

test('a store without messages refuses by name the reads it cannot answer, and units that would count sends or read outcomes', async () => {
  const { store } = handingOver({ messages: 'none' });
  const refused = /this store writes no message to its file/;
  await assert.rejects(store.listMessages({ limit: 10 }), /listMessages: this store writes no message/);
  await assert.rejects(store.getMessage('m1'), /getMessage: /);
  await assert.rejects(store.messagesOfInstances(['i1']), /messagesOfInstances: /);
  await assert.rejects(store.messageLog({ order: 'newest', limit: 10, scanLimit: 100 }), /messageLog: /);
  await assert.rejects(store.inboxPage('u1', { limit: 10, dismissed: false }), /inboxPage: /);
  const caps = { history: null, sendsSince: 0, outcomes: false };
  const outcomes = { history: null, sendsSince: null, outcomes: true };
  for (const context of [caps, outcomes]) {
    await assert.rejects(store.ingestEvents([event('e1')], 1_000, () => NO_CHANGES, undefined, context), refused);
    await assert.rejects(store.drainInbox(1_000, 10, () => NO_CHANGES, undefined, context), refused);
    await assert.rejects(store.fireDueTimers(1_000, 10, () => NO_CHANGES, context), refused);
  }
  // A context asking for neither is a unit like any other.
  await store.ingestEvents([event('e1')], 1_000, () => NO_CHANGES, undefined, { history: null, sendsSince: null, outcomes: false });
  await store.close();
});

test('only a new database goes without its messages', async () => {
  const file = join(tempDir(), 'existing.db');
  await new SqliteStore(file).close();
  assert.throws(() => new SqliteStore(file, { messages: 'none' }), /only a new database can go without its messages/);
});
