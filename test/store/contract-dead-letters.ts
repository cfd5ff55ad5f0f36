/**
 * The Store contract, continued: dead letters sent again. Only a dead message moves (sent, delivered, failed,
 * skipped and pending ones never do), back to pending, due at the time given, attempts at 0, keeping its id;
 * the dispatcher's claim finds it again; its failure is taken back from its node's stats; filters and the cap
 * choose which. Registered by storeContract.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_REQUEUE, type Changes, type NewMessage, type RecordedOutcome, type Store } from '../../src/store/store.ts';

const NONE: Changes = { instances: [], messages: [], stats: [] };

function message(id: string, overrides: Partial<NewMessage> = {}): NewMessage {
  return { id, journeyId: 'cart', version: 1, instanceId: `i-${id}`, nodeId: 'hook', userId: 'u1', channel: 'webhook', status: 'pending', reason: null, content: { body: '{}', url: 'https://x.test' }, createdAt: 2_000, sentAt: null, ...overrides };
}

/** Writes the messages, then records one outcome for each pending one that has an entry in `outcomes` (at 3,000). */
async function seed(store: Store, messages: NewMessage[], outcomes: Record<string, RecordedOutcome['status']>): Promise<void> {
  await store.ingestEvents([{ messageId: `e-${messages[0]!.id}`, userId: 'u1', name: 'Seeded', timestamp: 1_000, properties: {} }], 1_000, () => ({ ...NONE, messages }));
  await store.pendingMessages(messages.length, 3_000);
  await store.recordOutcomes(
    Object.entries(outcomes).map(([id, status]) => ({
      id,
      status,
      at: 3_000,
      provider: 'webhook',
      ...(status === 'sent' ? {} : { error: status === 'failed' ? 'http_400' : 'http_503' }),
      ...(status === 'retry' ? { nextAttemptAt: 90_000 } : {}),
    })),
  );
}

const state = async (store: Store) =>
  (await store.listMessages({ limit: 100 })).map((m) => [m.id, m.status, m.attempts, m.nextAttemptAt, m.reason, m.sentAt]);
const stats = async (store: Store) => (await store.journeyStats('cart')).map((s) => [s.nodeId, s.metric, s.count]);

export function deadLettersContract(open: () => Promise<Store>): void {
  test('a dead letter sent again is pending, due then, attempts at 0, its id and last reason kept; the dispatcher claims it; its failure is taken back', async () => {
    const store = await open();
    try {
      await seed(store, [message('m1')], { m1: 'dead' });
      assert.deepEqual(await state(store), [['m1', 'dead', 1, null, 'http_503', 3_000]]);
      assert.deepEqual(await stats(store), [['hook', 'node_failed', 1]]);

      assert.equal(await store.countDeadMessages({ ids: ['m1'] }), 1);
      assert.equal(await store.requeueDeadMessages({ ids: ['m1'] }, 50_000), 1);
      assert.deepEqual(await state(store), [['m1', 'pending', 0, 50_000, 'http_503', null]]);
      assert.deepEqual(await stats(store), [['hook', 'node_failed', 0]], 'no longer counted a failure');
      assert.equal((await store.getMessage('m1'))?.status, 'pending');

      assert.deepEqual(await store.pendingMessages(10, 49_999), [], 'due at the time given, not before');
      const claimed = await store.pendingMessages(10, 50_000);
      assert.deepEqual(claimed.map((m) => [m.id, m.attempts, m.content]), [['m1', 0, { body: '{}', url: 'https://x.test' }]], 'the same message, the same id');
      assert.equal(claimed[0]!.claims, 1, 'its claims start over with its attempts: no earlier claim is in doubt');
      await store.recordOutcomes([{ id: 'm1', status: 'sent', at: 51_000, provider: 'webhook' }]);
      assert.deepEqual(await state(store), [['m1', 'sent', 1, null, null, 51_000]]);
      assert.deepEqual(await stats(store), [['hook', 'node_failed', 0], ['hook', 'node_sent', 1]], 'counted once, by what became of it');
    } finally {
      await store.close();
    }
  });

  test('only dead letters move: sent, delivered, failed, skipped and pending messages under the same filter are left as they were', async () => {
    const store = await open();
    try {
      await seed(
        store,
        [message('dead'), message('sent'), message('failed'), message('retrying'), message('fresh'), message('skipped', { status: 'skipped', reason: 'unsubscribed', content: null }), message('outbox', { status: 'sent', sentAt: 2_000 })],
        { dead: 'dead', sent: 'sent', failed: 'failed', retrying: 'retry' },
      );
      const before = await state(store);
      assert.equal(await store.countDeadMessages({ journeyId: 'cart' }), 1);
      assert.equal(await store.requeueDeadMessages({ journeyId: 'cart' }, 60_000), 1);
      const after = await state(store);
      assert.deepEqual(after.filter(([id]) => id !== 'dead'), before.filter(([id]) => id !== 'dead'));
      assert.deepEqual(after.find(([id]) => id === 'dead'), ['dead', 'pending', 0, 60_000, 'http_503', null]);
      // By id, a message that is not dead is not moved either.
      assert.equal(await store.requeueDeadMessages({ ids: ['sent', 'failed', 'retrying', 'fresh', 'skipped', 'outbox', 'nobody'] }, 70_000), 0);
      assert.deepEqual(await state(store), after);
    } finally {
      await store.close();
    }
  });

  test('sending again a message already pending changes nothing: not its due time, not its attempts, not the stats', async () => {
    const store = await open();
    try {
      await seed(store, [message('m1'), message('m2')], { m1: 'dead', m2: 'dead' });
      assert.equal(await store.requeueDeadMessages({}, 10_000), 2);
      const once = [await state(store), await stats(store)];
      assert.deepEqual(once, [
        [['m1', 'pending', 0, 10_000, 'http_503', null], ['m2', 'pending', 0, 10_000, 'http_503', null]],
        [['hook', 'node_failed', 0]],
      ]);
      assert.equal(await store.countDeadMessages({}), 0);
      assert.equal(await store.requeueDeadMessages({}, 20_000), 0);
      assert.equal(await store.requeueDeadMessages({ ids: ['m1'] }, 20_000), 0);
      assert.deepEqual([await state(store), await stats(store)], once);
      // Two at once: each dead letter moves once.
      await store.pendingMessages(10, 10_000);
      await store.recordOutcomes([{ id: 'm1', status: 'dead', at: 11_000, error: 'timeout' }, { id: 'm2', status: 'dead', at: 11_000, error: 'timeout' }]);
      const both = await Promise.all([store.requeueDeadMessages({}, 30_000), store.requeueDeadMessages({ ids: ['m1', 'm2'] }, 30_000)]);
      assert.equal(both[0] + both[1], 2, `${both}`);
      assert.deepEqual(await stats(store), [['hook', 'node_failed', 0]]);
    } finally {
      await store.close();
    }
  });

  test('the filter: ids, journey, node, user, channel, and createdAt from since (inclusive) to until (exclusive); every field must match', async () => {
    const store = await open();
    try {
      const messages = [
        message('a', { createdAt: 1_000 }),
        message('b', { createdAt: 2_000, userId: 'u2' }),
        message('c', { createdAt: 3_000, channel: 'email', content: { subject: 's', body: 'b' } }),
        message('d', { createdAt: 4_000, journeyId: 'other' }),
        message('e', { createdAt: 5_000, nodeId: 'mail' }),
      ];
      await seed(store, messages, Object.fromEntries(messages.map((m) => [m.id, 'dead'])));
      // Each filter, counted, then the same filter requeueing exactly those (worked out from the list above).
      const cases: Array<[Parameters<Store['requeueDeadMessages']>[0], string[]]> = [
        [{ ids: ['b', 'zzz'] }, ['b']],
        [{ since: 2_000, until: 4_000 }, ['c']], // b went just before
        [{ journeyId: 'other' }, ['d']],
        [{ journeyId: 'cart', nodeId: 'mail' }, ['e']],
        [{ userId: 'u1', channel: 'webhook', until: 2_000 }, ['a']],
      ];
      for (const [filter, ids] of cases) {
        const dead = new Set((await state(store)).filter((m) => m[1] === 'dead').map((m) => m[0]));
        assert.equal(await store.countDeadMessages(filter), ids.length, JSON.stringify(filter));
        assert.equal(await store.requeueDeadMessages(filter, 9_000), ids.length, JSON.stringify(filter));
        const now = new Set((await state(store)).filter((m) => m[1] === 'dead').map((m) => m[0]));
        assert.deepEqual([...dead].filter((id) => !now.has(id)), ids, JSON.stringify(filter));
      }
      assert.equal(await store.countDeadMessages({}), 0);
      assert.deepEqual((await store.journeyStats('other')).map((s) => [s.metric, s.count]), [['node_failed', 0]]);
    } finally {
      await store.close();
    }
  });

  test(`at most ${MAX_REQUEUE.toLocaleString('en')} dead letters move at a time, the oldest first; the next call moves the rest`, async () => {
    const store = await open();
    try {
      const total = MAX_REQUEUE + 2;
      const ids = Array.from({ length: total }, (_, i) => `m${String(i).padStart(5, '0')}`);
      await seed(store, ids.map((id) => message(id)), Object.fromEntries(ids.map((id) => [id, 'dead'])));
      assert.equal(await store.countDeadMessages({}), MAX_REQUEUE);
      assert.equal(await store.requeueDeadMessages({}, 9_000), MAX_REQUEUE);
      const dead = (await store.messageLog({ order: 'oldest', limit: 10, status: 'dead', scanLimit: total })).messages.map((m) => m.id);
      assert.deepEqual(dead, ids.slice(MAX_REQUEUE), 'the two written last are left');
      assert.equal(await store.requeueDeadMessages({}, 9_000), 2);
      assert.deepEqual(await stats(store), [['hook', 'node_failed', 0]]);
    } finally {
      await store.close();
    }
  });
}
