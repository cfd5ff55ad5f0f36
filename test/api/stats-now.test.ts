/** GET /v1/journeys/:id/stats over HTTP, on each store: who is in the journey now, where, and whether the conversion gap is chance. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtualClock } from '../../src/core/clock.ts';
import { T0, example, forEachStore } from '../helpers.ts';
import { startApi, type TestApi } from './helpers.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** The waiting count of each node that has users waiting, and the total in the journey. */
async function now(api: TestApi) {
  const stats = (await api.call('GET', '/v1/journeys/cart/stats')).body;
  const waiting = Object.fromEntries(stats.nodes.filter((n: { waiting: number }) => n.waiting > 0).map((n: { nodeId: string; waiting: number }) => [n.nodeId, n.waiting]));
  return { inJourneyNow: stats.totals.inJourneyNow, waiting, significance: stats.conversion.significance, stats };
}

await forEachStore((store) => {
  test('stats now: users in the journey and where they wait, control and pending users apart; the z-test once both groups converted', async () => {
    const api = await startApi({ store, clock: new VirtualClock(T0) });
    // The abandoned cart with 30% held out. FNV-1a buckets of ("cart", user), worked out by hand: kim 0, bo 10,
    // ana 17, gus 26 fall in the control group; eve 33, fay 59, dee 73, hal 78 and cy 81 do not.
    const definition = example('abandoned-cart');
    definition.setup = { ...definition.setup, controlGroupPercent: 30 };
    assert.equal((await api.call('POST', '/v1/journeys', { body: { id: 'cart', definition } })).status, 201);
    assert.equal((await api.call('POST', '/v1/journeys/cart/publish')).status, 200);
    const users = ['ana', 'bo', 'gus', 'kim', 'cy', 'dee', 'eve', 'hal', 'fay'];
    const traits = (u: string) => ({ email: `${u}@example.test`, pushToken: `tok-${u}`, ...(u === 'dee' ? {} : { phone: '+15550001' }) });
    await api.call('POST', '/v1/profiles', { key: api.write, body: { batch: users.map((userId) => ({ userId, traits: traits(userId) })) } });
    const send = (userId: string, event: string) => api.call('POST', '/v1/events', { key: api.write, body: { userId, event, messageId: `${event}-${userId}` } });
    for (const userId of users) await send(userId, 'Added to Cart');

    // Inside the 2-minute window all nine are pending: not in the journey yet.
    await api.runUntil(T0 + MIN);
    await send('fay', 'Charged'); // fay never qualifies
    assert.deepEqual(await now(api).then(({ inJourneyNow, waiting }) => ({ inJourneyNow, waiting })), { inJourneyNow: 0, waiting: {} });

    // T0 + 2m: eight qualify. ana, bo, gus and kim are held out; cy, dee, eve and hal get the push and wait 2 h.
    await api.runUntil(T0 + 2 * MIN);
    let seen = await now(api);
    assert.deepEqual([seen.inJourneyNow, seen.waiting], [4, { 'wait-2h-before-sms': 4 }]);
    assert.equal(seen.significance, null, 'nobody converted yet: a pooled rate of 0');
    assert.deepEqual(seen.stats.byVersion['1'].totals.inJourneyNow, 4);

    // T0 + 1h: eve and hal convert (and leave), and so does ana, in the control group.
    await api.runUntil(T0 + HOUR);
    for (const userId of ['eve', 'hal', 'ana']) await send(userId, 'Charged');
    seen = await now(api);
    assert.deepEqual([seen.inJourneyNow, seen.waiting], [2, { 'wait-2h-before-sms': 2 }]);
    // Target 2/4, control 1/4; pooled 3/8; SE = sqrt(3/8 * 5/8 * (1/4 + 1/4)) = 0.34233; z = 0.25 / 0.34233 = 0.7303;
    // p = 2 * (1 - 0.76740) = 0.4652 (normal table): a gap this size is chance at 4 users a side.
    assert.deepEqual(seen.significance, { z: 0.7303, pValue: 0.4652, significant: false });

    // T0 + 2h 2m: cy gets the SMS, dee (no phone) skips it; both wait 2 h for the email.
    await api.runUntil(T0 + 2 * HOUR + 2 * MIN);
    seen = await now(api);
    assert.deepEqual([seen.inJourneyNow, seen.waiting], [2, { 'wait-2h-before-email': 2 }]);
    assert.deepEqual(
      seen.stats.nodes.map((n: { nodeId: string; waiting: number }) => [n.nodeId, n.waiting]),
      [
        ['push-free-shipping', 0],
        ['wait-2h-before-sms', 0],
        ['sms-10-off', 0],
        ['wait-2h-before-email', 2],
        ['email-final-reminder', 0],
        ['done', 0],
      ],
    );

    // T0 + 5h: both had the email and left. bo, gus and kim are still watched as control users: not counted.
    await api.runUntil(T0 + 5 * HOUR);
    seen = await now(api);
    assert.deepEqual([seen.inJourneyNow, seen.waiting], [0, {}]);
  });
});
