/** POST /v1/journeys/:id/backtest over HTTP, on each store: a definition replayed over the recorded events, the live store untouched. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backtest } from '../../src/sim/backtest.ts';
import { ConflictError } from '../../src/app/journeys.ts';
import { VirtualClock } from '../../src/core/clock.ts';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import { T0, example, forEachStore } from '../helpers.ts';
import { startApi, type TestApi } from './helpers.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * The abandoned cart as shipped, live: ana, bo (no phone), cy and dee put a cart in at T0; cy pays a minute
 * later (never qualifies), dee an hour after the push. By T0 + 6h everyone is through.
 */
async function liveCart(store: 'sqlite' | 'postgres'): Promise<TestApi> {
  const api = await startApi({ store, clock: new VirtualClock(T0) });
  assert.equal((await api.call('POST', '/v1/journeys', { body: { id: 'cart', definition: example('abandoned-cart') } })).status, 201);
  assert.equal((await api.call('POST', '/v1/journeys/cart/publish')).status, 200);
  const full = (name: string) => ({ name, email: `${name}@example.test`, phone: '+15550001', pushToken: `tok-${name}` });
  const batch = [
    { userId: 'ana', traits: full('ana') },
    { userId: 'bo', traits: { name: 'bo', email: 'bo@example.test', pushToken: 'tok-bo' } },
    { userId: 'cy', traits: full('cy') },
    { userId: 'dee', traits: full('dee') },
  ];
  assert.equal((await api.call('POST', '/v1/profiles', { key: api.write, body: { batch } })).status, 200);
  const send = (userId: string, event: string) => api.call('POST', '/v1/events', { key: api.write, body: { userId, event, messageId: `${event}-${userId}` } });
  for (const userId of ['ana', 'bo', 'cy', 'dee']) await send(userId, 'Added to Cart');
  await api.runUntil(T0 + MIN);
  await send('cy', 'Charged');
  await api.runUntil(T0 + HOUR + 2 * MIN);
  await send('dee', 'Charged');
  await api.runUntil(T0 + 6 * HOUR);
  return api;
}

/** A node's line of the stats, zeros but for `counts`. */
const node = (nodeId: string, kind: string, counts: Record<string, unknown> = {}) => ({ nodeId, kind, entered: 0, sent: 0, failed: 0, skipped: 0, skippedBy: {}, opened: 0, clicked: 0, missed: 0, goal: 0, waiting: 0, ...counts });
const totals = (counts: Record<string, number>) => ({ qualified: 0, entered: 0, control: 0, notQualified: 0, goal: 0, controlGoal: 0, timedOut: 0, completed: 0, stopped: 0, merged: 0, inJourneyNow: 0, ...counts });

/** What the live store holds that a backtest could change: the message log, the stats, a user's events and journeys. */
async function liveState(api: TestApi) {
  const [messages, stats, events, journeys] = await Promise.all([
    api.call('GET', '/v1/messages?limit=1000'),
    api.call('GET', '/v1/journeys/cart/stats'),
    api.call('GET', '/v1/users/ana/events'),
    api.call('GET', '/v1/users/ana/journeys'),
  ]);
  return { messages: messages.body, stats: stats.body, events: events.body, journeys: journeys.body };
}

await forEachStore((store) => {
  test('backtest of the draft: the live run again, from the recorded events and profiles, and nothing written', async () => {
    const api = await liveCart(store);
    const before = await liveState(api);
    assert.equal(before.messages.messages.length, 3 + 2 + 2, 'live: 3 pushes, 2 SMS (one skipped), 2 emails');

    const response = await api.call('POST', '/v1/journeys/cart/backtest', { body: { days: 1 } });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const { stats, ...rest } = response.body;
    // The window is the day before the request (T0 + 6h = 2026-11-02T21:00Z): 4 carts and 2 payments of 4 users.
    assert.deepEqual(rest, { journeyId: 'cart', from: '2026-11-01T21:00:00.000Z', to: '2026-11-02T21:00:00.000Z', events: 6, users: 4, profiles: 4, truncated: false, maxEvents: 1_000_000 });
    // By hand, as it went live: cy never qualifies; ana, bo and dee get the push; dee pays while waiting for the
    // SMS; ana gets the SMS, bo has no phone; both get the email and are done.
    assert.deepEqual(stats.totals, totals({ qualified: 3, entered: 3, notQualified: 1, goal: 1, completed: 2 }));
    assert.deepEqual(stats.nodes, [
      node('push-free-shipping', 'send', { entered: 3, sent: 3 }),
      node('wait-2h-before-sms', 'delay', { entered: 3, goal: 1 }),
      node('sms-10-off', 'send', { entered: 2, sent: 1, skipped: 1, skippedBy: { no_phone: 1 } }),
      node('wait-2h-before-email', 'delay', { entered: 2 }),
      node('email-final-reminder', 'send', { entered: 2, sent: 2 }),
      node('done', 'exit', { entered: 2 }),
    ]);
    assert.deepEqual(stats.conversion, { target: { entered: 3, converted: 1, rate: 0.3333 }, control: { users: 0, converted: 0, rate: null }, uplift: null, significance: null });
    assert.deepEqual(stats, before.stats, 'the same as the live stats');
    assert.deepEqual(await liveState(api), before, 'the live store is as it was');
  });

  test('backtest of another definition: its own timings, and users still waiting at the end of the window', async () => {
    const api = await liveCart(store);
    const before = await liveState(api);
    // The SMS 30 minutes after the push, then 10 hours before the email.
    const definition: JourneyDefinition = example('abandoned-cart');
    definition.nodes = definition.nodes.map((n) =>
      n.id === 'wait-2h-before-sms' ? { ...n, duration: '30m' } : n.id === 'wait-2h-before-email' ? { ...n, duration: '10h' } : n,
    ) as JourneyDefinition['nodes'];
    const response = await api.call('POST', '/v1/journeys/cart/backtest', { body: { days: 1, definition } });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const { stats } = response.body;
    // By hand: pushes at T0 + 2m, SMS at T0 + 32m to ana and dee (bo: no phone), then 10 hours to wait. dee pays
    // at T0 + 1h 2m, while waiting; ana and bo are still waiting when the window ends at T0 + 6h.
    assert.deepEqual(stats.totals, totals({ qualified: 3, entered: 3, notQualified: 1, goal: 1, inJourneyNow: 2 }));
    assert.deepEqual(stats.nodes, [
      node('push-free-shipping', 'send', { entered: 3, sent: 3 }),
      node('wait-2h-before-sms', 'delay', { entered: 3 }),
      node('sms-10-off', 'send', { entered: 3, sent: 2, skipped: 1, skippedBy: { no_phone: 1 } }),
      node('wait-2h-before-email', 'delay', { entered: 3, goal: 1, waiting: 2 }),
      node('email-final-reminder', 'send'),
      node('done', 'exit'),
    ]);
    assert.deepEqual(await liveState(api), before, 'the live store is as it was');
  });

  test('backtest: a definition that does not validate gets the problems POST /v1/journeys/validate lists; bad days, unknown journeys', async () => {
    const api = await liveCart(store);
    const broken = { name: 'broken', nodes: [{ id: 'in', kind: 'entry', trigger: { type: 'action', event: 'A' } }, { id: 'p', kind: 'send', channel: 'fax' }], edges: [{ from: 'in', to: 'p' }] };
    const refused = await api.call('POST', '/v1/journeys/cart/backtest', { body: { days: 1, definition: broken } });
    assert.equal(refused.status, 400);
    const validated = await api.call('POST', '/v1/journeys/validate', { body: { definition: broken } });
    assert.equal(validated.body.valid, false);
    assert.deepEqual(refused.body.problems, validated.body.problems);
    assert.ok(refused.body.problems.every((p: { path: string }) => p.path.startsWith('/definition/')), JSON.stringify(refused.body.problems));

    for (const body of [{}, { days: 0 }, { days: 91 }, { days: 1.5 }, { days: '1' }]) {
      const response = await api.call('POST', '/v1/journeys/cart/backtest', { body });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.deepEqual(response.body.problems.map((p: { path: string }) => p.path), ['/days'], JSON.stringify(body));
    }
    const extra = await api.call('POST', '/v1/journeys/cart/backtest', { body: { days: 1, dryRun: true } });
    assert.equal(extra.status, 400);
    const unknown = await api.call('POST', '/v1/journeys/nope/backtest', { body: { days: 1 } });
    assert.deepEqual([unknown.status, unknown.body.message], [404, 'no journey "nope"']);
  });

  test('backtest beyond its limit reads the first events received and says so; one backtest at a time', async () => {
    const api = await liveCart(store);
    // 4 events at most: the 4 carts (received first), not the payments. cy, who paid inside the window, now
    // qualifies like ana and bo; dee, who paid later, too: 4 enter, nobody converts.
    const cut = await backtest(api.waymark, 'cart', { days: 1 }, { maxEvents: 4 });
    assert.deepEqual([cut.events, cut.users, cut.truncated, cut.maxEvents], [4, 4, true, 4]);
    assert.deepEqual(cut.stats.totals, totals({ qualified: 4, entered: 4, completed: 4 }));
    assert.equal((await backtest(api.waymark, 'cart', { days: 1 }, { maxEvents: 6 })).truncated, false, 'exactly as many as the window holds');

    const both = await Promise.allSettled([backtest(api.waymark, 'cart', { days: 1 }), backtest(api.waymark, 'cart', { days: 1 })]);
    assert.deepEqual(both.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    const refused = both.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.ok(refused.reason instanceof ConflictError, String(refused.reason));
    assert.equal((await backtest(api.waymark, 'cart', { days: 1 })).events, 6, 'free again afterwards');
  });
});
