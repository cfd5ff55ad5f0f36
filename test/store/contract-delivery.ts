/**
 * The Store contract, continued: delivery state. Pending messages are claimed only when due, each once at a
 * time; an outcome is a final status (sent, failed, dead) or a retry that stays pending until its next
 * attempt; every outcome counts an attempt; provider settings are kept per channel. Registered by storeContract.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyEvent } from '../../src/core/instance.ts';
import type { Changes, NewMessage, Store } from '../../src/store/store.ts';

const NONE: Changes = { instances: [], messages: [], stats: [] };
const event = (messageId: string): JourneyEvent => ({ messageId, userId: 'u1', name: 'Added to Cart', timestamp: 1_000, properties: {} });

function message(id: string, overrides: Partial<NewMessage> = {}): NewMessage {
  return { id, journeyId: 'cart', version: 1, instanceId: 'i1', nodeId: 'hook', userId: 'u1', channel: 'webhook', status: 'pending', reason: null, content: { body: '{}', url: 'https://x.test' }, createdAt: 2_000, sentAt: null, ...overrides };
}

async function seed(store: Store, messages: NewMessage[]): Promise<void> {
  await store.ingestEvents([event('e1')], 1, () => ({ ...NONE, messages }));
}

const state = async (store: Store) =>
  (await store.listMessages({ limit: 50 })).map((m) => [m.id, m.status, m.attempts, m.nextAttemptAt, m.reason, m.sentAt, m.provider]);

export function deliveryContract(open: () => Promise<Store>): void {
  test('a retry stays pending, unclaimable until its next attempt is due, and counts an attempt but no stat', async () => {
    const store = await open();
    try {
      await seed(store, [message('m1'), message('m2')]);
      assert.deepEqual((await store.pendingMessages(10, 3_000)).map((m) => m.id), ['m1', 'm2']);
      await store.recordOutcomes([
        { id: 'm1', status: 'retry', at: 3_000, error: 'http_503', nextAttemptAt: 60_000, provider: 'webhook' },
        { id: 'm2', status: 'sent', at: 3_000, provider: 'webhook' },
      ]);
      assert.deepEqual(await state(store), [
        ['m1', 'pending', 1, 60_000, 'http_503', null, 'webhook'],
        ['m2', 'sent', 1, null, null, 3_000, 'webhook'],
      ]);
      assert.deepEqual(await store.pendingMessages(10, 59_999), [], 'not due before its next attempt');
      const due = await store.pendingMessages(10, 60_000);
      assert.deepEqual(due.map((m) => [m.id, m.attempts, m.nextAttemptAt]), [['m1', 1, 60_000]]);
      await store.recordOutcomes([{ id: 'm1', status: 'sent', at: 61_000, provider: 'webhook' }]);
      assert.deepEqual((await state(store))[0], ['m1', 'sent', 2, null, null, 61_000, 'webhook']);
      assert.deepEqual((await store.journeyStats('cart')).map((s) => [s.metric, s.count]), [['node_sent', 2]]);
    } finally {
      await store.close();
    }
  });

  test('a dead letter and a permanent failure are final and count as failures; the log filters them by status', async () => {
    const store = await open();
    try {
      await seed(store, [message('m1'), message('m2'), message('m3')]);
      await store.pendingMessages(10, 3_000);
      await store.recordOutcomes([
        { id: 'm1', status: 'dead', at: 3_000, error: 'http_500', provider: 'webhook' },
        { id: 'm2', status: 'failed', at: 3_000, error: 'http_400: bad request', provider: 'webhook' },
        { id: 'm3', status: 'retry', at: 3_000, error: 'timeout', nextAttemptAt: 4_000, provider: 'webhook' },
      ]);
      await store.recordOutcomes([{ id: 'm1', status: 'sent', at: 5_000 }]); // a late outcome of a final message changes nothing
      assert.deepEqual((await store.pendingMessages(10, 10_000)).map((m) => m.id), ['m3']);
      assert.deepEqual((await store.journeyStats('cart')).map((s) => [s.metric, s.count]), [['node_failed', 2]]);
      const dead = await store.messageLog({ order: 'oldest', limit: 10, status: 'dead', scanLimit: 100 });
      assert.deepEqual(dead.messages.map((m) => [m.id, m.reason, m.attempts]), [['m1', 'http_500', 1]]);
    } finally {
      await store.close();
    }
  });

  test('a claimed message is not handed out again until its outcome is recorded; never-tried messages come first', async () => {
    const store = await open();
    try {
      await seed(store, [message('m1'), message('m2'), message('m3')]);
      assert.deepEqual((await store.pendingMessages(1, 3_000)).map((m) => m.id), ['m1']);
      await store.recordOutcomes([{ id: 'm1', status: 'retry', at: 3_000, nextAttemptAt: 3_500 }]);
      assert.deepEqual((await store.pendingMessages(1, 4_000)).map((m) => m.id), ['m2'], 'due at 0 (never tried) before due at 3500');
      assert.deepEqual((await store.pendingMessages(10, 4_000)).map((m) => m.id), ['m3', 'm1'], 'm2 is held by its claim');
      assert.deepEqual(await store.pendingMessages(10, 4_000), []);
    } finally {
      await store.close();
    }
  });

  test('each claim is counted: one more than the attempts while every claim before it ended with an outcome', async () => {
    const store = await open();
    try {
      await seed(store, [message('m1')]);
      assert.deepEqual((await store.pendingMessages(10, 3_000)).map((m) => [m.id, m.attempts, m.claims]), [['m1', 0, 1]]);
      await store.recordOutcomes([{ id: 'm1', status: 'retry', at: 3_000, nextAttemptAt: 3_500 }]);
      assert.deepEqual((await store.pendingMessages(10, 4_000)).map((m) => [m.id, m.attempts, m.claims]), [['m1', 1, 2]]);
      assert.deepEqual(await store.pendingMessages(10, 4_000), [], 'held by its claim: not claimed, not counted');
      await store.recordOutcomes([{ id: 'm1', status: 'sent', at: 4_000, provider: 'webhook' }]);
      assert.deepEqual([(await store.getMessage('m1'))?.attempts, (await store.getMessage('m1'))?.claims], [2, 2]);
    } finally {
      await store.close();
    }
  });

  test('a claim given back makes the message claimable at once and no longer counts; a stale one changes nothing', async () => {
    const store = await open();
    try {
      await seed(store, [message('m1'), message('m2')]);
      const claimed = await store.pendingMessages(10, 3_000);
      assert.deepEqual(claimed.map((m) => [m.id, m.claims]), [['m1', 1], ['m2', 1]]);
      await store.releaseClaims([{ id: 'm1', claims: 1 }, { id: 'm2', claims: 0 }]); // m2's count is not its latest claim
      assert.deepEqual((await store.pendingMessages(10, 3_000)).map((m) => [m.id, m.attempts, m.claims]), [['m1', 0, 1]], 'm1 at once, its claim counted once; m2 still held');
      await store.recordOutcomes([{ id: 'm1', status: 'sent', at: 3_000, provider: 'webhook' }]);
      await store.releaseClaims([{ id: 'm1', claims: 1 }]);
      assert.deepEqual([(await store.getMessage('m1'))?.status, (await store.getMessage('m1'))?.claims], ['sent', 1], 'a message no longer pending is left as it is');
      await store.releaseClaims([]);
    } finally {
      await store.close();
    }
  });

  test('a message the outbox recorded in its own transaction says so; a skipped one names no provider', async () => {
    const store = await open();
    try {
      await seed(store, [message('m1', { status: 'sent', sentAt: 2_000 }), message('m2', { status: 'skipped', reason: 'unsubscribed', content: null })]);
      assert.deepEqual(await state(store), [
        ['m1', 'sent', 0, null, null, 2_000, 'outbox'],
        ['m2', 'skipped', 0, null, 'unsubscribed', null, null],
      ]);
    } finally {
      await store.close();
    }
  });

  test('provider settings are kept per channel, replaced whole, and removed', async () => {
    const store = await open();
    try {
      assert.deepEqual(await store.listProviders(), []);
      await store.saveProvider('webhook', { secret: 'whsec_a', timeoutMs: 5_000 }, 10);
      await store.saveProvider('email', { kind: 'smtp', host: 'mail.x.test', port: 587 }, 20);
      await store.saveProvider('webhook', { secret: 'whsec_b' }, 30);
      assert.deepEqual(await store.listProviders(), [
        { channel: 'email', config: { kind: 'smtp', host: 'mail.x.test', port: 587 }, updatedAt: 20 },
        { channel: 'webhook', config: { secret: 'whsec_b' }, updatedAt: 30 },
      ]);
      assert.equal(await store.removeProvider('webhook'), true);
      assert.equal(await store.removeProvider('webhook'), false);
      assert.deepEqual((await store.listProviders()).map((p) => p.channel), ['email']);
    } finally {
      await store.close();
    }
  });

  test("a secret is made once, on first ask, and the same value is given to every later ask", async () => {
    const store = await open();
    try {
      const first = await Promise.all([store.secret('unsubscribe', () => 'k1', 1), store.secret('unsubscribe', () => 'k2', 2)]);
      assert.equal(first[0], first[1], 'two first asks at once get one value');
      assert.equal(await store.secret('unsubscribe', () => 'k3', 3), first[0]);
      assert.equal(await store.secret('other', () => 'o1', 4), 'o1');
    } finally {
      await store.close();
    }
  });
}
