/**
 * The Store contract, continued: sending marks (Store.markSending). A mark says a sender was about to pass its
 * point of no return for the attempt in progress; it is taken only on a pending message, read back with the
 * message (a later claim included), and cleared by whatever outcome is recorded, so a mark only ever speaks
 * of the attempt in progress. Registered by storeContract.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Changes, NewMessage, RecordedOutcome, Store } from '../../src/store/store.ts';

const NONE: Changes = { instances: [], messages: [], stats: [] };

function message(id: string, overrides: Partial<NewMessage> = {}): NewMessage {
  return { id, journeyId: 'cart', version: 1, instanceId: 'i1', nodeId: 'mail', userId: 'u1', channel: 'email', status: 'pending', reason: null, content: { to: 'ana@x.test', subject: 's', body: 'b' }, createdAt: 2_000, sentAt: null, ...overrides };
}

async function seed(store: Store, messages: NewMessage[]): Promise<void> {
  await store.ingestEvents([{ messageId: 'e1', userId: 'u1', name: 'Added to Cart', timestamp: 1_000, properties: {} }], 1, () => ({ ...NONE, messages }));
}

const marks = async (store: Store, ids: string[]) => Promise.all(ids.map(async (id) => (await store.getMessage(id))?.sendingAt));

export function sendingMarksContract(open: () => Promise<Store>): void {
  test('a mark is kept on the message named, read back with it, and by the next claim of it', async () => {
    const store = await open();
    try {
      await seed(store, [message('m1'), message('m2')]);
      assert.deepEqual((await store.pendingMessages(10, 3_000)).map((m) => [m.id, m.sendingAt]), [['m1', null], ['m2', null]]);
      await store.markSending(['m1'], 3_100);
      await store.markSending([], 3_200);
      assert.deepEqual(await marks(store, ['m1', 'm2']), [3_100, null]);
      // Its claim given back (as a lease running out would end it): the next claim sees the mark.
      await store.releaseClaims([{ id: 'm1', claims: 1 }]);
      assert.deepEqual((await store.pendingMessages(10, 4_000)).map((m) => [m.id, m.claims, m.sendingAt]), [['m1', 1, 3_100]]);
    } finally {
      await store.close();
    }
  });

  test('recording any outcome clears the mark: sent, failed, dead, and a retry that stays pending', async () => {
    const store = await open();
    try {
      const ids = ['m1', 'm2', 'm3', 'm4'];
      await seed(store, ids.map((id) => message(id)));
      await store.pendingMessages(10, 3_000);
      await store.markSending(ids, 3_100);
      assert.deepEqual(await marks(store, ids), [3_100, 3_100, 3_100, 3_100]);
      const outcomes: RecordedOutcome[] = [
        { id: 'm1', status: 'sent', at: 3_200, provider: 'smtp' },
        { id: 'm2', status: 'failed', at: 3_200, error: 'smtp_550: no', provider: 'smtp' },
        { id: 'm3', status: 'dead', at: 3_200, error: 'smtp_451: later', provider: 'smtp' },
        { id: 'm4', status: 'retry', at: 3_200, error: 'smtp_451: later', nextAttemptAt: 9_000, provider: 'smtp' },
      ];
      await store.recordOutcomes(outcomes);
      assert.deepEqual(await marks(store, ids), [null, null, null, null]);
      assert.deepEqual((await store.pendingMessages(10, 9_000)).map((m) => [m.id, m.attempts, m.claims, m.sendingAt]), [['m4', 1, 2, null]]);
    } finally {
      await store.close();
    }
  });

  test('a message no longer pending is not marked, nor one that does not exist', async () => {
    const store = await open();
    try {
      await seed(store, [message('m1', { status: 'sent', sentAt: 2_000 }), message('m2'), message('m3', { status: 'skipped', reason: 'unsubscribed', content: null })]);
      await store.pendingMessages(10, 3_000);
      await store.recordOutcomes([{ id: 'm2', status: 'dead', at: 3_000, error: 'smtp_451: later', provider: 'smtp' }]);
      await store.markSending(['m1', 'm2', 'm3', 'nope'], 3_100);
      assert.deepEqual(await marks(store, ['m1', 'm2', 'm3']), [null, null, null]);
      assert.equal(await store.getMessage('nope'), null);
    } finally {
      await store.close();
    }
  });

  test('a dead letter sent again starts with no mark and no claim: it is sent as a new message', async () => {
    const store = await open();
    try {
      await seed(store, [message('m1')]);
      await store.pendingMessages(10, 3_000);
      await store.markSending(['m1'], 3_100);
      await store.recordOutcomes([{ id: 'm1', status: 'dead', at: 3_200, error: 'in_doubt: held', provider: 'smtp' }]);
      assert.equal(await store.requeueDeadMessages({ ids: ['m1'] }, 5_000), 1);
      assert.deepEqual((await store.pendingMessages(10, 5_000)).map((m) => [m.id, m.status, m.attempts, m.claims, m.sendingAt]), [['m1', 'pending', 0, 1, null]]);
      await store.markSending(['m1'], 5_100);
      assert.deepEqual(await marks(store, ['m1']), [5_100], 'the requeued message is pending: marked again');
    } finally {
      await store.close();
    }
  });
}
