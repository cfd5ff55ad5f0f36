/**
 * The Store contract, continued: the dashboard's reads. Where a journey's users are now (journeyWaiting), its
 * entries and conversions over time (journeySeries), and what a backtest replays (eventWindow, profilesOf).
 * Registered by storeContract; the index plans that keep them bounded are checked per adapter in
 * stats-plans.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Instance, JourneyEvent } from '../../src/core/instance.ts';
import { InvalidCursorError } from '../../src/store/pages.ts';
import type { Changes, Store, StoredEvent } from '../../src/store/store.ts';
import { needsPastInstances, type StoreKind } from './contract.ts';

const NO_CHANGES: Changes = { instances: [], messages: [], stats: [] };

function instance(id: string, userId: string, overrides: Partial<Instance> = {}): Instance {
  return {
    id,
    journeyId: 'cart',
    version: 1,
    userId,
    status: 'active',
    nodeId: 'wait',
    wakeAt: null,
    createdAt: 1_000,
    enteredAt: 1_000,
    step: 1,
    entryEvent: { messageId: `e-${id}`, name: 'Added to Cart', timestamp: 1_000, properties: {} },
    nodeUntil: null,
    timeoutAt: null,
    convertedAt: null,
    exit: null,
    ...overrides,
  };
}

/** Stores instances as a unit of work would (one seed event carries them). */
async function seed(store: Store, instances: Instance[]): Promise<void> {
  const event: JourneyEvent = { messageId: `seed-${instances[0]!.id}`, userId: 'seed', name: 'Seed', timestamp: 1, properties: {} };
  await store.ingestEvents([event], 1, () => ({ instances, messages: [], stats: [] }));
}

export function statsContract(open: () => Promise<Store>, kind: StoreKind = {}): void {
  const past = needsPastInstances(kind);
  test('journeyWaiting: the active instances of the journey, by version and node; pending, control, exited and other journeys left out', async () => {
    const store = await open();
    await seed(store, [
      instance('cart:a', 'a'),
      instance('cart:b', 'b'),
      instance('cart:c', 'c', { version: 2, nodeId: 'push' }),
      instance('cart:d', 'd', { status: 'control', nodeId: null }),
      instance('cart:e', 'e', { status: 'pending', enteredAt: null, nodeId: 'entry' }),
      instance('cart:f', 'f', { status: 'exited', exit: { reason: 'completed', at: 2_000, nodeId: 'wait' } }),
      instance('other:g', 'g', { journeyId: 'other' }),
    ]);
    const rows = (await store.journeyWaiting('cart')).sort((x, y) => x.version - y.version || (x.nodeId < y.nodeId ? -1 : 1));
    assert.deepEqual(rows, [
      { version: 1, nodeId: 'wait', count: 2 },
      { version: 2, nodeId: 'push', count: 1 },
    ]);
    assert.deepEqual(await store.journeyWaiting('nobody'), []);
    await store.close();
  });

  test('journeySeries: entries when they entered, conversions when they converted, control apart, per slot of the window', past, async () => {
    const store = await open();
    // The window is [10,000, 14,000) in slots of 1,000.
    await seed(store, [
      instance('cart:a', 'a', { enteredAt: 10_500, convertedAt: 12_100 }), // entered in slot 0, converted in slot 2
      instance('cart:b', 'b', { status: 'exited', nodeId: null, enteredAt: 11_000, convertedAt: 13_999, exit: { reason: 'goal', at: 13_999, nodeId: null } }), // held out in slot 1, converted in slot 3
      instance('cart:c', 'c', { status: 'exited', enteredAt: 9_000, convertedAt: 9_400, exit: { reason: 'goal', at: 9_500, nodeId: 'wait' } }), // all before the window
      instance('cart:d', 'd', { enteredAt: 9_000, convertedAt: 10_000 }), // entered before, converted in slot 0
      instance('cart:e', 'e', { enteredAt: 14_000 }), // at the window's end: after it
      instance('cart:f', 'f', { status: 'pending', enteredAt: null, nodeId: 'entry' }), // never entered
      instance('cart-x:g', 'g', { journeyId: 'cart-x', enteredAt: 10_000 }), // other journeys, ids either side of "cart:"
      instance('cartz:h', 'h', { journeyId: 'cartz', enteredAt: 10_000 }),
    ]);
    assert.deepEqual(await store.journeySeries('cart', { from: 10_000, to: 14_000, slotMs: 1_000 }), [
      { at: 10_000, entered: 1, control: 0, goal: 1, controlGoal: 0 },
      { at: 11_000, entered: 0, control: 1, goal: 0, controlGoal: 0 },
      { at: 12_000, entered: 0, control: 0, goal: 1, controlGoal: 0 },
      { at: 13_000, entered: 0, control: 0, goal: 0, controlGoal: 1 },
    ]);
    // One slot for the whole window.
    assert.deepEqual(await store.journeySeries('cart', { from: 10_000, to: 14_000, slotMs: 4_000 }), [{ at: 10_000, entered: 1, control: 1, goal: 2, controlGoal: 1 }]);
    assert.deepEqual(await store.journeySeries('cart-x', { from: 10_000, to: 14_000, slotMs: 1_000 }), [{ at: 10_000, entered: 1, control: 0, goal: 0, controlGoal: 0 }]);
    await store.close();
  });

  test('eventWindow: the events received and timestamped inside the window, in arrival order, a page at a time', async () => {
    const store = await open();
    const e = (messageId: string, timestamp: number, userId = 'u1'): JourneyEvent => ({ messageId, userId, name: 'Viewed', timestamp, properties: { n: messageId } });
    await store.ingestEvents([e('e1', 1_000)], 1_000, () => NO_CHANGES);
    await store.ingestEvents([e('e2', 500), e('e3', 1_500, 'u2'), e('e4', 1_200)], 2_000, () => NO_CHANGES); // e2 happened before the window
    await store.ingestEvents([e('e5', 2_500)], 3_000, () => NO_CHANGES); // received at the window's end: after it
    const ids = (events: StoredEvent[]) => events.map((x) => x.messageId);

    const all = await store.eventWindow({ from: 1_000, to: 3_000, limit: 10 });
    assert.deepEqual(ids(all.items), ['e1', 'e3', 'e4']);
    assert.equal(all.nextCursor, null);
    assert.deepEqual(all.items[1], { messageId: 'e3', userId: 'u2', name: 'Viewed', timestamp: 1_500, properties: { n: 'e3' }, receivedAt: 2_000 });

    const pages: string[][] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await store.eventWindow({ from: 1_000, to: 3_000, limit: 2, ...(cursor !== undefined ? { cursor } : {}) });
      pages.push(ids(page.items));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    assert.deepEqual(pages, [['e1', 'e3'], ['e4']]);
    await assert.rejects(store.eventWindow({ from: 1_000, to: 3_000, limit: 2, cursor: 'bm90IGEgY3Vyc29y' }), InvalidCursorError);
    await store.close();
  });

  test('profilesOf: the profiles of the users who have one, each once', async () => {
    const store = await open();
    await store.upsertProfiles([{ userId: 'ana', traits: { email: 'ana@x.test' } }, { userId: 'bo', traits: { phone: '+1' } }], 5);
    const profiles = (await store.profilesOf(['ana', 'nobody', 'ana'])).map((p) => [p.userId, p.traits]);
    assert.deepEqual(profiles, [['ana', { email: 'ana@x.test' }]]);
    assert.deepEqual(await store.profilesOf([]), []);
    await store.close();
  });
}
