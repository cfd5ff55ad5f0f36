/** Entry triggers with filters and correlation, through the real engine and store on a virtual clock. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import { T0, forEachStore, virtualWaymark } from '../helpers.ts';

const MIN = 60_000;

const cartJourney: JourneyDefinition = {
  name: 'big carts',
  setup: { reentry: 'afterExit' },
  nodes: [
    {
      id: 'in',
      kind: 'entry',
      trigger: { type: 'inaction', event: 'Added to Cart', where: [{ property: 'price', op: '>=', value: 50 }], notEvent: 'Charged', sameAs: ['cartId'], within: '2m' },
    },
    { id: 'push', kind: 'send', channel: 'push', message: { title: 'Your cart', body: 'cart {{ Event.cartId }}' } },
    { id: 'out', kind: 'exit' },
  ],
  edges: [
    { from: 'in', to: 'push' },
    { from: 'push', to: 'out' },
  ],
};

await forEachStore((store) => {
  test('inaction with where and sameAs: small carts never start it, a payment for another cart does not stop it', async () => {
    const w = await virtualWaymark({ store });
    await w.store.upsertProfiles(['ana', 'bo', 'cy'].map((userId) => ({ userId, traits: { pushToken: 'tok' } })), T0);
    await w.journeys.create({ id: 'big', definition: cartJourney });
    await w.journeys.publish('big');
    await w.send({ userId: 'ana', name: 'Added to Cart', timestamp: T0, properties: { cartId: 'a1', price: 80 } });
    await w.send({ userId: 'ana', name: 'Charged', timestamp: T0 + MIN, properties: { cartId: 'old' } });
    await w.send({ userId: 'bo', name: 'Added to Cart', timestamp: T0, properties: { cartId: 'b1', price: 80 } });
    await w.send({ userId: 'bo', name: 'Charged', timestamp: T0 + MIN, properties: { cartId: 'b1' } });
    await w.send({ userId: 'cy', name: 'Added to Cart', timestamp: T0, properties: { cartId: 'c1', price: 10 } });
    await w.runUntil(T0 + 10 * MIN);
    const sent = (await w.store.listMessages({ journeyId: 'big', limit: 10 })).map((m) => [m.userId, m.content?.body, m.createdAt - T0]);
    assert.deepEqual(sent, [['ana', 'cart a1', 2 * MIN]]);
  });

  test('a broken inaction window starts no cool-down: the next cart may enter at once', async () => {
    const w = await virtualWaymark({ store });
    await w.store.upsertProfiles([{ userId: 'ana', traits: { pushToken: 'tok' } }], T0);
    await w.journeys.create({ id: 'big', definition: { ...cartJourney, setup: { reentry: 'afterExit', reentryCooldown: '1d' } } });
    await w.journeys.publish('big');
    await w.send({ userId: 'ana', name: 'Added to Cart', timestamp: T0, properties: { cartId: 'a1', price: 80 } });
    await w.send({ userId: 'ana', name: 'Charged', timestamp: T0 + MIN, properties: { cartId: 'a1' } }); // not qualified
    await w.send({ userId: 'ana', name: 'Added to Cart', timestamp: T0 + 2 * MIN, properties: { cartId: 'a2', price: 80 } });
    await w.runUntil(T0 + 10 * MIN);
    await w.send({ userId: 'ana', name: 'Added to Cart', timestamp: T0 + 20 * MIN, properties: { cartId: 'a3', price: 80 } }); // inside the cool-down
    await w.runUntil(T0 + 30 * MIN);
    const sent = (await w.store.listMessages({ journeyId: 'big', limit: 10 })).map((m) => [m.content?.body, m.createdAt - T0]);
    assert.deepEqual(sent, [['cart a2', 4 * MIN]]);
  });
});
