/** GET /v1/journeys/:id/series over HTTP, on each store: local days and hours, control apart, zeros kept. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtualClock } from '../../src/core/clock.ts';
import { forEachStore } from '../helpers.ts';
import { path } from '../journeys.ts';
import { startApi, type TestApi } from './helpers.ts';

const S = Date.UTC(2026, 10, 1, 22, 50); // Sunday 1 November 2026, 22:50Z: 23:50 in Paris (+01:00), 04:20 on the 2nd in Kolkata (+05:30)
const MIN = 60_000;

/**
 * 30% held out. FNV-1a buckets of ("cart", user), worked out by hand: ana 17 and bo 10 fall in the control
 * group; cy 81 and dee 73 do not.
 */
const cart = path(
  'Cart',
  [
    { id: 'start', kind: 'entry', trigger: { type: 'action', event: 'Added to Cart' } },
    { id: 'wait-a-day', kind: 'delay', duration: '1d' },
    { id: 'done', kind: 'exit' },
  ],
  { setup: { controlGroupPercent: 30 }, goals: [{ id: 'purchase', event: 'Charged', exitOnGoal: true }] },
);

async function event(api: TestApi, at: number, userId: string, name: string) {
  await api.runUntil(at);
  const response = await api.call('POST', '/v1/events', { key: api.write, body: { userId, event: name, messageId: `${name}-${userId}` } });
  assert.deepEqual(response.body, { accepted: 1, duplicates: 0 });
}

const zero = { entered: 0, goal: 0, control: 0, controlGoal: 0 };

await forEachStore((store) => {
  test('series: entries where they entered, conversions where they converted, by the project’s local day or hour', async () => {
    const api = await startApi({ store, clock: new VirtualClock(S) });
    assert.equal((await api.call('POST', '/v1/journeys', { body: { id: 'cart', definition: cart } })).status, 201);
    assert.equal((await api.call('POST', '/v1/journeys/cart/publish')).status, 200);
    await event(api, S, 'cy', 'Added to Cart'); // 23:50 Paris, 1 Nov
    await event(api, S, 'ana', 'Added to Cart'); // held out
    await event(api, S + 20 * MIN, 'dee', 'Added to Cart'); // 23:10Z: 00:10 Paris, 2 Nov
    await event(api, S + 20 * MIN, 'bo', 'Added to Cart'); // held out
    await event(api, S + 30 * MIN, 'cy', 'Charged'); // 23:20Z: 00:20 Paris, 2 Nov; cy had entered on the 1st
    await event(api, Date.UTC(2026, 10, 2, 10), 'ana', 'Charged'); // 10:00Z, 11:00 Paris: a control conversion
    await api.runUntil(Date.UTC(2026, 10, 2, 12)); // now: 12:00Z, 13:00 Paris

    assert.equal((await api.call('PUT', '/v1/settings', { body: { timezone: 'Europe/Paris' } })).status, 200);
    const paris = await api.call('GET', '/v1/journeys/cart/series?days=2&bucket=day');
    assert.equal(paris.status, 200);
    assert.deepEqual(paris.body, {
      journeyId: 'cart',
      timezone: 'Europe/Paris',
      bucket: 'day',
      from: '2026-11-01T00:00:00.000+01:00',
      to: '2026-11-03T00:00:00.000+01:00',
      buckets: [
        { start: '2026-11-01T00:00:00.000+01:00', entered: 1, goal: 0, control: 1, controlGoal: 0 },
        { start: '2026-11-02T00:00:00.000+01:00', entered: 1, goal: 1, control: 1, controlGoal: 1 },
      ],
    });

    // The same records by UTC days: everything but ana's conversion happened on the 1st.
    assert.equal((await api.call('PUT', '/v1/settings', { body: {} })).status, 200);
    const utc = (await api.call('GET', '/v1/journeys/cart/series?days=3')).body; // bucket defaults to day
    assert.equal(utc.timezone, 'UTC');
    assert.deepEqual(
      utc.buckets.map((b: { start: string }) => b),
      [
        { start: '2026-10-31T00:00:00.000Z', ...zero },
        { start: '2026-11-01T00:00:00.000Z', entered: 2, goal: 1, control: 2, controlGoal: 0 },
        { start: '2026-11-02T00:00:00.000Z', entered: 0, goal: 0, control: 0, controlGoal: 1 },
      ],
    );

    // Hours in Kolkata (+05:30): they start at half past, UTC. 22:50Z, 23:10Z and 23:20Z all fall in 04:00-05:00 local.
    assert.equal((await api.call('PUT', '/v1/settings', { body: { timezone: 'Asia/Kolkata' } })).status, 200);
    const hours = (await api.call('GET', '/v1/journeys/cart/series?days=1&bucket=hour')).body;
    assert.equal(hours.buckets.length, 24);
    assert.equal(hours.from, '2026-11-01T18:00:00.000+05:30');
    assert.equal(hours.to, '2026-11-02T18:00:00.000+05:30');
    const busy = hours.buckets.filter((b: typeof zero) => b.entered + b.goal + b.control + b.controlGoal > 0);
    assert.deepEqual(busy, [
      { start: '2026-11-02T04:00:00.000+05:30', entered: 2, goal: 1, control: 2, controlGoal: 0 },
      { start: '2026-11-02T15:00:00.000+05:30', entered: 0, goal: 0, control: 0, controlGoal: 1 },
    ]);
    assert.deepEqual(hours.buckets[0], { start: '2026-11-01T18:00:00.000+05:30', ...zero });
  });

  test('series: bounded days, a known bucket, a known journey', async () => {
    const api = await startApi({ store, clock: new VirtualClock(S) });
    await api.call('POST', '/v1/journeys', { body: { id: 'cart', definition: cart } });
    const problem = async (query: string) => {
      const response = await api.call('GET', `/v1/journeys/cart/series?${query}`);
      assert.equal(response.status, 400, query);
      return response.body.problems.map((p: { path: string; in: string }) => `${p.in} ${p.path}`);
    };
    assert.deepEqual(await problem('days=0'), ['querystring /days']);
    assert.deepEqual(await problem('days=91'), ['querystring /days']);
    assert.deepEqual(await problem('days=1.5'), ['querystring /days']);
    assert.deepEqual(await problem('bucket=week'), ['querystring /bucket']);
    assert.deepEqual(await problem('days=15&bucket=hour'), ['querystring /days']);
    assert.deepEqual(await problem('days=2&since=x'), ['querystring /since']);
    const fortnight = await api.call('GET', '/v1/journeys/cart/series?days=14&bucket=hour');
    assert.equal(fortnight.body.buckets.length, 24 * 14, 'the most hours: 14 days of them, all zero');
    assert.equal((await api.call('GET', '/v1/journeys/cart/series?days=90')).body.buckets.length, 90);
    const unknown = await api.call('GET', '/v1/journeys/nope/series');
    assert.deepEqual([unknown.status, unknown.body.message], [404, 'no journey "nope"']);
  });
});
