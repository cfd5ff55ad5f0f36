/** Journey triggers and splits on message outcome, through the real engine and store on a virtual clock. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChannelSender } from '../../src/channels/channel.ts';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import { T0, example, forEachStore, virtualWaymark } from '../helpers.ts';
import { path } from '../journeys.ts';

const MIN = 60_000;
const HOUR = 3_600_000;

const followUp: JourneyDefinition = path('follow-up', [
    { id: 'in', kind: 'entry', trigger: { type: 'journey', journeyId: 'cart', nodeId: 'sms-10-off' } },
    { id: 'hook', kind: 'send', channel: 'webhook', message: { url: 'https://crm.example.test/hook', body: 'sms sent for {{ Event.productName }}' } },
    { id: 'out', kind: 'exit' },
]);

/** A push, an hour later a split on what became of it. */
const outcomeSplit = (condition: unknown): JourneyDefinition => (path('outcome', [
    { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
    { id: 'push', kind: 'send', channel: 'push', message: { title: 't', body: 'b' } },
    { id: 'later', kind: 'delay', duration: '1h' },
    { id: 'check', kind: 'split', condition: condition as never },
    { id: 'email', kind: 'send', channel: 'email', message: { subject: 's', body: 'b' } },
    { id: 'out', kind: 'exit' },
], {
  branches: [
    { from: 'check', to: 'email', branch: 'yes' },
    { from: 'check', to: 'out', branch: 'no' },
  ],
}));

const failingPush: ChannelSender = {
  name: 'failing push',
  async send(messages, now) {
    return messages.map((m) => ({ id: m.id, status: 'failed' as const, at: now(), error: 'token expired' }));
  },
};

await forEachStore((store) => {
  test('journey trigger: reaching a node of one journey starts another, once, with the entry event', async () => {
    const w = await virtualWaymark({ store });
    await w.store.upsertProfiles([{ userId: 'ana', traits: { phone: '+1555', pushToken: 'tok', email: 'a@example.test' } }], T0);
    await w.journeys.create({ id: 'cart', definition: example('abandoned-cart') });
    await w.journeys.publish('cart');
    await w.journeys.create({ id: 'follow-up', definition: followUp });
    await w.journeys.publish('follow-up');
    await w.send({ userId: 'ana', name: 'Added to Cart', timestamp: T0, properties: { productName: 'Shoes' } });
    await w.runUntil(T0 + 10 * HOUR);
    const hooks = (await w.store.listMessages({ journeyId: 'follow-up', limit: 10 })).map((m) => [m.content?.body, m.createdAt - T0]);
    assert.deepEqual(hooks, [['sms sent for Shoes', 2 * MIN + 2 * HOUR]]);
    assert.equal(await w.store.inboxSize(), 0);
  });

  test('a journey trigger must name another journey that has the node', async () => {
    const w = await virtualWaymark({ store });
    await w.journeys.create({ id: 'follow-up', definition: followUp });
    await assert.rejects(w.journeys.publish('follow-up'), /no journey "cart"/);
    await w.journeys.create({ id: 'cart', definition: example('abandoned-cart') });
    const wrongNode = structuredClone(followUp);
    (wrongNode.nodes[0] as { trigger: { nodeId: string } }).trigger.nodeId = 'nope';
    await w.journeys.update('follow-up', { definition: wrongNode });
    await assert.rejects(w.journeys.publish('follow-up'), /journey "cart" has no node "nope"/);
  });

  test('split on message outcome: a push the provider failed takes "yes" towards the email', async () => {
    const w = await virtualWaymark({ store, channels: { push: failingPush } });
    await w.store.upsertProfiles([{ userId: 'ana', traits: { pushToken: 'tok', email: 'a@example.test' } }], T0);
    await w.journeys.create({ id: 'o', definition: outcomeSplit({ type: 'message', node: 'push', outcome: 'failed' }) });
    await w.journeys.publish('o');
    await w.send({ userId: 'ana', name: 'Signed Up', timestamp: T0 });
    await w.runUntil(T0 + 2 * HOUR);
    const log = (await w.store.listMessages({ userId: 'ana', limit: 10 })).map((m) => [m.nodeId, m.status]);
    assert.deepEqual(log, [['push', 'failed'], ['email', 'sent']]);
  });

  test('split on message outcome: clicked within 30 minutes of sending', async () => {
    const w = await virtualWaymark({ store });
    await w.store.upsertProfiles(['ana', 'bo', 'cy'].map((userId) => ({ userId, traits: { pushToken: 'tok', email: `${userId}@example.test` } })), T0);
    await w.journeys.create({ id: 'o', definition: outcomeSplit({ type: 'message', node: 'push', outcome: 'clicked', within: '30m' }) });
    await w.journeys.publish('o');
    for (const userId of ['ana', 'bo', 'cy']) await w.send({ userId, name: 'Signed Up', timestamp: T0 });
    const pushOf = async (userId: string) => (await w.store.listMessages({ userId, limit: 1 }))[0]!.id;
    await w.runUntil(T0 + 10 * MIN);
    assert.notEqual(await w.store.recordEngagement(await pushOf('ana'), 'click', T0 + 10 * MIN), null);
    await w.runUntil(T0 + 45 * MIN);
    assert.notEqual(await w.store.recordEngagement(await pushOf('bo'), 'click', T0 + 45 * MIN), null);
    assert.equal(await w.store.recordEngagement('no-such-message', 'click', T0 + 45 * MIN), null);
    await w.runUntil(T0 + 2 * HOUR);
    const emailed = (await w.store.listMessages({ journeyId: 'o', limit: 20 })).filter((m) => m.nodeId === 'email').map((m) => m.userId);
    assert.deepEqual(emailed, ['ana']);
  });
});
