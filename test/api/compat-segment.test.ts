/**
 * Segment's HTTP Tracking API, driven by the unmodified @segment/analytics-node SDK pointed at a real server
 * on loopback, and by hand-made requests for what the SDK never sends (body keys, gzip, fixed sentAt).
 */
import { Analytics } from '@segment/analytics-node';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { VirtualClock } from '../../src/core/clock.ts';
import { T0, example, forEachStore } from '../helpers.ts';
import { startApi, type TestApi } from './helpers.ts';

const MIN = 60_000;

/** The SDK as a team would configure it, but pointed at `api`, with no retries and no timer flushes: the test flushes. */
function segment(api: TestApi, writeKey: string) {
  const analytics = new Analytics({ writeKey, host: api.url, maxRetries: 0, flushInterval: 3_600_000 });
  const statuses: number[] = [];
  const errors: unknown[] = [];
  analytics.on('http_response', (response) => statuses.push(response.status));
  analytics.on('error', (error) => errors.push(error));
  return { analytics, statuses, errors };
}

/** A hand-made request: `body` is sent as given (a string or a Buffer) or as JSON. */
async function post(api: TestApi, path: string, { headers = {}, body }: { headers?: Record<string, string>; body: unknown }) {
  const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const response = await fetch(`${api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof payload === 'string' ? payload : new Blob([new Uint8Array(payload)]) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

async function eventsOf(api: TestApi, userId: string) {
  const events = await api.waymark.store.userEvents(userId, 100);
  return events.map((e) => [e.name, e.properties]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
}

await forEachStore((store) => {
  test('the Segment SDK: identify, track, page, screen, alias and group land as profiles and events', async () => {
    const api = await startApi({ store });
    const { analytics, statuses, errors } = segment(api, api.write);
    const historical = Date.UTC(2026, 0, 1, 12, 0, 0);
    analytics.identify({ userId: 'ana', traits: { name: 'Ana', email: 'ana@example.test', plan: 'gold' }, context: { timezone: 'Europe/Paris' } });
    analytics.track({ userId: 'ana', event: 'Added to Cart', properties: { sku: 'shoe-1', price: 40 }, messageId: 'seg-cart-1' });
    analytics.track({ userId: 'ana', event: 'Added to Cart', properties: { sku: 'shoe-1', price: 40 }, messageId: 'seg-cart-1' }); // a retry
    analytics.track({ userId: 'ana', event: 'Imported', timestamp: new Date(historical), messageId: 'seg-old' });
    analytics.page({ userId: 'ana', name: 'Pricing' });
    analytics.page({ userId: 'ana', category: 'Docs', name: 'Setup', properties: { path: '/docs/setup' } });
    analytics.page({ userId: 'ana' });
    analytics.screen({ userId: 'ana', name: 'Cart' });
    analytics.alias({ userId: 'ana', previousId: 'anon-7' });
    analytics.group({ userId: 'ana', groupId: 'acme', traits: { employees: 40 } });
    analytics.track({ anonymousId: 'anon-9', event: 'Viewed Product', properties: { sku: 'hat' } });
    const before = Date.now();
    await analytics.closeAndFlush();
    const after = Date.now();

    assert.deepEqual(errors, []);
    assert.deepEqual(statuses, [200], 'one batch, accepted');
    assert.deepEqual(await eventsOf(api, 'ana'), [
      ['Added to Cart', { sku: 'shoe-1', price: 40 }],
      ['Alias', { previousId: 'anon-7' }],
      ['Imported', {}],
      ['Loaded a Page', {}],
      ['Viewed Cart Screen', { name: 'Cart' }],
      ['Viewed Docs Setup Page', { name: 'Setup', category: 'Docs', path: '/docs/setup' }],
      ['Viewed Pricing Page', { name: 'Pricing' }],
    ]);
    assert.deepEqual(await eventsOf(api, 'anon-9'), [['Viewed Product', { sku: 'hat' }]], 'an anonymous user is keyed by the anonymous id');
    const ana = await api.call('GET', '/v1/users/ana');
    assert.deepEqual(ana.body.traits, { name: 'Ana', email: 'ana@example.test', plan: 'gold', timezone: 'Europe/Paris' });

    // The historical event keeps its time, moved by the time between the SDK's send and the server's receipt.
    const imported = (await api.waymark.store.userEvents('ana', 100)).find((e) => e.messageId === 'seg-old')!;
    assert.ok(imported.timestamp >= historical && imported.timestamp <= historical + (after - before), `${imported.timestamp - historical} ms of correction`);
  });

  test('keys: HTTP Basic, bearer or writeKey in the body; a wrong key is 401 and stores nothing; unknown routes are 404', async () => {
    const api = await startApi({ store });
    const wrong = segment(api, 'wm_write_not-a-real-key');
    wrong.analytics.track({ userId: 'ana', event: 'Lost' });
    await wrong.analytics.closeAndFlush();
    assert.deepEqual(wrong.statuses, [401]);
    assert.equal(wrong.errors.length, 1, 'the SDK reports the failed delivery');
    assert.deepEqual(await api.waymark.store.userEvents('ana', 10), []);

    const track = (messageId: string) => ({ userId: 'bo', event: 'Signed Up', messageId });
    assert.deepEqual(await post(api, '/v1/track', { headers: { authorization: basic(api.write) }, body: track('k-1') }), { status: 200, body: { success: true } });
    assert.equal((await post(api, '/v1/track', { headers: { authorization: `Bearer ${api.write}` }, body: track('k-2') })).status, 200);
    assert.equal((await post(api, '/v1/track', { body: { ...track('k-3'), writeKey: api.write } })).status, 200);
    assert.equal((await post(api, '/v1/track', { headers: { authorization: basic(api.admin) }, body: track('k-4') })).status, 200, 'the admin key may ingest too');
    assert.deepEqual((await api.waymark.store.userEvents('bo', 10)).map((e) => e.messageId).sort(), ['k-1', 'k-2', 'k-3', 'k-4']);

    const none = await post(api, '/v1/track', { body: track('k-5') });
    assert.equal(none.status, 401);
    assert.match(none.body.message, /HTTP Basic with the write key as the user name/);
    const badBody = await post(api, '/v1/track', { body: { ...track('k-6'), writeKey: 'nope' } });
    assert.deepEqual([badBody.status, badBody.body.message], [401, 'invalid API key']);
    const badBasic = await post(api, '/v1/track', { headers: { authorization: basic('nope') }, body: { ...track('k-7'), writeKey: api.write } });
    assert.equal(badBasic.status, 401, 'a key in the header decides; the body key is not a second chance');
    assert.deepEqual((await api.waymark.store.userEvents('bo', 10)).length, 4);

    // A route that does not exist is 404 whoever asks (the SDK's /v1/batch used to get a 403 asking for the admin key).
    for (const key of [api.write, null]) {
      const missing = await api.call('POST', '/v1/nope', { key, body: {} });
      assert.deepEqual([missing.status, missing.body.message], [404, 'no route POST /v1/nope']);
    }
    assert.equal((await api.call('GET', '/v1/journeys', { key: api.write })).status, 403, 'a real admin route still needs the admin key');
  });

  test('gzip bodies of any content type; bad gzip is 400, a zip bomb 413, another encoding 415', async () => {
    const api = await startApi({ store });
    const batch = { batch: [{ type: 'track', userId: 'cy', event: 'Zipped', messageId: 'z-1' }] };
    const headers = { authorization: basic(api.write), 'content-encoding': 'gzip' };
    for (const type of ['application/json', 'application/x-www-form-urlencoded', 'text/plain']) {
      const zipped = await post(api, '/v1/batch', { headers: { ...headers, 'content-type': type }, body: gzipSync(JSON.stringify(batch)) });
      assert.deepEqual(zipped, { status: 200, body: { success: true } }, type);
    }
    assert.deepEqual(await eventsOf(api, 'cy'), [['Zipped', {}]], 'three deliveries of one messageId: one event');

    const corrupt = await post(api, '/v1/batch', { headers, body: Buffer.from('not gzip at all') });
    assert.equal(corrupt.status, 400);
    assert.match(corrupt.body.message, /not valid gzip/);
    // 2 MB of JSON that compresses to a few KB: refused once the decoded bytes pass the 500 KB batch limit.
    const bomb = gzipSync(JSON.stringify({ batch: [], padding: ' '.repeat(2_000_000) }));
    assert.ok(bomb.length < 10_000);
    const exploded = await post(api, '/v1/batch', { headers, body: bomb });
    assert.equal(exploded.status, 413);
    assert.match(exploded.body.message, /limit of 512000 bytes/);
    const brotli = await post(api, '/v1/batch', { headers: { ...headers, 'content-encoding': 'br' }, body: JSON.stringify(batch) });
    assert.equal(brotli.status, 415);
  });

  test('sentAt corrects the client clock: timestamp + (receivedAt - sentAt)', async () => {
    // The server's clock is at T0; the client's runs 10 minutes slow.
    const api = await startApi({ store, clock: new VirtualClock(T0) });
    const slow = (ms: number) => new Date(ms - 10 * MIN).toISOString();
    const response = await post(api, '/v1/batch', {
      headers: { authorization: basic(api.write) },
      body: {
        sentAt: slow(T0),
        batch: [
          { type: 'track', userId: 'dee', event: 'Five Minutes Ago', messageId: 's-1', timestamp: slow(T0 - 5 * MIN) },
          { type: 'track', userId: 'dee', event: 'Own SentAt', messageId: 's-2', originalTimestamp: slow(T0 - 3 * MIN), sentAt: slow(T0 - 1 * MIN) },
          { type: 'track', userId: 'dee', event: 'Now', messageId: 's-3' },
        ],
      },
    });
    assert.deepEqual(response, { status: 200, body: { success: true } });
    // Without sentAt the client's time is taken as is.
    await post(api, '/v1/track', { headers: { authorization: basic(api.write) }, body: { userId: 'dee', event: 'As Is', messageId: 's-4', timestamp: '2026-10-01T00:00:00Z' } });
    const stored = await api.waymark.store.userEvents('dee', 10);
    assert.deepEqual(Object.fromEntries(stored.map((e) => [e.name, e.timestamp])), {
      'Five Minutes Ago': T0 - 5 * MIN,
      'Own SentAt': T0 - 2 * MIN, // sent "1 minute before T0" by its own sentAt, received at T0: moved 1 + 10 minutes
      Now: T0,
      'As Is': Date.UTC(2026, 9, 1),
    });
  });

  test('a batch with a bad message is refused whole, naming every bad field', async () => {
    const api = await startApi({ store });
    const auth = { authorization: basic(api.write) };
    const response = await post(api, '/v1/batch', {
      headers: auth,
      body: {
        batch: [
          { type: 'track', userId: 'eve', event: 'Fine', messageId: 'b-1' },
          { type: 'track', event: 'Nobody' },
          { type: 'track', userId: 'eve' },
          { type: 'identify', userId: 'eve', traits: { email: 7, timezone: 'Mars/Olympus' } },
          { type: 'page', userId: 'eve', context: { timezone: 'Nowhere/Land' } },
          { type: 'alias', userId: 'eve' },
          { type: 'shout', userId: 'eve' },
          { type: 'track', userId: 'eve', event: 'Huge', properties: { blob: 'x'.repeat(33_000) } },
        ],
      },
    });
    assert.equal(response.status, 400);
    assert.deepEqual(response.body.problems, [
      { path: '/batch/4/context/timezone', message: 'must be an IANA time zone, e.g. "Europe/Paris"' },
      { path: '/batch/6/type', message: 'must be one of "track", "identify", "page", "screen", "group", "alias"' },
    ]);
    // Schema problems come first; once the shapes are right, the rules of each type.
    const typed = await post(api, '/v1/batch', {
      headers: auth,
      body: {
        batch: [
          { type: 'track', userId: 'eve', event: 'Fine', messageId: 'b-1' },
          { type: 'track', event: 'Nobody' },
          { type: 'track', userId: 'eve' },
          { type: 'identify', userId: 'eve', traits: { email: 7, timezone: 'Mars/Olympus' } },
          { type: 'alias', userId: 'eve' },
          { type: 'track', userId: 'eve', event: 'Huge', properties: { blob: 'x'.repeat(33_000) } },
          { type: 'identify', userId: 'eve', context: { traits: 'vip' } },
        ],
      },
    });
    assert.equal(typed.status, 400);
    assert.deepEqual(typed.body.problems, [
      { path: '/batch/1/userId', message: 'missing: send userId or anonymousId' },
      { path: '/batch/2/event', message: 'missing required field event' },
      { path: '/batch/3/traits/email', message: 'must be a string or null' },
      { path: '/batch/3/traits/timezone', message: 'must be an IANA time zone, e.g. "Europe/Paris"' },
      { path: '/batch/4/previousId', message: 'missing required field previousId' },
      { path: '/batch/5', message: "is larger than 32768 bytes, Segment's limit for one message" },
      { path: '/batch/6/context/traits', message: 'must be object' },
    ]);
    assert.deepEqual(await api.waymark.store.userEvents('eve', 10), [], 'nothing stored');
    assert.equal((await api.call('GET', '/v1/users/eve')).status, 404, 'no profile either');

    const wrongType = await post(api, '/v1/track', { headers: auth, body: { type: 'identify', userId: 'eve', event: 'X' } });
    assert.deepEqual(wrongType.body.problems, [{ path: '/type', message: 'must be "track" on /v1/track' }]);
    const tooBig = await post(api, '/v1/track', { headers: auth, body: { userId: 'eve', event: 'Big', properties: { blob: 'x'.repeat(33_000) } } });
    assert.equal(tooBig.status, 413);
    assert.match(tooBig.body.message, /limit of 32768 bytes/);
  });

  test('a Segment track call enters the abandoned cart journey', async () => {
    const api = await startApi({ store, clock: new VirtualClock(T0) });
    assert.equal((await api.call('POST', '/v1/journeys', { body: { id: 'cart', definition: example('abandoned-cart') } })).status, 201);
    assert.equal((await api.call('POST', '/v1/journeys/cart/publish')).status, 200);
    const { analytics, statuses } = segment(api, api.write);
    analytics.identify({ userId: 'ana', traits: { name: 'Ana', email: 'ana@example.test', phone: '+15550001', pushToken: 'tok-ana' } });
    analytics.identify({ userId: 'bo', traits: { name: 'Bo', pushToken: 'tok-bo' } });
    const cart = { event: 'Added to Cart', properties: { productName: 'Trail Running Shoes', price: 89.99, currency: 'USD' } };
    analytics.track({ userId: 'ana', ...cart });
    analytics.track({ userId: 'bo', ...cart });
    analytics.track({ userId: 'bo', event: 'Charged' }); // bo pays within the 2-minute window: never abandons
    await analytics.closeAndFlush();
    assert.deepEqual(statuses, [200]);

    await api.runUntil(T0 + 2 * MIN);
    const messages = async (userId: string) => (await api.call('GET', `/v1/users/${userId}/messages`)).body.messages as { nodeId: string; status: string; content: { body: string; to: string } }[];
    const ana = await messages('ana');
    assert.deepEqual(ana.map((m) => [m.nodeId, m.status, m.content.to]), [['push-free-shipping', 'sent', 'tok-ana']]);
    assert.equal(ana[0]!.content.body, 'Hi Ana, your Trail Running Shoes is waiting. Free shipping if you check out today.');
    assert.deepEqual(await messages('bo'), []);
  });
});

test('the Segment routes are in the OpenAPI document, tagged', async () => {
  const api = await startApi();
  const doc = (await api.call('GET', '/openapi.json', { key: null })).body;
  for (const type of ['track', 'identify', 'page', 'screen', 'group', 'alias', 'batch']) {
    const operation = doc.paths[`/v1/${type}`].post;
    assert.deepEqual(operation.tags, ['segment'], type);
    assert.deepEqual(operation.security, [{ bearer: [] }, { writeKeyBasic: [] }]);
  }
  assert.deepEqual(doc.components.securitySchemes.writeKeyBasic, {
    type: 'http',
    scheme: 'basic',
    description: 'Segment and RudderStack SDKs: the write key as the user name, an empty password',
  });
  assert.match(JSON.stringify(doc.paths['/v1/batch'].post.requestBody), /anonymousId/);
});
