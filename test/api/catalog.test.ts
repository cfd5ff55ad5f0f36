/**
 * GET /v1/catalog/events and /v1/catalog/traits over HTTP on both stores: the names, keys, types, counts and
 * examples of what was received, worked out by hand; the sample's bounds (the newest 10,000 events, at most
 * 500 names) with 10,001 events; admin only.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtualClock } from '../../src/core/clock.ts';
import { T0, forEachStore } from '../helpers.ts';
import { startApi } from './helpers.ts';

await forEachStore((store) => {
  test('an empty project: no events, no traits, nothing sampled', async () => {
    const api = await startApi({ store, clock: new VirtualClock(T0) });
    assert.deepEqual(await api.call('GET', '/v1/catalog/events'), { status: 200, body: { sampled: false, read: 0, truncated: false, events: [] } });
    assert.deepEqual(await api.call('GET', '/v1/catalog/traits'), { status: 200, body: { sampled: false, read: 0, truncated: false, traits: [] } });
    assert.equal((await api.call('GET', '/v1/catalog/events', { key: api.write })).status, 403, 'the write key reads no catalog');
    assert.equal((await api.call('GET', '/v1/catalog/traits', { key: null })).status, 401);
  });

  test('event names by count, with the latest timestamp, and their property paths with types, counts and the newest example', async () => {
    const api = await startApi({ store, clock: new VirtualClock(T0) });
    const batch = [
      { userId: 'ana', event: 'Added to Cart', messageId: 'e1', timestamp: T0 + 1_000, properties: { sku: 'S1', price: 89.99, gift: false, cart: { total: 89.99, items: [{ sku: 'S1' }], meta: { a: { b: { c: 1 } } } } } },
      { userId: 'ben', event: 'Added to Cart', messageId: 'e2', timestamp: T0 + 3_000, properties: { sku: 'S2', price: '12', coupon: null } },
      { userId: 'ana', event: 'Viewed', messageId: 'e3', timestamp: T0 + 2_000 },
      { userId: 'ana', event: 'Added to Cart', messageId: 'e4', timestamp: T0 + 500, properties: { sku: 'S3', price: 5 } },
    ];
    assert.deepEqual((await api.call('POST', '/v1/events', { key: api.write, body: { batch } })).body, { accepted: 4, duplicates: 0 });
    const { status, body } = await api.call('GET', '/v1/catalog/events');
    assert.equal(status, 200);
    assert.deepEqual(body, {
      sampled: false,
      read: 4,
      truncated: false,
      events: [
        {
          name: 'Added to Cart',
          count: 3,
          lastSeenAt: T0 + 3_000, // e2's: the latest timestamp, though e4 arrived after it
          properties: [
            // price: a number in e4 and e1, a string in e2; the example is the newest number (e4 arrived last).
            { path: 'price', type: 'number', count: 3, example: 5 },
            { path: 'sku', type: 'string', count: 3, example: 'S3' },
            { path: 'cart.items', type: 'array', count: 1, example: null },
            // Four levels at most: cart, meta, a, b; b's own keys are not walked.
            { path: 'cart.meta.a.b', type: 'object', count: 1, example: null },
            { path: 'cart.total', type: 'number', count: 1, example: 89.99 },
            { path: 'coupon', type: 'null', count: 1, example: null },
            { path: 'gift', type: 'boolean', count: 1, example: false },
          ],
        },
        { name: 'Viewed', count: 1, lastSeenAt: T0 + 2_000, properties: [] },
      ],
    });
  });

  test('trait paths by count, typed, with the first profile\'s value (in user id order), long strings cut to 100 characters', async () => {
    const api = await startApi({ store, clock: new VirtualClock(T0) });
    const batch = [
      { userId: 'cy', traits: { email: 'cy@example.com', bio: `${'x'.repeat(99)}😀 and more`, tags: ['vip'] } },
      { userId: 'ben', traits: { name: 'Ben', age: 41, plan: 3 } },
      { userId: 'ana', traits: { name: 'Ana', email: 'ana@example.com', plan: 'pro', address: { city: 'Lisbon' } } },
    ];
    assert.equal((await api.call('POST', '/v1/profiles', { key: api.write, body: { batch } })).status, 200);
    assert.deepEqual((await api.call('GET', '/v1/catalog/traits')).body, {
      sampled: false,
      read: 3,
      truncated: false,
      traits: [
        { path: 'email', type: 'string', count: 2, example: 'ana@example.com' },
        { path: 'name', type: 'string', count: 2, example: 'Ana' },
        // A string once (ana) and a number once (ben): a tie goes to the type met first, ana's.
        { path: 'plan', type: 'string', count: 2, example: 'pro' },
        { path: 'address.city', type: 'string', count: 1, example: 'Lisbon' },
        { path: 'age', type: 'number', count: 1, example: 41 },
        // 99 x's, then an emoji of two UTF-16 units: cut before it, not through it.
        { path: 'bio', type: 'string', count: 1, example: 'x'.repeat(99) },
        { path: 'tags', type: 'array', count: 1, example: null },
      ],
    });
  });

  test('10,001 events of 600 names: the newest 10,000 are read, and the 500 most seen names listed', async () => {
    const api = await startApi({ store, clock: new VirtualClock(T0) });
    // Event i (0 to 10,000) is named N<i mod 600>, sent in order; e0, the oldest, is left out of the sample.
    for (let from = 0; from <= 10_000; from += 1_000) {
      const batch = [];
      for (let i = from; i < Math.min(from + 1_000, 10_001); i++) batch.push({ userId: `u${i % 7}`, event: `N${i % 600}`, messageId: `e${i}`, timestamp: T0 + i });
      assert.equal((await api.call('POST', '/v1/events', { key: api.write, body: { batch } })).status, 200);
    }
    const { body } = await api.call('GET', '/v1/catalog/events');
    assert.deepEqual([body.sampled, body.read, body.truncated, body.events.length], [true, 10_000, true, 500]);
    // Of events 1 to 10,000: N1 to N400 have 17 each (k, k + 600, ..., k + 9,600), N401 to N599 have 16, and N0
    // 16 too (600 to 9,600). Ties by name, code unit by code unit: N1, N10, N100, N101, ..., N99 for the 17s.
    assert.deepEqual(body.events[0], { name: 'N1', count: 17, lastSeenAt: T0 + 9_601, properties: [] });
    assert.deepEqual([body.events[1].name, body.events[2].name, body.events[399].name, body.events[399].count], ['N10', 'N100', 'N99', 17]);
    assert.deepEqual(body.events[400], { name: 'N0', count: 16, lastSeenAt: T0 + 9_600, properties: [] });
    assert.deepEqual([body.events[401].name, body.events[499].name, body.events[499].count], ['N401', 'N499', 16]);
  });
});
