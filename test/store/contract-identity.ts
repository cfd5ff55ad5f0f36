/**
 * The Store contract, continued: identity merges (mergeIdentity) and the identity map every unit of work
 * resolves ids through. Registered by storeContract.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Instance, JourneyEvent } from '../../src/core/instance.ts';
import type { EventBatchView, NewMessage, Store } from '../../src/store/store.ts';
import { needsPastInstances, type StoreKind } from './contract.ts';

const event = (messageId: string, userId: string, timestamp = 1_000): JourneyEvent => ({ messageId, userId, name: 'Added to Cart', timestamp, properties: {} });

function instance(id: string, journeyId: string, userId: string, createdAt: number, status: Instance['status'] = 'active'): Instance {
  return {
    id, journeyId, version: 1, userId, status, nodeId: status === 'exited' ? null : 'wait', wakeAt: status === 'exited' ? null : 5_000, createdAt, enteredAt: createdAt, step: 1,
    entryEvent: { messageId: `entry-${id}`, name: 'Added to Cart', timestamp: createdAt, properties: {} },
    nodeUntil: status === 'exited' ? null : 5_000, timeoutAt: null, convertedAt: null,
    exit: status === 'exited' ? { at: 1_800, reason: 'completed', nodeId: null } : null,
  };
}

function message(id: string, instanceId: string, journeyId: string, userId: string, status: NewMessage['status']): NewMessage {
  return { id, journeyId, version: 1, instanceId, nodeId: 'push', userId, channel: 'push', status, reason: null, content: { body: 'hi' }, createdAt: 2_000, sentAt: status === 'sent' ? 2_000 : null };
}

/**
 * Anonymous a1 and user u1. cart: a1 only. promo: both, u1's began first (2000 < 3000). news: both, a1's
 * began first (1200 < 1500). welcome: a1 left it before.
 */
async function seeded(store: Store): Promise<void> {
  await store.upsertProfiles([{ userId: 'a1', traits: { email: 'anon@example.test', pushToken: 'tok-a', plan: 'free' } }, { userId: 'u1', traits: { email: 'u1@example.test', name: 'U' } }], 500);
  await store.ingestEvents([event('e1', 'a1'), event('e2', 'u1', 1_500)], 2_000, () => ({
    instances: [
      instance('ia', 'cart', 'a1', 1_000),
      instance('ib', 'promo', 'a1', 3_000),
      instance('ic', 'promo', 'u1', 2_000),
      instance('id', 'welcome', 'a1', 900, 'exited'),
      instance('ie', 'news', 'u1', 1_500),
      instance('if', 'news', 'a1', 1_200),
    ],
    messages: [message('ib:push:1', 'ib', 'promo', 'a1', 'pending'), message('ia:push:1', 'ia', 'cart', 'a1', 'sent'), message('ie:push:1', 'ie', 'news', 'u1', 'pending')],
    stats: [],
  }));
}

const summary = (instances: Instance[]) =>
  instances.map((i) => [i.id, i.userId, i.status, i.exit?.reason ?? null, i.wakeAt] as const).sort((a, b) => a[0].localeCompare(b[0]));

export function identityContract(open: () => Promise<Store>, kind: StoreKind = {}): void {
  const past = needsPastInstances(kind);
  test('mergeIdentity: events, passes (timers kept), messages and missing traits move; the later of two passes in a journey leaves', past, async () => {
    const store = await open();
    try {
      await seeded(store);
      assert.deepEqual(await store.mergeIdentity({ from: 'a1', into: 'u1' }, 10_000), { outcome: 'merged', userId: 'u1', events: 1, instances: 4, exited: 2 });
      assert.deepEqual(summary(await store.userInstances('u1')), [
        ['ia', 'u1', 'active', null, 5_000],
        ['ib', 'u1', 'exited', 'merged', null],
        ['ic', 'u1', 'active', null, 5_000],
        ['id', 'u1', 'exited', 'completed', null],
        ['ie', 'u1', 'exited', 'merged', null],
        ['if', 'u1', 'active', null, 5_000],
      ]);
      assert.deepEqual(await store.userInstances('a1'), []);
      assert.deepEqual((await store.userEvents('u1', 10)).map((e) => e.messageId).sort(), ['e1', 'e2']);
      assert.deepEqual(await store.userEvents('a1', 10), []);
      const messages = await store.listMessages({ userId: 'u1', limit: 10 });
      assert.deepEqual(messages.map((m) => [m.id, m.status, m.reason]).sort(), [['ia:push:1', 'sent', null], ['ib:push:1', 'skipped', 'merged'], ['ie:push:1', 'skipped', 'merged']]);
      assert.deepEqual((await store.getProfile('u1'))?.traits, { email: 'u1@example.test', name: 'U', pushToken: 'tok-a', plan: 'free' });
      assert.equal(await store.getProfile('a1'), null);
      const stats = async (journeyId: string) => (await store.journeyStats(journeyId)).map((s) => [s.nodeId, s.metric, s.count]).sort();
      assert.deepEqual(await stats('promo'), [['', 'merged', 1], ['push', 'node_skipped', 1], ['push', 'node_skipped:merged', 1]]);
      assert.deepEqual(await stats('news'), [['', 'merged', 1], ['push', 'node_skipped', 1], ['push', 'node_skipped:merged', 1]]);
      assert.deepEqual(await stats('cart'), []);
      assert.equal(await store.nextWakeAt(), 5_000, 'the timers went with their passes');
      let fired: string[] = [];
      assert.equal(await store.fireDueTimers(6_000, 10, (view) => ((fired = view.instances.map((i) => `${i.id}:${i.userId}:${view.profiles.get(i.userId)?.traits.pushToken}`)), { instances: [], messages: [], stats: [] })), 3);
      assert.deepEqual(fired.sort(), ['ia:u1:tok-a', 'ic:u1:tok-a', 'if:u1:tok-a']);
    } finally {
      await store.close();
    }
  });

  test('after a merge, events and trait patches of the merged id are its user’s', past, async () => {
    const store = await open();
    try {
      await seeded(store);
      await store.mergeIdentity({ from: 'a1', into: 'u1' }, 10_000);
      let seen: EventBatchView | null = null;
      await store.ingestEvents([event('e3', 'a1', 11_000)], 11_000, (view) => ((seen = view), { instances: [], messages: [], stats: [] }));
      assert.deepEqual(seen!.events.map((e) => e.userId), ['u1']);
      assert.deepEqual([...seen!.live.get('u1')!].map((i) => i.id).sort(), ['ia', 'ic', 'if']);
      assert.deepEqual((await store.userEvents('u1', 10)).map((e) => e.messageId).sort(), ['e1', 'e2', 'e3']);
      await store.upsertProfiles([{ userId: 'a1', traits: { city: 'Oslo' } }], 12_000);
      assert.equal((await store.getProfile('u1'))?.traits.city, 'Oslo');
      assert.equal(await store.getProfile('a1'), null);
      assert.deepEqual([...(await store.resolveIdentities(['a1', 'u1', 'x']))], [['a1', 'u1'], ['u1', 'u1'], ['x', 'x']]);
    } finally {
      await store.close();
    }
  });

  test('merging twice or into oneself changes nothing; an id merged into one user is not moved to another; chains are followed', past, async () => {
    const store = await open();
    try {
      await seeded(store);
      await store.mergeIdentity({ from: 'a1', into: 'u1' }, 10_000);
      const none = { events: 0, instances: 0, exited: 0 };
      assert.deepEqual(await store.mergeIdentity({ from: 'a1', into: 'u1' }, 10_001), { outcome: 'unchanged', userId: 'u1', ...none });
      assert.deepEqual(await store.mergeIdentity({ from: 'u1', into: 'u1' }, 10_001), { outcome: 'unchanged', userId: 'u1', ...none });
      assert.deepEqual(await store.mergeIdentity({ from: 'u1', into: 'a1' }, 10_001), { outcome: 'unchanged', userId: 'u1', ...none }, 'a1 is u1 already');
      assert.deepEqual(await store.mergeIdentity({ from: 'a1', into: 'u2' }, 10_001), { outcome: 'conflict', userId: 'u1', ...none });
      assert.equal((await store.userInstances('u1')).length, 6, 'nothing moved');

      // u1 turns out to be w1: u1 and a1 (merged into u1) both resolve to w1; a merge into u1 lands on w1.
      await store.ingestEvents([event('w-e', 'w1')], 13_000, () => ({ instances: [], messages: [], stats: [] }));
      assert.deepEqual(await store.mergeIdentity({ from: 'u1', into: 'w1' }, 13_000), { outcome: 'merged', userId: 'w1', events: 2, instances: 6, exited: 0 });
      assert.deepEqual([...(await store.resolveIdentities(['a1', 'u1']))], [['a1', 'w1'], ['u1', 'w1']]);
      await store.ingestEvents([event('a2-e', 'a2')], 14_000, () => ({ instances: [], messages: [], stats: [] }));
      assert.deepEqual(await store.mergeIdentity({ from: 'a2', into: 'u1' }, 14_000), { outcome: 'merged', userId: 'w1', events: 1, instances: 0, exited: 0 });
      assert.deepEqual((await store.userEvents('w1', 10)).map((e) => e.messageId).sort(), ['a2-e', 'e1', 'e2', 'w-e']);
      assert.equal((await store.getProfile('w1'))?.traits.email, 'u1@example.test', 'w1 had no profile: u1’s traits, a1’s among them, are all it has');
    } finally {
      await store.close();
    }
  });
}
