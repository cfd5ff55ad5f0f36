/**
 * The Store contract, continued: bounces reported after sending (bounceMessage). Only an email that was sent
 * (or delivered) becomes bounced, with the reason given, and its node counts it as failed instead of sent;
 * a repeat (or two reports at once) changes nothing more; any other status, another channel or an unknown id
 * is left as it is. Registered by storeContract.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Changes, NewMessage, RecordedOutcome, Store } from '../../src/store/store.ts';

const NONE: Changes = { instances: [], messages: [], stats: [] };

function email(id: string, overrides: Partial<NewMessage> = {}): NewMessage {
  return { id, journeyId: 'cart', version: 1, instanceId: `i-${id}`, nodeId: 'mail', userId: 'u1', channel: 'email', status: 'pending', reason: null, content: { subject: 'Hi', body: '<p>Hi</p>', to: 'ana@x.test' }, createdAt: 2_000, sentAt: null, ...overrides };
}

/** Writes the messages, then records the outcome each pending one has in `outcomes` (at 3,000, by SMTP). */
async function seed(store: Store, messages: NewMessage[], outcomes: Record<string, RecordedOutcome['status']>): Promise<void> {
  await store.ingestEvents([{ messageId: `e-${messages[0]!.id}`, userId: 'u1', name: 'Seeded', timestamp: 1_000, properties: {} }], 1_000, () => ({ ...NONE, messages }));
  await store.pendingMessages(messages.length, 3_000);
  await store.recordOutcomes(
    Object.entries(outcomes).map(([id, status]) => ({
      id, status, at: 3_000, provider: 'smtp',
      ...(status === 'sent' ? {} : { error: 'smtp_550: no such user' }),
      ...(status === 'retry' ? { nextAttemptAt: 90_000 } : {}),
    })),
  );
}

const state = async (store: Store) => (await store.listMessages({ limit: 100 })).map((m) => [m.id, m.status, m.reason, m.sentAt]);
const stats = async (store: Store) => (await store.journeyStats('cart')).map((s) => [s.nodeId, s.metric, s.count]);

export function bouncesContract(open: () => Promise<Store>): void {
  test('a sent email that bounces is bounced, with its reason, and counts as failed instead of sent; a repeat changes nothing', async () => {
    const store = await open();
    try {
      await seed(store, [email('m1'), email('m2')], { m1: 'sent', m2: 'sent' });
      assert.deepEqual(await stats(store), [['mail', 'node_sent', 2]]);

      assert.equal(await store.bounceMessage('m1', 'dsn_5.1.1: 550 5.1.1 user unknown'), 'bounced');
      assert.deepEqual(await state(store), [
        ['m1', 'bounced', 'dsn_5.1.1: 550 5.1.1 user unknown', 3_000],
        ['m2', 'sent', null, 3_000],
      ]);
      assert.deepEqual(await stats(store), [['mail', 'node_failed', 1], ['mail', 'node_sent', 1]]);
      assert.equal((await store.getMessage('m1'))?.status, 'bounced');
      assert.deepEqual((await store.messageLog({ order: 'oldest', limit: 10, scanLimit: 100, status: 'bounced' })).messages.map((m) => m.id), ['m1']);

      // The same report again (an MTA retrying its pipe), or another about the same message: nothing more.
      assert.equal(await store.bounceMessage('m1', 'dsn_5.1.1: 550 5.1.1 user unknown'), 'bounced');
      assert.equal(await store.bounceMessage('m1', 'dsn_5.2.2: mailbox full'), 'bounced');
      assert.deepEqual((await state(store))[0], ['m1', 'bounced', 'dsn_5.1.1: 550 5.1.1 user unknown', 3_000], 'the first reason stays');
      assert.deepEqual(await stats(store), [['mail', 'node_failed', 1], ['mail', 'node_sent', 1]], 'counted once');

      // Two reports at once: one bounces it, the other finds it bounced.
      assert.deepEqual(await Promise.all([store.bounceMessage('m2', 'dsn_5.2.2: a'), store.bounceMessage('m2', 'dsn_5.2.2: a')]), ['bounced', 'bounced']);
      assert.deepEqual(await stats(store), [['mail', 'node_failed', 2], ['mail', 'node_sent', 0]]);
    } finally {
      await store.close();
    }
  });

  test('only a sent (or delivered) email bounces: other statuses are told and left, another channel or an unknown id is null', async () => {
    const store = await open();
    try {
      await seed(
        store,
        [
          email('failed'), email('retrying'), email('fresh'), email('dead'),
          email('skipped', { status: 'skipped', reason: 'unsubscribed', content: null }),
          email('text', { channel: 'sms', nodeId: 'text', content: { body: 'Hi', to: '+15550001' } }),
        ],
        { failed: 'failed', retrying: 'retry', dead: 'dead', text: 'sent' },
      );
      const before = await state(store);
      const statsBefore = await stats(store);
      assert.equal(await store.bounceMessage('failed', 'dsn_5.1.1: x'), 'failed');
      assert.equal(await store.bounceMessage('retrying', 'dsn_5.1.1: x'), 'pending');
      assert.equal(await store.bounceMessage('fresh', 'dsn_5.1.1: x'), 'pending');
      assert.equal(await store.bounceMessage('dead', 'dsn_5.1.1: x'), 'dead');
      assert.equal(await store.bounceMessage('skipped', 'dsn_5.1.1: x'), 'skipped');
      assert.equal(await store.bounceMessage('text', 'dsn_5.1.1: x'), null, 'not an email');
      assert.equal(await store.bounceMessage('nobody', 'dsn_5.1.1: x'), null);
      assert.deepEqual(await state(store), before);
      assert.deepEqual(await stats(store), statsBefore);
    } finally {
      await store.close();
    }
  });
}
