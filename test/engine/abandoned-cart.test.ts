/** The abandoned-cart journey through the real engine on a virtual clock, on each store. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { T0, example, forEachStore, virtualWaymark, type StoreKind } from '../helpers.ts';

const MIN = 60_000;
const HOUR = 3_600_000;

async function cartJourney(store: StoreKind) {
  const w = await virtualWaymark({ store });
  await w.store.upsertProfiles(
    [
      { userId: 'ana', traits: { name: 'Ana', email: 'ana@example.test', phone: '+15550001', pushToken: 'tok-ana' } },
      { userId: 'bo', traits: { email: 'bo@example.test', pushToken: 'tok-bo' } },
    ],
    T0,
  );
  await w.journeys.create({ id: 'cart', definition: example('abandoned-cart') });
  await w.journeys.publish('cart');
  return w;
}

async function sends(w: Awaited<ReturnType<typeof cartJourney>>, userId: string) {
  return (await w.store.listMessages({ userId, limit: 100 })).map((m) => ({ node: m.nodeId, status: m.status, reason: m.reason, at: m.sentAt, content: m.content }));
}

await forEachStore((store) => {
  test('a user who abandons the cart gets push, SMS 2 h later, email 2 h after that', async () => {
    const w = await cartJourney(store);
    await w.send({ userId: 'ana', name: 'Added to Cart', timestamp: T0, properties: { productName: 'Trail Running Shoes', price: 89.99, currency: 'USD' } });
    await w.runUntil(T0 + 5 * HOUR);
    const got = await sends(w, 'ana');
    assert.deepEqual(
      got.map((s) => [s.node, s.status, s.at! - T0]),
      [
        ['push-free-shipping', 'sent', 2 * MIN],
        ['sms-10-off', 'sent', 2 * MIN + 2 * HOUR],
        ['email-final-reminder', 'sent', 2 * MIN + 4 * HOUR],
      ],
    );
    assert.equal(got[0]!.content!.body, 'Hi Ana, your Trail Running Shoes is waiting. Free shipping if you check out today.');
    assert.equal(got[0]!.content!.to, 'tok-ana');
    assert.match(got[2]!.content!.body, /USD 89.99/);
  });

  test('Charged inside the 2-minute window means the user never enters', async () => {
    const w = await cartJourney(store);
    await w.send({ userId: 'ana', name: 'Added to Cart', timestamp: T0 });
    await w.send({ userId: 'ana', name: 'Charged', timestamp: T0 + MIN });
    await w.runUntil(T0 + 5 * HOUR);
    assert.deepEqual(await sends(w, 'ana'), []);
    const stats = await w.store.journeyStats('cart');
    assert.deepEqual(stats.filter((s) => s.nodeId === '').map((s) => [s.metric, s.count]), [['not_qualified', 1]]);
  });

  test('Charged mid-journey exits at once: the pending SMS is never sent, one conversion is counted', async () => {
    const w = await cartJourney(store);
    await w.send({ userId: 'ana', name: 'Added to Cart', timestamp: T0 });
    await w.send({ userId: 'ana', name: 'Charged', timestamp: T0 + HOUR });
    await w.send({ userId: 'ana', name: 'Charged', timestamp: T0 + HOUR + 1 });
    await w.runUntil(T0 + 5 * HOUR);
    assert.deepEqual((await sends(w, 'ana')).map((s) => s.node), ['push-free-shipping']);
    const journeyStats = Object.fromEntries((await w.store.journeyStats('cart')).filter((s) => s.nodeId === '').map((s) => [s.metric, s.count]));
    assert.deepEqual(journeyStats, { qualified: 1, entered: 1, goal: 1 });
    const [instance] = await w.store.userInstances('ana');
    assert.equal(instance!.exit?.reason, 'goal');
    assert.equal(instance!.exit?.nodeId, 'wait-2h-before-sms');
  });

  test('a user with no phone has the SMS skipped with a reason, and still gets the email', async () => {
    const w = await cartJourney(store);
    await w.send({ userId: 'bo', name: 'Added to Cart', timestamp: T0 });
    await w.runUntil(T0 + 5 * HOUR);
    assert.deepEqual(
      (await sends(w, 'bo')).map((s) => [s.node, s.status, s.reason]),
      [
        ['push-free-shipping', 'sent', null],
        ['sms-10-off', 'skipped', 'no_phone'],
        ['email-final-reminder', 'sent', null],
      ],
    );
  });

  test('the same event delivered twice is processed once', async () => {
    const w = await cartJourney(store);
    await w.send({ userId: 'ana', name: 'Added to Cart', timestamp: T0, messageId: 'dup-1' });
    await w.send({ userId: 'ana', name: 'Added to Cart', timestamp: T0 + 10, messageId: 'dup-1' });
    await w.runUntil(T0 + 5 * HOUR);
    assert.equal((await sends(w, 'ana')).length, 3);
    assert.equal((await w.store.userEvents('ana', 10)).length, 1);
  });

  test('re-entry after exit: a second abandoned cart after the first journey ended starts again', async () => {
    const w = await cartJourney(store);
    await w.send({ userId: 'ana', name: 'Added to Cart', timestamp: T0 });
    await w.send({ userId: 'ana', name: 'Added to Cart', timestamp: T0 + HOUR }); // inside the live instance: ignored
    await w.runUntil(T0 + 5 * HOUR);
    await w.send({ userId: 'ana', name: 'Added to Cart', timestamp: T0 + 6 * HOUR });
    await w.runUntil(T0 + 11 * HOUR);
    assert.equal((await sends(w, 'ana')).filter((s) => s.status === 'sent').length, 6);
  });

  test('a Charged that overtakes its Added to Cart (arrives first, happened after) keeps the user out', async () => {
    const w = await cartJourney(store);
    await w.send({ userId: 'ana', name: 'Charged', timestamp: T0 + 30_000 });
    await w.engine.ingestNow([{ messageId: 'late-cart', userId: 'ana', name: 'Added to Cart', timestamp: T0, properties: {} }]);
    await w.runUntil(T0 + 5 * HOUR);
    assert.deepEqual(await sends(w, 'ana'), []);
    const stats = Object.fromEntries((await w.store.journeyStats('cart')).filter((s) => s.nodeId === '').map((s) => [s.metric, s.count]));
    assert.deepEqual(stats, { not_qualified: 1 });
  });

  test('both orders inside one batch give the same answer', async () => {
    const w = await cartJourney(store);
    const cartEvent = (userId: string) => ({ messageId: `cart-${userId}`, userId, name: 'Added to Cart', timestamp: T0, properties: {} });
    const charge = (userId: string) => ({ messageId: `charge-${userId}`, userId, name: 'Charged', timestamp: T0 + 1_000, properties: {} });
    await w.engine.ingestNow([cartEvent('ana'), charge('ana'), charge('bo'), cartEvent('bo')]);
    await w.runUntil(T0 + 5 * HOUR);
    assert.deepEqual(await sends(w, 'ana'), []);
    assert.deepEqual(await sends(w, 'bo'), []);
  });
});
