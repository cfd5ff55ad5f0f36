/**
 * Requests per API key: a bucket per key (here 2 a second, bursts of 3, on a clock the test moves), 429 with
 * Retry-After and the limit named when it is empty, each key counted apart, the dashboard's session and keyless
 * routes not counted; and the default on a server built without options.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RATE_LIMIT } from '../../src/api/rate-limit.ts';
import { startApi } from './helpers.ts';

const event = (n: number) => ({ userId: 'ana', event: 'Viewed', messageId: `m${n}` });

test('a key gets its burst, then 429 with Retry-After until its bucket refills; another key is counted apart', async () => {
  let now = 1_000_000;
  const api = await startApi({ rateLimit: { perSecond: 2, burst: 3 }, rateLimitClock: () => now });
  const send = (n: number, key = api.write) => api.call('POST', '/v1/events', { key, body: event(n) });
  for (const n of [1, 2, 3]) assert.equal((await send(n)).status, 200, `request ${n} of the burst`);
  const refused = await send(4);
  assert.equal(refused.status, 429);
  assert.equal(refused.body.message, 'too many requests with this key: at most 2 a second (bursts of 3); retry after 1 s');
  const raw = await fetch(`${api.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${api.write}`, 'content-type': 'application/json' }, body: JSON.stringify(event(5)) });
  assert.deepEqual([raw.status, raw.headers.get('retry-after')], [429, '1']);
  assert.equal((await api.waymark.store.userEvents('ana', 10)).length, 3, 'a refused request stores nothing');

  // The admin key has a bucket of its own.
  assert.equal((await api.call('GET', '/v1/journeys')).status, 200);
  // Half a second refills one request (2 a second), not two.
  now += 500;
  assert.equal((await send(6)).status, 200);
  assert.equal((await send(7)).status, 429);
  // Two seconds: full again, but never more than the burst.
  now += 10_000;
  for (const n of [8, 9, 10]) assert.equal((await send(n)).status, 200);
  assert.equal((await send(11)).status, 429);
  // A wrong key is refused as a wrong key (401), not counted.
  assert.equal((await send(12, 'wm_write_nope')).status, 401);
  // Keyless routes are not counted.
  for (let i = 0; i < 5; i++) assert.equal((await api.call('GET', '/health', { key: null })).status, 200);
});

test('by default a key gets bursts of 1,000 (500 a second); null turns the limit off', async () => {
  assert.deepEqual(DEFAULT_RATE_LIMIT, { perSecond: 500, burst: 1_000 });
  const frozen = () => 0;
  /** The statuses of `n` cheap admin reads, injected (no sockets: a thousand cost little), on a clock that does not move. */
  const statuses = async (api: Awaited<ReturnType<typeof startApi>>, n: number) => {
    const seen: number[] = [];
    for (let i = 0; i < n; i++) seen.push((await api.server.inject({ method: 'GET', url: '/v1/settings', headers: { authorization: `Bearer ${api.admin}` } })).statusCode);
    return seen;
  };
  const limited = await startApi({ rateLimitClock: frozen });
  const byDefault = await statuses(limited, 1_001);
  assert.deepEqual([byDefault.filter((s) => s === 200).length, byDefault.filter((s) => s === 429).length], [1_000, 1]);
  const off = await startApi({ rateLimit: null, rateLimitClock: frozen });
  assert.ok((await statuses(off, 1_001)).every((s) => s === 200));
});
