import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtualClock } from '../../src/core/clock.ts';
import { T0, example, forEachStore } from '../helpers.ts';
import { startApi, type TestApi } from './helpers.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

type Step = { nodeId: string; outcome: string; reason: string | null; detail: string };

async function messagesOf(api: TestApi, userId: string) {
  return (await api.call('GET', `/v1/users/${userId}/messages`)).body.messages as {
    nodeId: string;
    status: string;
    reason: string | null;
    sentAt: number | null;
    content: { body: string; to?: string } | null;
  }[];
}

async function explain(api: TestApi, userId: string) {
  const response = await api.call('GET', `/v1/users/${userId}/explain?journeyId=cart`);
  assert.equal(response.status, 200);
  return response.body as { journeys: { status: string; summary: string; exit: { reason: string } | null; steps: Step[] }[]; notes: string[] };
}

await forEachStore((store) => {
  test('the abandoned cart journey over HTTP: messages, the message log, explain and stats', async () => {
    // The example journey as shipped, on a virtual clock: the test moves time, nothing races it.
    const api = await startApi({ store, clock: new VirtualClock(T0) });
    assert.equal((await api.call('POST', '/v1/journeys', { body: { id: 'cart', definition: example('abandoned-cart') } })).status, 201);
    assert.equal((await api.call('POST', '/v1/journeys/cart/publish')).status, 200);

    const full = (name: string) => ({ name, email: `${name.toLowerCase()}@example.test`, phone: '+15550001', pushToken: `tok-${name.toLowerCase()}` });
    const profiles = await api.call('POST', '/v1/profiles', {
      key: api.write,
      body: {
        batch: [
          { userId: 'ana', traits: full('Ana') },
          { userId: 'bo', traits: { name: 'Bo', email: 'bo@example.test', pushToken: 'tok-bo' } }, // no phone
          { userId: 'cy', traits: full('Cy') },
          { userId: 'dee', traits: full('Dee') },
        ],
      },
    });
    assert.equal(profiles.status, 200);

    const cart = (userId: string) => ({ userId, event: 'Added to Cart', messageId: `cart-${userId}`, properties: { productName: 'Trail Running Shoes', price: 89.99, currency: 'USD' } });
    const added = await api.call('POST', '/v1/events', { key: api.write, body: { batch: ['ana', 'bo', 'cy', 'dee'].map(cart) } });
    assert.deepEqual(added.body, { accepted: 4, duplicates: 0 });
    // cy pays a minute later, inside the 2-minute window: never qualifies.
    await api.runUntil(T0 + 1 * MIN);
    await api.call('POST', '/v1/events', { key: api.write, body: { userId: 'cy', event: 'Charged', messageId: 'paid-cy' } });
    // The window closes at T0 + 2m: ana, bo and dee enter and get the push then; the SMS is due 2 h later.
    await api.runUntil(T0 + 2 * MIN);
    assert.deepEqual((await messagesOf(api, 'dee')).map((m) => [m.nodeId, m.status, m.sentAt]), [['push-free-shipping', 'sent', T0 + 2 * MIN]]);
    // dee pays an hour later (T0 + 1h 2m), while waiting for the SMS: leaves on the goal.
    await api.runUntil(T0 + 1 * HOUR + 2 * MIN);
    await api.call('POST', '/v1/events', { key: api.write, body: { userId: 'dee', event: 'Charged', messageId: 'paid-dee' } });
    // SMS at T0 + 2m + 2h, email at T0 + 2m + 4h; a millisecond before the email it is not sent yet.
    await api.runUntil(T0 + 2 * MIN + 4 * HOUR - 1);
    assert.deepEqual((await messagesOf(api, 'ana')).map((m) => m.nodeId), ['push-free-shipping', 'sms-10-off']);
    await api.runUntil(T0 + 2 * MIN + 4 * HOUR);

    const ana = await messagesOf(api, 'ana');
    assert.deepEqual(
      ana.map((m) => [m.nodeId, m.status]),
      [
        ['push-free-shipping', 'sent'],
        ['sms-10-off', 'sent'],
        ['email-final-reminder', 'sent'],
      ],
    );
    assert.deepEqual(
      ana.map((m) => m.sentAt),
      [T0 + 2 * MIN, T0 + 2 * MIN + 2 * HOUR, T0 + 2 * MIN + 4 * HOUR],
    );
    assert.equal(ana[0]!.content!.body, 'Hi Ana, your Trail Running Shoes is waiting. Free shipping if you check out today.');
    assert.equal(ana[0]!.content!.to, 'tok-ana');
    assert.deepEqual(
      (await messagesOf(api, 'bo')).map((m) => [m.nodeId, m.status, m.reason]),
      [
        ['push-free-shipping', 'sent', null],
        ['sms-10-off', 'skipped', 'no_phone'],
        ['email-final-reminder', 'sent', null],
      ],
    );
    assert.deepEqual(await messagesOf(api, 'cy'), []);
    assert.deepEqual((await messagesOf(api, 'dee')).map((m) => m.nodeId), ['push-free-shipping']);

    // The whole log, three at a time: 3 + 3 + 1 messages, then an empty page that keeps the cursor.
    const pages: string[][] = [];
    let after = 0;
    for (;;) {
      const page = (await api.call('GET', `/v1/messages?limit=3&after=${after}`)).body;
      pages.push(page.messages.map((m: { userId: string }) => m.userId));
      if (page.messages.length === 0) {
        assert.equal(page.next, after);
        break;
      }
      assert.equal(page.next, page.messages.at(-1).seq);
      after = page.next;
    }
    assert.deepEqual(pages.map((p) => p.length), [3, 3, 1, 0]);
    assert.deepEqual(pages.flat().sort(), ['ana', 'ana', 'ana', 'bo', 'bo', 'bo', 'dee']);
    const anaInCart = (await api.call('GET', '/v1/messages?journeyId=cart&userId=ana&limit=2')).body;
    assert.deepEqual(anaInCart.messages.map((m: { nodeId: string }) => m.nodeId), ['push-free-shipping', 'sms-10-off']);
    assert.equal((await api.call('GET', '/v1/messages?journeyId=other')).body.messages.length, 0);

    // Explain, user by user.
    const outcomes = (steps: Step[]) => steps.map((s) => `${s.nodeId}:${s.outcome}${s.reason ? `:${s.reason}` : ''}`);
    const anaWhy = await explain(api, 'ana');
    assert.equal(anaWhy.journeys.length, 1);
    assert.equal(anaWhy.journeys[0]!.exit?.reason, 'completed');
    assert.deepEqual(outcomes(anaWhy.journeys[0]!.steps), ['push-free-shipping:sent', 'sms-10-off:sent', 'email-final-reminder:sent']);
    assert.match(anaWhy.journeys[0]!.steps[0]!.detail, /^sent by push to tok-ana at \d{4}-/);

    const boWhy = (await explain(api, 'bo')).journeys[0]!;
    assert.deepEqual(outcomes(boWhy.steps), ['push-free-shipping:sent', 'sms-10-off:skipped:no_phone', 'email-final-reminder:sent']);
    assert.match(boWhy.steps[1]!.detail, /no phone/);

    const cyWhy = (await explain(api, 'cy')).journeys[0]!;
    assert.deepEqual(outcomes(cyWhy.steps), [
      'push-free-shipping:not_reached:not_qualified',
      'sms-10-off:not_reached:not_qualified',
      'email-final-reminder:not_reached:not_qualified',
    ]);
    assert.match(cyWhy.summary, /never qualified: "Charged" came within 2m of "Added to Cart"/);

    const deeWhy = (await explain(api, 'dee')).journeys[0]!;
    assert.deepEqual(outcomes(deeWhy.steps), ['push-free-shipping:sent', 'sms-10-off:not_reached:goal', 'email-final-reminder:not_reached:goal']);
    assert.match(deeWhy.steps[1]!.detail, /exited on goal "purchase" \("Charged"\) at node "wait-2h-before-sms"/);

    const nobody = await explain(api, 'zed');
    assert.deepEqual(nobody.journeys, []);
    assert.match(nobody.notes[0]!, /no "Added to Cart" event/);
    assert.equal((await api.call('GET', '/v1/users/ana/explain?journeyId=nope')).status, 404);

    const instances = (await api.call('GET', '/v1/users/dee/journeys')).body.instances;
    assert.deepEqual(
      instances.map((i: { journeyId: string; status: string; exit: { reason: string; nodeId: string } }) => [i.journeyId, i.status, i.exit.reason, i.exit.nodeId]),
      [['cart', 'exited', 'goal', 'wait-2h-before-sms']],
    );

    // Stats, shaped for people.
    const stats = (await api.call('GET', '/v1/journeys/cart/stats')).body;
    assert.deepEqual(stats.versions, [1]);
    assert.deepEqual(stats.totals, { qualified: 3, entered: 3, control: 0, notQualified: 1, goal: 1, controlGoal: 0, timedOut: 0, completed: 2, stopped: 0, merged: 0, inJourneyNow: 0 });
    assert.deepEqual(stats.conversion, { target: { entered: 3, converted: 1, rate: 0.3333 }, control: { users: 0, converted: 0, rate: null }, uplift: null, significance: null });
    assert.deepEqual(
      stats.nodes.map((n: Record<string, unknown>) => [n.nodeId, n.kind, n.entered, n.sent, n.failed, n.skipped, n.goal]),
      [
        ['push-free-shipping', 'send', 3, 3, 0, 0, 0],
        ['wait-2h-before-sms', 'delay', 3, 0, 0, 0, 1],
        ['sms-10-off', 'send', 2, 1, 0, 1, 0],
        ['wait-2h-before-email', 'delay', 2, 0, 0, 0, 0],
        ['email-final-reminder', 'send', 2, 2, 0, 0, 0],
        ['done', 'exit', 2, 0, 0, 0, 0],
      ],
    );
    assert.deepEqual(stats.byVersion['1'], { totals: stats.totals, nodes: stats.nodes });
  });
});
