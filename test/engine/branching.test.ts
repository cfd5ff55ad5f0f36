/** The branching node kinds through the real engine on a virtual clock, on each store. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import { T0, example, forEachStore, virtualWaymark, type StoreKind } from '../helpers.ts';
import { tagVip } from '../journeys.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function withJourney(store: StoreKind, definition: JourneyDefinition, traits: Record<string, Record<string, unknown>> = {}) {
  const w = await virtualWaymark({ store });
  const base = { email: 'x@example.test', pushToken: 'tok', phone: '+1555' };
  await w.store.upsertProfiles(
    ['ana', 'bo', ...Object.keys(traits)].map((userId) => ({ userId, traits: { ...base, ...traits[userId] } })),
    T0,
  );
  await w.journeys.create({ id: 'j', definition });
  await w.journeys.publish('j');
  return w;
}

async function sent(w: Awaited<ReturnType<typeof withJourney>>, userId: string) {
  return (await w.store.listMessages({ userId, limit: 100 })).map((m) => [m.nodeId, m.sentAt! - T0] as const);
}

await forEachStore((store) => {
  test('engine: onboarding wait takes "yes" on the event and "timeout" without it', async () => {
    const w = await withJourney(store, example('onboarding'));
    await w.send({ userId: 'ana', name: 'Signed Up', timestamp: T0 });
    await w.send({ userId: 'bo', name: 'Signed Up', timestamp: T0 });
    await w.send({ userId: 'ana', name: 'Completed Profile', timestamp: T0 + DAY });
    await w.runUntil(T0 + 5 * DAY);
    assert.deepEqual(await sent(w, 'ana'), [['welcome-email', 0], ['push-tip', DAY]]);
    assert.deepEqual(await sent(w, 'bo'), [['welcome-email', 0], ['reminder-email', 2 * DAY]]);
  });

  test('engine: an event for a wait that happened before the user reached it does not count', async () => {
    const definition = example('onboarding');
    definition.nodes.push({ id: 'pause', kind: 'delay', duration: '1h' });
    definition.edges = definition.edges.map((e) => (e.from === 'welcome-email' ? { ...e, to: 'pause' } : e));
    definition.edges.push({ from: 'pause', to: 'wait-profile' });
    const w = await withJourney(store, definition);
    await w.send({ userId: 'ana', name: 'Signed Up', timestamp: T0 });
    await w.send({ userId: 'ana', name: 'Completed Profile', timestamp: T0 + HOUR / 2 });
    await w.runUntil(T0 + 5 * DAY);
    assert.deepEqual(await sent(w, 'ana'), [['welcome-email', 0], ['reminder-email', HOUR + 2 * DAY]]);
  });

  test('engine: win-back splits users across the A/B variants and routes the SMS on the profile plan', async () => {
    const users = Array.from({ length: 40 }, (_, i) => `u${i}`);
    const traits = Object.fromEntries(users.map((u, i) => [u, { plan: i % 2 === 0 ? 'pro' : 'basic' }]));
    const w = await withJourney(store, example('win-back'), traits);
    for (const userId of users) await w.send({ userId, name: 'Subscription Cancelled', timestamp: T0 });
    await w.runUntil(T0 + 10 * DAY);
    const byNode: Record<string, number> = {};
    for (const userId of users) {
      const nodes = (await sent(w, userId)).map(([node]) => node);
      for (const node of nodes) byNode[node] = (byNode[node] ?? 0) + 1;
      const i = Number(userId.slice(1));
      if (nodes.length > 0) {
        assert.equal(nodes.length, i % 2 === 0 ? 2 : 1, `${userId}: ${nodes}`);
        if (i % 2 === 0) assert.equal(nodes[1], 'sms-offer');
      }
    }
    assert.ok(byNode['email-discount']! > 5 && byNode['email-whats-new']! > 5, JSON.stringify(byNode));
    const stats = await w.store.journeyStats('j');
    const entered = (node: string) => stats.filter((s) => s.nodeId === node && s.metric === 'node_entered').reduce((n, s) => n + s.count, 0);
    assert.equal(entered('email-discount'), byNode['email-discount']);
  });

  test('engine: a goal with a filter and a conversion window', async () => {
    const definition = example('abandoned-cart');
    definition.goals = [{ id: 'purchase', event: 'Charged', where: [{ property: 'currency', op: 'in', value: ['USD', 'EUR'] }], within: '1h' }];
    const w = await withJourney(store, definition);
    await w.send({ userId: 'ana', name: 'Added to Cart', timestamp: T0 });
    await w.send({ userId: 'ana', name: 'Charged', timestamp: T0 + HOUR / 2, properties: { currency: 'JPY' } }); // filtered out
    await w.send({ userId: 'bo', name: 'Added to Cart', timestamp: T0 });
    await w.send({ userId: 'bo', name: 'Charged', timestamp: T0 + 2 * HOUR, properties: { currency: 'USD' } }); // after the window
    await w.send({ userId: 'ana', name: 'Charged', timestamp: T0 + HOUR / 2 + 1, properties: { currency: 'EUR' } });
    await w.runUntil(T0 + 6 * HOUR);
    assert.deepEqual((await sent(w, 'ana')).map(([n]) => n), ['push-free-shipping']);
    assert.equal((await sent(w, 'bo')).length, 3);
    const goals = (await w.store.journeyStats('j')).filter((s) => s.nodeId === '' && s.metric === 'goal');
    assert.deepEqual(goals.map((s) => s.count), [1]);
  });

  test('engine: updateProfile writes traits in the same unit of work; messages after it render them', async () => {
    const w = await withJourney(store, tagVip({ vip: true, phone: null }, 'vip={{ Profile.vip }}'));
    await w.send({ userId: 'ana', name: 'Charged', timestamp: T0 });
    const profile = await w.store.getProfile('ana');
    assert.equal(profile?.traits.vip, true);
    assert.equal(profile?.traits.phone, undefined, 'null removes the trait');
    const [message] = await w.store.listMessages({ userId: 'ana', limit: 10 });
    assert.equal(message?.nodeId, 'p');
    assert.equal(message?.content?.body, 'vip=true');
  });
});
