/**
 * The unmodified @rudderstack/rudder-sdk-node SDK pointed at a real server on loopback. It speaks Segment's
 * API but sends gzip bodies labelled application/x-www-form-urlencoded, HTTP Basic with the write key, and
 * `originalTimestamp` with a `sentAt` on every message.
 */
import Analytics from '@rudderstack/rudder-sdk-node';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachStore } from '../helpers.ts';
import { startApi, type TestApi } from './helpers.ts';

/**
 * Configured as a team would, but pointed at `api`, without retries or timer flushes: the test flushes. The
 * SDK flushes the first message at once, unawaited: its errors are collected rather than left unhandled.
 */
function rudder(api: TestApi, writeKey: string, options: { gzip?: boolean } = {}) {
  const errors: Array<{ response?: { status: number } }> = [];
  const client = new Analytics(writeKey, { dataPlaneUrl: api.url, flushInterval: 3_600_000, retryCount: 0, logLevel: 'none', errorHandler: (error?: { response?: { status: number } }) => void errors.push(error ?? {}), ...options });
  return Object.assign(client, { errors });
}

type Track = Parameters<Analytics['track']>[0];
/** The SDK sends a messageId given to it, though its types do not say so. */
const withId = (message: Track, messageId: string): Track => Object.assign({ messageId }, message);

async function eventsOf(api: TestApi, userId: string) {
  const events = await api.waymark.store.userEvents(userId, 100);
  return events.map((e) => [e.name, e.properties]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
}

await forEachStore((store) => {
  test('the RudderStack SDK: gzip batches of identify, track, page, screen and alias land', async () => {
    const api = await startApi({ store });
    // What the SDK puts on the wire, read by the server itself: the test asserts it is the hard case.
    const seen: Array<[string | undefined, string | undefined]> = [];
    api.server.server.on('request', (request) => seen.push([request.headers['content-type'], request.headers['content-encoding']]));
    const client = rudder(api, api.write);
    const historical = Date.UTC(2026, 0, 1, 12, 0, 0);
    client.identify({ userId: 'ana', traits: { name: 'Ana', email: 'ana@example.test' }, context: { timezone: 'America/New_York' } });
    client.track(withId({ userId: 'ana', event: 'Added to Cart', properties: { sku: 'shoe-1' } }, 'rs-cart-1'));
    client.track(withId({ userId: 'ana', event: 'Added to Cart', properties: { sku: 'shoe-1' } }, 'rs-cart-1')); // a retry
    client.track({ userId: 'ana', event: 'Imported', timestamp: new Date(historical) });
    client.page({ userId: 'ana', name: 'Pricing' });
    client.screen({ userId: 'ana', name: 'Cart', properties: { items: 2 } });
    client.alias({ userId: 'ana', previousId: 'anon-3' });
    client.group({ userId: 'ana', groupId: 'acme' });
    client.track({ anonymousId: 'anon-4', event: 'Viewed Product' });
    const before = Date.now();
    await client.flush();
    const after = Date.now();

    assert.deepEqual(client.errors, []);
    assert.ok(seen.length > 0);
    assert.deepEqual(new Set(seen.map(String)), new Set([['application/x-www-form-urlencoded', 'gzip'].join(',')]), 'gzip labelled as a form');
    assert.deepEqual(await eventsOf(api, 'ana'), [
      ['Added to Cart', { sku: 'shoe-1' }],
      ['Alias', { previousId: 'anon-3' }],
      ['Imported', {}],
      ['Viewed Cart Screen', { name: 'Cart', items: 2 }],
      ['Viewed Pricing Page', { name: 'Pricing' }],
    ]);
    assert.deepEqual(await eventsOf(api, 'anon-4'), [['Viewed Product', {}]]);
    assert.deepEqual((await api.call('GET', '/v1/users/ana')).body.traits, { name: 'Ana', email: 'ana@example.test', timezone: 'America/New_York' });
    const imported = (await api.waymark.store.userEvents('ana', 100)).find((e) => e.name === 'Imported')!;
    assert.ok(imported.timestamp >= historical && imported.timestamp <= historical + (after - before), `${imported.timestamp - historical} ms of correction`);
  });

  test('RudderStack without gzip, and with a wrong key: 401, the flush fails, nothing lands', async () => {
    const api = await startApi({ store });
    const plain = rudder(api, api.write, { gzip: false });
    plain.track({ userId: 'bo', event: 'Plain' });
    await plain.flush();
    assert.deepEqual(plain.errors, []);
    assert.deepEqual(await eventsOf(api, 'bo'), [['Plain', {}]]);

    const wrong = rudder(api, 'wm_write_not-a-real-key');
    wrong.track({ userId: 'cy', event: 'Lost' });
    await wrong.flush();
    assert.deepEqual(wrong.errors.map((e) => e.response?.status), [401]);
    assert.deepEqual(await eventsOf(api, 'cy'), []);
  });
});
