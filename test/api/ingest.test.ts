import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachStore } from '../helpers.ts';
import { startApi } from './helpers.ts';

await forEachStore((store) => {
  test('events: one, a batch, and duplicates by messageId', async () => {
    const api = await startApi({ store });
    const one = await api.call('POST', '/v1/events', {
      key: api.write,
      body: { userId: 'ana', event: 'Viewed', messageId: 'e-1', timestamp: '2026-11-02T15:00:00.000Z', properties: { page: '/shoes' } },
    });
    assert.deepEqual([one.status, one.body], [200, { accepted: 1, duplicates: 0 }]);

    const batch = await api.call('POST', '/v1/events', {
      key: api.write,
      body: {
        batch: [
          { userId: 'ana', event: 'Viewed', messageId: 'e-1' }, // a retry of the one above
          { userId: 'ana', event: 'Added to Cart', messageId: 'e-2', timestamp: Date.UTC(2026, 10, 2, 15, 1) },
          { userId: 'bo', event: 'Viewed', messageId: 'e-3' },
          { userId: 'bo', event: 'Viewed', messageId: 'e-3' }, // twice in one batch
        ],
      },
    });
    assert.deepEqual(batch.body, { accepted: 2, duplicates: 2 });

    const stored = await api.waymark.store.userEvents('ana', 10);
    assert.deepEqual(
      stored.map((e) => [e.messageId, e.name, e.timestamp, e.properties]).sort(),
      [
        ['e-1', 'Viewed', Date.UTC(2026, 10, 2, 15, 0), { page: '/shoes' }],
        ['e-2', 'Added to Cart', Date.UTC(2026, 10, 2, 15, 1), {}],
      ],
    );
    const overHttp = await api.call('GET', '/v1/users/ana/events?limit=1');
    assert.deepEqual(overHttp.body.events.map((e: { messageId: string }) => e.messageId), ['e-2'], 'newest first, limited');

    // Without a messageId every request is a new event: the server cannot tell a retry from a repeat.
    const before = Date.now();
    for (let i = 0; i < 2; i++) assert.equal((await api.call('POST', '/v1/events', { key: api.write, body: { userId: 'cy', event: 'Ping' } })).body.accepted, 1);
    const pings = await api.waymark.store.userEvents('cy', 10);
    assert.equal(new Set(pings.map((e) => e.messageId)).size, 2);
    assert.ok(pings.every((e) => e.timestamp >= before && e.timestamp <= Date.now()), 'timestamp defaults to now');
  });

  test('a batch with one bad event is refused whole, naming every bad field', async () => {
    const api = await startApi({ store });
    const response = await api.call('POST', '/v1/events', {
      key: api.write,
      body: {
        batch: [
          { userId: 'ana', event: 'Viewed', messageId: 'ok-1' },
          { userId: 'ana', event: 'Viewed', messageId: 'ok-2' },
          { userId: 'ana', event: 'Viewed', messageId: 'ok-3' },
          { event: 'Viewed', timestamp: 'yesterday', propertys: {} },
          { userId: 'bo', event: '', timestamp: -5, properties: 'big' },
        ],
      },
    });
    assert.equal(response.status, 400);
    assert.equal(response.body.error, 'Bad Request');
    assert.match(response.body.message, /\/batch\/3\/propertys/);
    assert.deepEqual(response.body.problems, [
      { path: '/batch/3/propertys', message: 'unknown field propertys' },
      { path: '/batch/3/timestamp', message: 'must be an ISO 8601 date-time with a zone, e.g. "2026-11-02T15:00:00Z"' },
      { path: '/batch/3/userId', message: 'missing required field userId' },
      { path: '/batch/4/event', message: 'must NOT have fewer than 1 characters' },
      { path: '/batch/4/properties', message: 'must be object' },
      { path: '/batch/4/timestamp', message: 'must be >= 0' },
    ]);
    assert.deepEqual(await api.waymark.store.userEvents('ana', 10), [], 'nothing stored');

    const single = await api.call('POST', '/v1/events', { key: api.write, body: { userId: 'ana' } });
    assert.deepEqual(single.body.problems, [{ path: '/event', message: 'missing required field event' }], 'a single event is reported as one, not as a batch');
    const wrongType = await api.call('POST', '/v1/events', { key: api.write, body: { userId: 42, event: 'Viewed' } });
    assert.deepEqual(wrongType.body.problems, [{ path: '/userId', message: 'must be string' }], 'no coercion of body values');
  });

  test('limits: more events than the batch allows is 400 naming the batch', async () => {
    const api = await startApi({ store, maxBatch: 5 });
    const events = (n: number) => Array.from({ length: n }, (_, i) => ({ userId: 'u', event: 'E', messageId: `m-${n}-${i}` }));
    assert.deepEqual((await api.call('POST', '/v1/events', { key: api.write, body: { batch: events(5) } })).body, { accepted: 5, duplicates: 0 });
    const tooMany = await api.call('POST', '/v1/events', { key: api.write, body: { batch: events(6) } });
    assert.equal(tooMany.status, 400);
    assert.deepEqual(tooMany.body.problems, [{ path: '/batch', message: 'must NOT have more than 5 items' }]);
    assert.equal((await api.waymark.store.userEvents('u', 100)).length, 5);
  });

  test('the default body limit is 1 MiB: a body of exactly 1,048,576 bytes is taken, one byte more is 413', async () => {
    const api = await startApi({ store });
    // An event whose JSON is `size` bytes: the blob of ASCII "x" fills what the rest leaves.
    const body = (messageId: string, size: number) => {
      const frame = JSON.stringify({ userId: 'u', event: 'E', messageId, properties: { blob: '' } });
      const text = JSON.stringify({ userId: 'u', event: 'E', messageId, properties: { blob: 'x'.repeat(size - frame.length) } });
      assert.equal(Buffer.byteLength(text), size);
      return text;
    };
    const atLimit = await api.call('POST', '/v1/events', { key: api.write, raw: body('at-limit', 1024 * 1024) });
    assert.deepEqual([atLimit.status, atLimit.body], [200, { accepted: 1, duplicates: 0 }]);
    const over = await api.call('POST', '/v1/events', { key: api.write, raw: body('over', 1024 * 1024 + 1) });
    assert.equal(over.status, 413);
    assert.match(over.body.message, /larger than the limit of 1048576 bytes/);
    const stored = await api.waymark.store.userEvents('u', 10);
    assert.deepEqual(stored.map((e) => e.messageId), ['at-limit'], 'the body over the limit stored nothing');
    assert.equal((stored[0]!.properties.blob as string).length, 1024 * 1024 - JSON.stringify({ userId: 'u', event: 'E', messageId: 'at-limit', properties: { blob: '' } }).length);
  });

  test('profiles: upsert one or a batch, traits merge, and a bad time zone is refused', async () => {
    const api = await startApi({ store });
    const one = await api.call('POST', '/v1/profiles', {
      key: api.write,
      body: { userId: 'ana', traits: { name: 'Ana', email: 'ana@example.test', timezone: 'Europe/Paris', plan: 'gold' } },
    });
    assert.deepEqual([one.status, one.body], [200, { updated: 1 }]);
    const batch = await api.call('POST', '/v1/profiles', {
      key: api.write,
      body: { batch: [{ userId: 'ana', traits: { phone: '+15550001', plan: null } }, { userId: 'bo', traits: { pushToken: 'tok-bo' } }] },
    });
    assert.deepEqual(batch.body, { updated: 2 });
    const ana = await api.call('GET', '/v1/users/ana');
    assert.deepEqual(ana.body.traits, { name: 'Ana', email: 'ana@example.test', timezone: 'Europe/Paris', phone: '+15550001' });

    const bad = await api.call('POST', '/v1/profiles', {
      key: api.write,
      body: { batch: [{ userId: 'cy', traits: { name: 'Cy' } }, { userId: 'dee', traits: { timezone: 'Mars/Olympus_Mons', email: 7 } }] },
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.problems, [
      { path: '/batch/1/traits/email', message: 'must be a string or null' },
      { path: '/batch/1/traits/timezone', message: 'must be an IANA time zone, e.g. "Europe/Paris"' },
    ]);
    assert.equal((await api.call('GET', '/v1/users/cy')).status, 404, 'the good profile of a refused batch is not stored either');
  });
});
