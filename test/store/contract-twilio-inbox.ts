/**
 * The Store contract, continued: what Twilio and the in-app inbox need. A provider's message id is kept with
 * the outcome and its callbacks find the message by it (delivered after sent; failed after sent or delivered;
 * a late 'delivered' does not undo a failure); profiles are found by their phone trait; a user's inbox lists
 * their delivered inbox messages newest first, paged, dismissed ones only when asked, and marks are the
 * first time's and the user's own. Registered by storeContract.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyEvent } from '../../src/core/instance.ts';
import type { Changes, NewMessage, Store } from '../../src/store/store.ts';

const NONE: Changes = { instances: [], messages: [], stats: [] };
const event = (messageId: string, userId: string): JourneyEvent => ({ messageId, userId, name: 'Added to Cart', timestamp: 1_000, properties: {} });

function message(id: string, overrides: Partial<NewMessage> = {}): NewMessage {
  return { id, journeyId: 'cart', version: 1, instanceId: 'i1', nodeId: 'text', userId: 'u1', channel: 'sms', status: 'pending', reason: null, content: { body: 'Hi', to: '+15550001' }, createdAt: 2_000, sentAt: null, ...overrides };
}

const inbox = (id: string, userId: string, title: string, overrides: Partial<NewMessage> = {}): NewMessage =>
  message(id, { userId, channel: 'inbox', nodeId: 'note', status: 'sent', sentAt: 2_000, content: { title, body: `${title} body` }, ...overrides });

/** An event of each user with messages, whose unit writes them: each decide writes its view's users' only, as the engine does. */
async function seed(store: Store, messages: NewMessage[]): Promise<void> {
  const users = [...new Set(messages.map((m) => m.userId))];
  await store.ingestEvents(
    users.map((u) => event(`e-${messages[0]!.id}-${u}`, u)),
    1,
    (view) => ({ ...NONE, messages: messages.filter((m) => view.events.some((e) => e.userId === m.userId)) }),
  );
}

const statuses = async (store: Store) => (await store.listMessages({ limit: 50 })).map((m) => [m.id, m.status, m.reason]);

export function twilioInboxContract(open: () => Promise<Store>): void {
  test('a provider id is kept with the outcome; callbacks by it mark delivered or failed, in any order', async () => {
    const store = await open();
    try {
      await seed(store, [message('m1'), message('m2'), message('m3')]);
      await store.pendingMessages(10, 3_000);
      await store.recordOutcomes([
        { id: 'm1', status: 'sent', at: 3_000, provider: 'twilio', providerId: 'SM1' },
        { id: 'm2', status: 'sent', at: 3_000, provider: 'twilio', providerId: 'SM2' },
        { id: 'm3', status: 'retry', at: 3_000, nextAttemptAt: 9_000, provider: 'twilio' },
      ]);
      const update = (providerId: string, status: 'delivered' | 'failed', reason: string | null = null) => store.recordDelivery({ provider: 'twilio', providerId, status, reason, at: 4_000 });
      assert.equal(await update('SM1', 'delivered'), true);
      assert.equal(await update('SM2', 'failed', 'twilio_undelivered: 30003'), true);
      assert.equal(await update('SM2', 'delivered'), true, 'known, but a late delivered does not undo the failure');
      assert.equal(await update('SM9', 'delivered'), false, 'no message has that id');
      assert.equal(await store.recordDelivery({ provider: 'smtp', providerId: 'SM1', status: 'failed', reason: 'x', at: 4_000 }), false, 'ids are per provider');
      assert.deepEqual(await statuses(store), [
        ['m1', 'delivered', null],
        ['m2', 'failed', 'twilio_undelivered: 30003'],
        ['m3', 'pending', null],
      ]);
      assert.equal(await update('SM1', 'failed', 'twilio_failed: 30008'), true);
      assert.deepEqual((await statuses(store))[0], ['m1', 'failed', 'twilio_failed: 30008'], 'a delivered message can still fail');
      assert.deepEqual((await store.messageLog({ order: 'oldest', limit: 10, scanLimit: 100, status: 'failed' })).messages.map((m) => m.id), ['m1', 'm2']);
    } finally {
      await store.close();
    }
  });

  test('profiles are found by their phone trait, exactly, in user id order, bounded', async () => {
    const store = await open();
    try {
      await store.upsertProfiles(
        [
          { userId: 'zoe', traits: { phone: '+15550001' } },
          { userId: 'ann', traits: { phone: '+15550001', name: 'Ann' } },
          { userId: 'bob', traits: { phone: '+155500011' } },
          { userId: 'cy', traits: { phone: 15550001 } },
          { userId: 'dee', traits: {} },
        ],
        1,
      );
      assert.deepEqual((await store.profilesWithPhone('+15550001', 10)).map((p) => [p.userId, p.traits.phone]), [['ann', '+15550001'], ['zoe', '+15550001']]);
      assert.deepEqual((await store.profilesWithPhone('+15550001', 1)).map((p) => p.userId), ['ann']);
      assert.deepEqual(await store.profilesWithPhone('+15559999', 10), []);
    } finally {
      await store.close();
    }
  });

  test("a user's inbox: delivered inbox messages only, newest first, paged; marks are the first time's and the user's own", async () => {
    const store = await open();
    try {
      await seed(store, [
        inbox('n1', 'ann', 'One'),
        inbox('n2', 'ann', 'Two', { content: { title: 'Two', body: 'Two body', url: 'https://shop.test/2' } }),
        inbox('n3', 'ann', 'Three'),
        inbox('skipped', 'ann', 'Skipped', { status: 'skipped', reason: 'unsubscribed', sentAt: null }),
        inbox('bob1', 'bob', 'Bob'),
        message('sms1', { userId: 'ann', status: 'sent', sentAt: 2_000 }),
      ]);
      const first = await store.inboxPage('ann', { limit: 2, dismissed: false });
      assert.deepEqual(first.items.map((m) => [m.id, m.title, m.url, m.readAt, m.dismissedAt]), [['n3', 'Three', null, null, null], ['n2', 'Two', 'https://shop.test/2', null, null]]);
      assert.notEqual(first.nextCursor, null);
      const second = await store.inboxPage('ann', { limit: 2, cursor: first.nextCursor!, dismissed: false });
      assert.deepEqual([second.items.map((m) => m.id), second.nextCursor], [['n1'], null]);
      assert.deepEqual(second.items[0], { id: 'n1', journeyId: 'cart', nodeId: 'note', title: 'One', body: 'One body', url: null, createdAt: 2_000, readAt: null, dismissedAt: null });

      assert.deepEqual(await store.markInbox('ann', 'n2', 'read', 5_000).then((m) => [m?.id, m?.readAt, m?.dismissedAt]), ['n2', 5_000, null]);
      assert.equal((await store.markInbox('ann', 'n2', 'read', 6_000))?.readAt, 5_000, 'read again: the first time stands');
      assert.equal((await store.markInbox('ann', 'n3', 'dismissed', 7_000))?.dismissedAt, 7_000);
      assert.equal(await store.markInbox('bob', 'n1', 'read', 5_000), null, "another user's message");
      assert.equal(await store.markInbox('ann', 'sms1', 'read', 5_000), null, 'not an inbox message');
      assert.equal(await store.markInbox('ann', 'skipped', 'read', 5_000), null, 'never delivered');
      assert.equal(await store.markInbox('ann', 'nope', 'dismissed', 5_000), null);

      assert.deepEqual((await store.inboxPage('ann', { limit: 10, dismissed: false })).items.map((m) => [m.id, m.readAt]), [['n2', 5_000], ['n1', null]], 'dismissed left out');
      assert.deepEqual((await store.inboxPage('ann', { limit: 10, dismissed: true })).items.map((m) => [m.id, m.dismissedAt]), [['n3', 7_000], ['n2', null], ['n1', null]]);
      assert.deepEqual((await store.inboxPage('bob', { limit: 10, dismissed: false })).items.map((m) => m.id), ['bob1']);
      assert.deepEqual((await store.inboxPage('cy', { limit: 10, dismissed: false })).items, []);
      await assert.rejects(store.inboxPage('ann', { limit: 10, cursor: 'bogus', dismissed: false }), /cursor/);
    } finally {
      await store.close();
    }
  });
}
