/**
 * The lists that grow without bound answer a page at a time (limit, default 50, at most 500; an opaque
 * cursor; nextCursor null at the end), and GET /v1/users/:id knows a user without a profile.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Instance } from '../../src/core/instance.ts';
import { example, forEachStore } from '../helpers.ts';
import { startApi } from './helpers.ts';

/** `n` exited passes of journey `journeyId` for user `userId`, written straight through the store, changed at 1..n. */
async function passes(api: Awaited<ReturnType<typeof startApi>>, userId: string, n: number, journeyId = 'cart'): Promise<void> {
  for (let i = 1; i <= n; i++) {
    const instance: Instance = {
      id: `${journeyId}-${userId}-${String(i).padStart(3, '0')}`, journeyId, version: 1, userId, status: 'exited', nodeId: null, wakeAt: null, createdAt: i, enteredAt: i, step: 1,
      entryEvent: { messageId: `e${i}`, name: 'Added to Cart', timestamp: i, properties: {} }, nodeUntil: null, timeoutAt: null, convertedAt: null, exit: { reason: 'completed', at: i, nodeId: null },
    };
    await api.waymark.store.ingestEvents([{ messageId: `seed-${journeyId}-${userId}-${i}`, userId, name: 'Seeded', timestamp: 1_000 + i, properties: {} }], i, () => ({ instances: [instance], messages: [], stats: [] }));
  }
}

await forEachStore((store) => {
  test('GET /v1/users/:id/journeys pages newest first: default 50, then the rest; limit over 500 and a foreign cursor are 400', async () => {
    const api = await startApi({ store });
    await passes(api, 'ana', 60);
    const first = await api.call('GET', '/v1/users/ana/journeys');
    assert.equal(first.status, 200);
    assert.equal(first.body.instances.length, 50);
    assert.equal(first.body.instances[0].id, 'cart-ana-060', 'most recently changed first');
    assert.equal(first.body.instances[49].id, 'cart-ana-011');
    const rest = await api.call('GET', `/v1/users/ana/journeys?limit=500&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    assert.deepEqual(rest.body.instances.map((i: Instance) => i.id), ['cart-ana-010', 'cart-ana-009', 'cart-ana-008', 'cart-ana-007', 'cart-ana-006', 'cart-ana-005', 'cart-ana-004', 'cart-ana-003', 'cart-ana-002', 'cart-ana-001']);
    assert.equal(rest.body.nextCursor, null);

    const tooMany = await api.call('GET', '/v1/users/ana/journeys?limit=501');
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.body.message, /limit/);
    const foreign = await api.call('GET', '/v1/users/ana/journeys?cursor=bm90LWEtY3Vyc29y');
    assert.equal(foreign.status, 400);
    assert.match(foreign.body.message, /cursor/);
  });

  test('GET /v1/users/:id/explain pages the instances it explains, of one journey when asked', async () => {
    const api = await startApi({ store });
    await api.waymark.journeys.create({ id: 'cart', definition: example('abandoned-cart') });
    await api.waymark.journeys.publish('cart');
    await passes(api, 'bo', 3);
    const first = await api.call('GET', '/v1/users/bo/explain?journeyId=cart&limit=2');
    assert.equal(first.status, 200);
    assert.equal(first.body.journeys.length, 2);
    assert.equal(typeof first.body.nextCursor, 'string');
    const rest = await api.call('GET', `/v1/users/bo/explain?journeyId=cart&limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    assert.equal(rest.body.journeys.length, 1);
    assert.equal(rest.body.nextCursor, null);
    assert.equal((await api.call('GET', '/v1/users/bo/explain?cursor=%25%25')).status, 400);
  });

  test('GET /v1/journeys and /v1/journeys/:id/versions page in creation and version order', async () => {
    const api = await startApi({ store });
    for (const id of ['j1', 'j2', 'j3']) await api.waymark.journeys.create({ id, definition: example('abandoned-cart') });
    for (let i = 0; i < 3; i++) await api.waymark.journeys.publish('j2');
    const first = await api.call('GET', '/v1/journeys?limit=2');
    assert.deepEqual(first.body.journeys.map((j: { id: string }) => j.id), ['j1', 'j2']);
    const rest = await api.call('GET', `/v1/journeys?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    assert.deepEqual([rest.body.journeys.map((j: { id: string }) => j.id), rest.body.nextCursor], [['j3'], null]);

    const v1 = await api.call('GET', '/v1/journeys/j2/versions?limit=2');
    assert.deepEqual(v1.body.versions.map((v: { version: number }) => v.version), [1, 2]);
    const v2 = await api.call('GET', `/v1/journeys/j2/versions?limit=2&cursor=${encodeURIComponent(v1.body.nextCursor)}`);
    assert.deepEqual([v2.body.versions.map((v: { version: number }) => v.version), v2.body.nextCursor], [[3], null]);
    assert.equal((await api.call('GET', '/v1/journeys/j2/versions?limit=0')).status, 400);
    assert.equal((await api.call('GET', '/v1/journeys/nope/versions')).status, 404);
  });

  test('GET /v1/users/:id: a user with events but no profile is 200 with empty traits and when seen; a stranger is 404', async () => {
    const api = await startApi({ store });
    const events = [
      { userId: 'cy', event: 'Viewed', messageId: 'v1', timestamp: '2026-01-02T00:00:00.000Z' },
      { userId: 'cy', event: 'Viewed', messageId: 'v2', timestamp: '2026-01-01T00:00:00.000Z' },
    ];
    assert.equal((await api.call('POST', '/v1/events', { key: api.write, body: { batch: events } })).status, 200);
    const known = await api.call('GET', '/v1/users/cy');
    assert.equal(known.status, 200);
    assert.deepEqual(known.body, { userId: 'cy', traits: {}, updatedAt: null, firstSeenAt: Date.UTC(2026, 0, 1), lastSeenAt: Date.UTC(2026, 0, 2) });

    await api.call('POST', '/v1/profiles', { key: api.write, body: { userId: 'dee', traits: { name: 'Dee' } } });
    const profiled = await api.call('GET', '/v1/users/dee');
    assert.deepEqual([profiled.status, profiled.body.traits, profiled.body.firstSeenAt, profiled.body.lastSeenAt], [200, { name: 'Dee' }, null, null]);

    const stranger = await api.call('GET', '/v1/users/nobody');
    assert.equal(stranger.status, 404);
    assert.match(stranger.body.message, /no user "nobody"/);
  });
});
