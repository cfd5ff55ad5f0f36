/** Inputs that meet at the same instant, through the real engine and store on a virtual clock. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { T0, example, forEachStore, virtualWaymark } from '../helpers.ts';
import { path } from '../journeys.ts';

const MIN = 60_000;
const HOUR = 3_600_000;

await forEachStore((store) => {
  test('a goal in the same millisecond as a delay ends wins: the SMS due then is never sent, one conversion', async () => {
    const w = await virtualWaymark({ store });
    await w.store.upsertProfiles([{ userId: 'ana', traits: { email: 'a@example.test', phone: '+1555', pushToken: 'tok' } }], T0);
    await w.journeys.create({ id: 'cart', definition: example('abandoned-cart') });
    await w.journeys.publish('cart');
    await w.send({ userId: 'ana', name: 'Added to Cart', timestamp: T0 });
    const smsDue = T0 + 2 * MIN + 2 * HOUR;
    await w.send({ userId: 'ana', name: 'Charged', timestamp: smsDue }); // fires every timer before smsDue, then the event
    await w.runUntil(T0 + 10 * HOUR);
    const sent = (await w.store.listMessages({ userId: 'ana', limit: 10 })).map((m) => m.nodeId);
    assert.deepEqual(sent, ['push-free-shipping']);
    const [instance] = await w.store.userInstances('ana');
    assert.deepEqual([instance?.exit?.reason, instance?.exit?.at], ['goal', smsDue]);
    const goals = (await w.store.journeyStats('cart')).filter((r) => r.metric === 'goal' && r.nodeId === '');
    assert.equal(goals.reduce((n, r) => n + r.count, 0), 1);
  });

  test('a send deferred past DND is judged against the frequency caps when it goes, not when it was due', async () => {
    const at = (day: number, hour: number, minute = 0) => Date.UTC(2026, 10, day, hour, minute);
    const w = await virtualWaymark({ store, start: at(2, 7) });
    await w.store.upsertProfiles([{ userId: 'ana', traits: { pushToken: 'tok' } }], at(2, 7));
    const quiet = example('abandoned-cart');
    quiet.setup = { ...quiet.setup, controlGroupPercent: 0, timezone: 'UTC', dnd: { start: '21:00', end: '08:00', timezone: 'journey' } };
    const hello = path('hello', [
        { id: 'in', kind: 'entry' as const, trigger: { type: 'action' as const, event: 'Opened App' } },
        { id: 'push', kind: 'send' as const, channel: 'push' as const, message: { title: 'Hi', body: 'hello' } },
        { id: 'out', kind: 'exit' as const },
    ]);
    for (const [id, definition] of [['cart', quiet], ['hello', hello]] as const) {
      await w.journeys.create({ id, definition });
      await w.journeys.publish(id);
    }
    await w.store.saveSettings({ frequencyCaps: [{ max: 1, per: '1d', channel: 'push' }] }, at(2, 7));
    await w.engine.reloadJourneys();
    await w.send({ userId: 'ana', name: 'Opened App', timestamp: at(2, 7, 30) });
    // The cart push falls due at 22:02, inside DND and inside a day of the 07:30 push; it goes at 08:00, a day after.
    await w.send({ userId: 'ana', name: 'Added to Cart', timestamp: at(2, 22) });
    await w.runUntil(at(3, 9));
    const pushes = (await w.store.listMessages({ userId: 'ana', limit: 10 })).filter((m) => m.channel === 'push');
    assert.deepEqual(
      pushes.map((m) => [m.journeyId, m.status, m.createdAt]),
      [
        ['hello', 'sent', at(2, 7, 30)],
        ['cart', 'sent', at(3, 8)],
      ],
    );
  });
});

test('a journey reload begun before a publish never puts back a catalog without the new version (SQLite)', async () => {
  // A reload (the poll's, say) reads the journeys before the publish and is held until after it. Reloads
  // used to overlap: the publish's own reload applied, then the held one put the old catalog back, and the
  // first users of the new journey were not entered. Held on SQLite, whose reads finish within a few turns
  // of the event loop, so "the publish's reload had every chance to finish first" needs no clock.
  const w = await virtualWaymark();
  const listJourneys = w.store.listJourneys.bind(w.store);
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let reads = 0;
  w.store.listJourneys = async () => {
    const journeys = await listJourneys();
    if (++reads === 1) await held;
    return journeys;
  };
  const stale = w.engine.reloadJourneys();
  await w.journeys.create({ id: 'hello', definition: path('hello', [
    { id: 'in', kind: 'entry' as const, trigger: { type: 'action' as const, event: 'Opened App' } },
    { id: 'out', kind: 'exit' as const },
  ]) });
  let published = false;
  const publishing = w.journeys.publish('hello').then(() => (published = true));
  for (let turn = 0; turn < 200 && !published; turn++) await new Promise((resolve) => setImmediate(resolve));
  release();
  await Promise.all([stale, publishing]);
  await w.send({ userId: 'ana', name: 'Opened App', timestamp: T0 });
  assert.equal((await w.store.userInstances('ana')).length, 1, 'the first user of the new journey entered');
});
