/**
 * The Store contract, continued: the reads behind the dashboard. The filtered message log (either way round,
 * bounded by its scan limit), a user's latest event of a name, and the catalog's bounded samples of events
 * and profiles. Registered by storeContract; the index plans are checked per adapter in
 * dashboard-plans.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyEvent } from '../../src/core/instance.ts';
import type { Changes, MessageLogPage, NewMessage, Store } from '../../src/store/store.ts';

const NO_CHANGES: Changes = { instances: [], messages: [], stats: [] };

const event = (messageId: string, userId: string, name: string, timestamp: number, properties: Record<string, unknown> = {}): JourneyEvent => ({
  messageId,
  userId,
  name,
  timestamp,
  properties,
});

export type Spec = [id: string, userId: string, journeyId: string, nodeId: string, status: NewMessage['status']];

/** m0..m7 in log order; each node sends on the channel it is named after (the API's message-log test reads it too). */
export const LOG: Spec[] = [
  ['m0', 'a', 'cart', 'push', 'pending'],
  ['m1', 'b', 'cart', 'sms', 'skipped'],
  ['m2', 'a', 'cart', 'sms', 'sent'],
  ['m3', 'a', 'promo', 'push', 'failed'],
  ['m4', 'b', 'promo', 'email', 'pending'],
  ['m5', 'a', 'cart', 'push', 'pending'],
  ['m6', 'c', 'cart', 'push', 'skipped'],
  ['m7', 'a', 'promo', 'push', 'pending'],
];

export function message([id, userId, journeyId, nodeId, status]: Spec): NewMessage {
  return { id, journeyId, version: 1, instanceId: `${journeyId}:${userId}`, nodeId, userId, channel: nodeId as NewMessage['channel'], status, reason: null, content: { body: id }, createdAt: 10, sentAt: null };
}

/** A page as ids, with scannedTo named by the id of the message at that seq. */
function shape(page: MessageLogPage, idOf: Map<number, string>) {
  return { ids: page.messages.map((m) => m.id), scannedTo: page.scannedTo === null ? null : idOf.get(page.scannedTo), more: page.more };
}

/** Properties of about `bytes` bytes as stored (JSON text on both stores). */
const padded = (bytes: number) => ({ pad: 'abcdefghij'.repeat(bytes / 10) });

export function dashboardContract(open: () => Promise<Store>): void {
  test('messageLog: filters by user, journey, node, status and channel, oldest or newest first, a page at a time', async () => {
    const store = await open();
    await store.ingestEvents([event('e1', 'a', 'Seed', 1)], 1, () => ({ ...NO_CHANGES, messages: LOG.map(message) }));
    const seqOf = new Map((await store.listMessages({ limit: 100 })).map((m) => [m.id, m.seq]));
    const idOf = new Map([...seqOf].map(([id, seq]) => [seq, id]));
    const read = async (q: Partial<Parameters<Store['messageLog']>[0]>) => shape(await store.messageLog({ order: 'oldest', limit: 100, scanLimit: 100, ...q }), idOf);

    // Newest first, three at a time, to the start of the log.
    assert.deepEqual(await read({ order: 'newest', limit: 3 }), { ids: ['m7', 'm6', 'm5'], scannedTo: 'm5', more: true });
    assert.deepEqual(await read({ order: 'newest', limit: 3, from: seqOf.get('m5')! }), { ids: ['m4', 'm3', 'm2'], scannedTo: 'm2', more: true });
    assert.deepEqual(await read({ order: 'newest', limit: 3, from: seqOf.get('m2')! }), { ids: ['m1', 'm0'], scannedTo: 'm0', more: false });

    // cart: m0 m1 m2 m5 m6, of which node push: m0 m5 m6.
    assert.deepEqual(await read({ journeyId: 'cart', nodeId: 'push' }), { ids: ['m0', 'm5', 'm6'], scannedTo: 'm6', more: false });
    // a: m0 m2 m3 m5 m7, of which pending: m0 m5 m7.
    assert.deepEqual(await read({ order: 'newest', userId: 'a', status: 'pending' }), { ids: ['m7', 'm5', 'm0'], scannedTo: 'm0', more: false });
    assert.deepEqual(await read({ channel: 'push', status: 'skipped' }), { ids: ['m6'], scannedTo: 'm6', more: false });
    assert.deepEqual(await read({ userId: 'a', journeyId: 'promo' }), { ids: ['m3', 'm7'], scannedTo: 'm7', more: false });
    assert.deepEqual(await read({ channel: 'email', userId: 'a' }), { ids: [], scannedTo: null, more: false });
    assert.deepEqual(await read({ from: seqOf.get('m7')! }), { ids: [], scannedTo: null, more: false }, 'nothing after the last');
    await store.close();
  });

  test('messageLog: looks at no more than scanLimit messages of the range; the next page goes on from where it stopped', async () => {
    const store = await open();
    await store.ingestEvents([event('e1', 'a', 'Seed', 1)], 1, () => ({ ...NO_CHANGES, messages: LOG.map(message) }));
    const seqOf = new Map((await store.listMessages({ limit: 100 })).map((m) => [m.id, m.seq]));
    const idOf = new Map([...seqOf].map(([id, seq]) => [seq, id]));
    const read = async (q: Partial<Parameters<Store['messageLog']>[0]>) => shape(await store.messageLog({ order: 'oldest', limit: 10, scanLimit: 2, ...q }), idOf);

    // Two at a time: m0 m1 | m2 m3 | m4 m5 | m6 m7 | (end); only m3 failed.
    assert.deepEqual(await read({ status: 'failed' }), { ids: [], scannedTo: 'm1', more: true });
    assert.deepEqual(await read({ status: 'failed', from: seqOf.get('m1')! }), { ids: ['m3'], scannedTo: 'm3', more: true });
    assert.deepEqual(await read({ status: 'failed', from: seqOf.get('m3')! }), { ids: [], scannedTo: 'm5', more: true });
    assert.deepEqual(await read({ status: 'failed', from: seqOf.get('m5')! }), { ids: [], scannedTo: 'm7', more: true });
    assert.deepEqual(await read({ status: 'failed', from: seqOf.get('m7')! }), { ids: [], scannedTo: null, more: false });

    // a's, newest first, three at a time: m7 m5 m3 | m2 m0 (fewer than three: the end); pending: m7 m5 | m0.
    assert.deepEqual(await read({ order: 'newest', userId: 'a', status: 'pending', scanLimit: 3 }), { ids: ['m7', 'm5'], scannedTo: 'm3', more: true });
    assert.deepEqual(await read({ order: 'newest', userId: 'a', status: 'pending', scanLimit: 3, from: seqOf.get('m3')! }), { ids: ['m0'], scannedTo: 'm0', more: false });
    // A full page stops before the scan limit: its last message is where it stopped.
    assert.deepEqual(await read({ order: 'newest', limit: 2, scanLimit: 5 }), { ids: ['m7', 'm6'], scannedTo: 'm6', more: true });
    await store.close();
  });

  test('latestUserEvent: by timestamp then arrival, of the name when given, among the user\'s newest `lookback` events', async () => {
    const store = await open();
    await store.ingestEvents(
      [
        event('e1', 'u1', 'Added to Cart', 100, { sku: 'A' }),
        event('e2', 'u1', 'Viewed', 300),
        event('e3', 'u1', 'Added to Cart', 200, { sku: 'B' }),
        event('e4', 'u1', 'Added to Cart', 200, { sku: 'C', cart: { total: 42 } }),
        event('e5', 'u1', 'Viewed', 50),
        event('e6', 'u2', 'Added to Cart', 999),
      ],
      7,
      () => NO_CHANGES,
    );
    assert.deepEqual(await store.latestUserEvent('u1', 'Added to Cart', 10), {
      messageId: 'e4', userId: 'u1', name: 'Added to Cart', timestamp: 200, properties: { sku: 'C', cart: { total: 42 } }, receivedAt: 7,
    });
    assert.equal((await store.latestUserEvent('u1', null, 10))?.messageId, 'e2');
    assert.equal(await store.latestUserEvent('u1', 'Checked Out', 10), null);
    // Newest by timestamp: e2 (300), e4 (200, arrived after e3), e3, e1, e5.
    assert.equal(await store.latestUserEvent('u1', 'Added to Cart', 1), null, 'e2 alone is looked at');
    assert.equal((await store.latestUserEvent('u1', 'Added to Cart', 2))?.messageId, 'e4');
    assert.equal(await store.latestUserEvent('nobody', null, 10), null);
    await store.close();
  });

  test('eventSample: the newest events by arrival, at most `limit`, cut at the byte budget; more when any was left out', async () => {
    const store = await open();
    assert.deepEqual(await store.eventSample(10, 1_000_000), { items: [], more: false });
    await store.ingestEvents([event('e1', 'u1', 'A', 10, { x: 1 }), event('e2', 'u2', 'B', 20, { y: 's' })], 1, () => NO_CHANGES);
    await store.ingestEvents([event('e3', 'u1', 'A', 5)], 2, () => NO_CHANGES);
    const all = [{ name: 'A', timestamp: 5, properties: {} }, { name: 'B', timestamp: 20, properties: { y: 's' } }, { name: 'A', timestamp: 10, properties: { x: 1 } }];
    assert.deepEqual(await store.eventSample(10, 1_000_000), { items: all, more: false });
    assert.deepEqual(await store.eventSample(3, 1_000_000), { items: all, more: false }, 'exactly three: none left out');
    assert.deepEqual(await store.eventSample(2, 1_000_000), { items: [{ name: 'A', timestamp: 5, properties: {} }, { name: 'B', timestamp: 20, properties: { y: 's' } }], more: true });
    await store.close();
  });

  test('eventSample: an event is read when the properties before it (newest first) take less than the budget; the newest always is', async () => {
    const store = await open();
    // Four of about 410 bytes each: they start at 0, ~410, ~820 and ~1,230 bytes.
    await store.ingestEvents(['p1', 'p2', 'p3', 'p4'].map((id, i) => event(id, 'u1', `P${i + 1}`, i, padded(400))), 1, () => NO_CHANGES);
    const names = async (limit: number, budget: number) => {
      const sample = await store.eventSample(limit, budget);
      return { names: sample.items.map((e) => e.name), more: sample.more };
    };
    assert.deepEqual(await names(10, 1_000), { names: ['P4', 'P3', 'P2'], more: true });
    assert.deepEqual(await names(10, 100), { names: ['P4'], more: true }, 'the newest, though larger than the budget');
    assert.deepEqual(await names(10, 10_000), { names: ['P4', 'P3', 'P2', 'P1'], more: false });
    await store.close();
  });

  test('profileSample: traits in user id order, at most `limit`, cut at the byte budget like eventSample', async () => {
    const store = await open();
    assert.deepEqual(await store.profileSample(10, 1_000_000), { items: [], more: false });
    await store.upsertProfiles([{ userId: 'b', traits: { plan: 'pro' } }, { userId: 'a', traits: { name: 'Ana', age: 30 } }, { userId: 'c', traits: padded(400) }], 1);
    assert.deepEqual(await store.profileSample(10, 1_000_000), { items: [{ name: 'Ana', age: 30 }, { plan: 'pro' }, padded(400)], more: false });
    assert.deepEqual(await store.profileSample(2, 1_000_000), { items: [{ name: 'Ana', age: 30 }, { plan: 'pro' }], more: true });
    await store.upsertProfiles([{ userId: 'd', traits: { plan: 'free' } }], 2);
    // a and b take some 60 bytes together, c about 410: d starts past a budget of 300.
    assert.deepEqual(await store.profileSample(10, 300), { items: [{ name: 'Ana', age: 30 }, { plan: 'pro' }, padded(400)], more: true });
    await store.close();
  });
}
