/**
 * Identity merges end to end over HTTP, on each store: a cart added anonymously through the Segment route,
 * then an identify with the user's addresses. The abandoned cart is one, and its messages go to the user.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtualClock } from '../../src/core/clock.ts';
import { T0, example, forEachStore, type StoreKind } from '../helpers.ts';
import { startApi, type TestApi } from './helpers.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const SHOES = { productName: 'Trail Running Shoes', price: 89.99, currency: 'USD' };
const ANA = { name: 'Ana', email: 'ana@example.test', phone: '+15550001', pushToken: 'tok-ana' };

async function cartApi(store: StoreKind): Promise<TestApi> {
  const api = await startApi({ store, clock: new VirtualClock(T0) });
  assert.equal((await api.call('POST', '/v1/journeys', { body: { id: 'cart', definition: example('abandoned-cart') } })).status, 201);
  assert.equal((await api.call('POST', '/v1/journeys/cart/publish')).status, 200);
  return api;
}

async function segment(api: TestApi, type: string, body: Record<string, unknown>): Promise<void> {
  const response = await api.call('POST', `/v1/${type}`, { key: api.write, body });
  assert.deepEqual(response, { status: 200, body: { success: true } }, `${type} is taken`);
}

async function messagesOf(api: TestApi, userId: string) {
  const body = (await api.call('GET', `/v1/users/${userId}/messages`)).body;
  return body.messages as { nodeId: string; status: string; sentAt: number | null; content: { body: string; to?: string } | null }[];
}

async function journeyTotals(api: TestApi) {
  return (await api.call('GET', '/v1/journeys/cart/stats')).body.totals as Record<string, number>;
}

await forEachStore((store) => {
  test('a cart added anonymously, then identify: one abandoned cart, its three messages to the user’s addresses', async () => {
    const api = await cartApi(store);
    await segment(api, 'track', { anonymousId: 'anon-1', event: 'Added to Cart', messageId: 'cart-1', properties: SHOES });
    await api.runUntil(T0 + MIN);
    await segment(api, 'identify', { anonymousId: 'anon-1', userId: 'ana', traits: ANA, messageId: 'id-1' });
    // The SDK sends both ids from now on, and the anonymous id alone from a page that did not know yet: the
    // same person, already in the journey, so neither starts a second pass.
    await segment(api, 'track', { anonymousId: 'anon-1', userId: 'ana', event: 'Added to Cart', messageId: 'cart-2', properties: SHOES });
    await segment(api, 'track', { anonymousId: 'anon-1', event: 'Added to Cart', messageId: 'cart-3', properties: SHOES });
    await api.runUntil(T0 + 5 * HOUR);

    // Window closes at T0 + 2m (push), SMS 2 h later, email 2 h after that, each to Ana's address.
    const sent = await messagesOf(api, 'ana');
    assert.deepEqual(
      sent.map((m) => [m.nodeId, m.status, m.sentAt, m.content?.to]),
      [
        ['push-free-shipping', 'sent', T0 + 2 * MIN, 'tok-ana'],
        ['sms-10-off', 'sent', T0 + 2 * MIN + 2 * HOUR, '+15550001'],
        ['email-final-reminder', 'sent', T0 + 2 * MIN + 4 * HOUR, 'ana@example.test'],
      ],
    );
    assert.equal(sent[0]!.content!.body, 'Hi Ana, your Trail Running Shoes is waiting. Free shipping if you check out today.');
    assert.deepEqual(await messagesOf(api, 'anon-1'), sent, 'the anonymous id reads as Ana: her messages');
    const events = (await api.call('GET', '/v1/users/ana/events')).body.events as { messageId: string }[];
    assert.deepEqual(events.map((e) => e.messageId).sort(), ['cart-1', 'cart-2', 'cart-3']);
    const totals = await journeyTotals(api);
    assert.deepEqual([totals.qualified, totals.entered, totals.completed, totals.merged], [1, 1, 1, 0]);
  });

  test('Charged under the user after the merge, inside the window: the anonymous cart never qualifies, nothing is sent', async () => {
    const api = await cartApi(store);
    await segment(api, 'track', { anonymousId: 'anon-1', event: 'Added to Cart', messageId: 'cart-1', properties: SHOES });
    await api.runUntil(T0 + MIN);
    await segment(api, 'identify', { anonymousId: 'anon-1', userId: 'ana', traits: ANA });
    await api.runUntil(T0 + 90_000);
    await segment(api, 'track', { userId: 'ana', event: 'Charged', messageId: 'paid-1' });
    await api.runUntil(T0 + 5 * HOUR);
    assert.deepEqual(await messagesOf(api, 'ana'), []);
    const journeys = (await api.call('GET', '/v1/users/ana/journeys')).body.instances as { exit: { reason: string } | null }[];
    assert.deepEqual(journeys.map((j) => j.exit?.reason), ['not_qualified']);
    const totals = await journeyTotals(api);
    assert.deepEqual([totals.qualified, totals.notQualified, totals.entered], [0, 1, 0]);
  });

  test('Charged under the user after the push: the goal exits the pass, nothing more is sent', async () => {
    const api = await cartApi(store);
    await segment(api, 'track', { anonymousId: 'anon-1', event: 'Added to Cart', messageId: 'cart-1', properties: SHOES });
    await api.runUntil(T0 + MIN);
    await segment(api, 'identify', { anonymousId: 'anon-1', userId: 'ana', traits: ANA });
    await api.runUntil(T0 + HOUR);
    await segment(api, 'track', { userId: 'ana', event: 'Charged', messageId: 'paid-1' });
    await api.runUntil(T0 + 5 * HOUR);
    assert.deepEqual((await messagesOf(api, 'ana')).map((m) => [m.nodeId, m.content?.to]), [['push-free-shipping', 'tok-ana']]);
    const totals = await journeyTotals(api);
    assert.deepEqual([totals.entered, totals.goal], [1, 1]);
  });

  test('both in the journey when they are merged: the pass that began first goes on, the other leaves as merged, one sequence is sent', async () => {
    const api = await cartApi(store);
    await api.call('POST', '/v1/profiles', { key: api.write, body: { userId: 'ana', traits: ANA } });
    await segment(api, 'track', { anonymousId: 'anon-1', event: 'Added to Cart', messageId: 'cart-anon', properties: SHOES });
    await api.runUntil(T0 + 30_000);
    await segment(api, 'track', { userId: 'ana', event: 'Added to Cart', messageId: 'cart-ana', properties: { ...SHOES, productName: 'Socks' } });
    await api.runUntil(T0 + MIN);
    await segment(api, 'identify', { anonymousId: 'anon-1', userId: 'ana' });
    await api.runUntil(T0 + 5 * HOUR);
    const sent = await messagesOf(api, 'ana');
    assert.deepEqual(sent.map((m) => [m.nodeId, m.sentAt]), [
      ['push-free-shipping', T0 + 2 * MIN],
      ['sms-10-off', T0 + 2 * MIN + 2 * HOUR],
      ['email-final-reminder', T0 + 2 * MIN + 4 * HOUR],
    ]);
    assert.match(sent[0]!.content!.body, /Trail Running Shoes/, 'the anonymous cart began first: its pass goes on');
    const passes = (await api.call('GET', '/v1/users/ana/journeys')).body.instances as { id: string; exit: { reason: string; at: number } | null }[];
    // Pass ids are the journey, the entry's time in base 36 (T0 is 0mvzdy000, T0 + 30 s 0mvzdyn5c), the event's id.
    assert.deepEqual(passes.map((p) => [p.id, p.exit?.reason, p.exit?.at]).sort(), [['cart:0mvzdy000:cart-anon', 'completed', T0 + 2 * MIN + 4 * HOUR], ['cart:0mvzdyn5c:cart-ana', 'merged', T0 + MIN]]);
    const totals = await journeyTotals(api);
    assert.deepEqual([totals.entered, totals.merged, totals.completed], [1, 1, 1], 'both were pending (not entered) when merged: one entered');
  });

  test('one Segment batch: events before the identify are the anonymous id’s until the merge, then the user’s; alias merges too', async () => {
    const api = await cartApi(store);
    const response = await api.call('POST', '/v1/batch', {
      key: api.write,
      body: {
        batch: [
          { type: 'track', anonymousId: 'anon-1', event: 'Added to Cart', messageId: 'b-1', properties: SHOES },
          { type: 'identify', anonymousId: 'anon-1', userId: 'ana', traits: ANA, messageId: 'b-2' },
          { type: 'track', anonymousId: 'anon-1', event: 'Viewed Cart', messageId: 'b-3' },
          { type: 'alias', previousId: 'old-ana', userId: 'ana', messageId: 'b-4' },
        ],
      },
    });
    assert.deepEqual(response, { status: 200, body: { success: true } });
    const events = (await api.call('GET', '/v1/users/ana/events')).body.events as { messageId: string; event: string }[];
    assert.deepEqual(events.map((e) => e.messageId).sort(), ['b-1', 'b-3', 'b-4']);
    // The cart entered the journey as anon-1's pass (its entry event is b-1), which is Ana's now.
    const journeys = (await api.call('GET', '/v1/users/ana/journeys')).body.instances as { id: string; status: string }[];
    assert.deepEqual(journeys.map((j) => [j.id, j.status]), [['cart:0mvzdy000:b-1', 'pending']]); // T0 in base 36
    assert.deepEqual((await api.call('GET', '/v1/users/anon-1/journeys')).body.instances, (await api.call('GET', '/v1/users/ana/journeys')).body.instances, 'the anonymous id reads as Ana');
    await segment(api, 'track', { anonymousId: 'old-ana', event: 'Charged', messageId: 'paid-old' });
    await api.runUntil(T0 + 5 * HOUR);
    assert.deepEqual(await messagesOf(api, 'ana'), [], 'Charged under the aliased id is Ana’s: the cart never qualified');
  });

  test('POST /v1/identities: merged, then unchanged; an id merged into another user is refused with 409', async () => {
    const api = await cartApi(store);
    await segment(api, 'track', { anonymousId: 'anon-1', event: 'Added to Cart', messageId: 'cart-1', properties: SHOES });
    const merge = (body: unknown) => api.call('POST', '/v1/identities', { key: api.write, body });
    assert.deepEqual(await merge({ anonymousId: 'anon-1', userId: 'ana' }), { status: 200, body: { outcome: 'merged', userId: 'ana', events: 1, instances: 1, exited: 0 } });
    assert.deepEqual(await merge({ anonymousId: 'anon-1', userId: 'ana' }), { status: 200, body: { outcome: 'unchanged', userId: 'ana', events: 0, instances: 0, exited: 0 } });
    const conflict = await merge({ anonymousId: 'anon-1', userId: 'bo' });
    assert.equal(conflict.status, 409);
    assert.match(conflict.body.message, /anon-1.*merged into user "ana"/);
    const bad = await merge({ anonymousId: '', userId: 'ana' });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /anonymousId/);
  });

  test('reads of a merged anonymous id follow the merge: the user, their events, journeys, messages and inbox, saying which id was asked for', async () => {
    const api = await cartApi(store);
    await segment(api, 'track', { anonymousId: 'anon-1', event: 'Added to Cart', messageId: 'cart-1', properties: SHOES });
    await segment(api, 'identify', { anonymousId: 'anon-1', userId: 'ana', traits: ANA, messageId: 'id-1' });
    const asAnon = await api.call('GET', '/v1/users/anon-1');
    assert.equal(asAnon.status, 200);
    assert.equal(asAnon.body.userId, 'ana');
    assert.equal(asAnon.body.mergedFrom, 'anon-1');
    assert.equal(asAnon.body.traits.email, 'ana@example.test');
    const asAna = await api.call('GET', '/v1/users/ana');
    assert.equal(asAna.body.mergedFrom, undefined, 'the user read by their own id says nothing of merges');
    for (const read of ['events', 'journeys', 'messages']) {
      assert.deepEqual((await api.call('GET', `/v1/users/anon-1/${read}`)).body, (await api.call('GET', `/v1/users/ana/${read}`)).body, read);
    }
    assert.equal((await api.call('GET', '/v1/users/anon-1/events')).body.events[0].messageId, 'cart-1');
    assert.deepEqual((await api.call('GET', '/v1/inbox/anon-1', { key: api.write })).body, (await api.call('GET', '/v1/inbox/ana', { key: api.write })).body);
    assert.equal((await api.call('GET', '/v1/users/anon-never-seen')).status, 404, 'an id never seen nor merged is still unknown');
  });

  test('POST /v1/identities refuses hostile values with a 400 naming the field, merges nothing, and the next good merge goes through', async () => {
    const api = await cartApi(store);
    const merge = (body: unknown) => api.call('POST', '/v1/identities', { key: api.write, body });
    const hostile: Array<[unknown, RegExp]> = [
      [{ anonymousId: 'anon\u0000x', userId: 'ana' }, /\/anonymousId.*NUL/],
      [{ anonymousId: 'anon-1', userId: 'ana\ud800' }, /\/userId.*surrogate/],
      [{ anonymousId: 'a'.repeat(100_000), userId: 'ana' }, /\/anonymousId/],
      [{ anonymousId: 42, userId: 'ana' }, /\/anonymousId/],
      [{ anonymousId: 'anon-1', userId: { nested: { deeper: ['ana'] } } }, /\/userId/],
      [{ anonymousId: 'anon-1', userId: 'ana', __proto__: { admin: true }, extra: 1 }, /extra/],
    ];
    for (const [body, field] of hostile) {
      const answer = await merge(body);
      assert.equal(answer.status, 400, JSON.stringify(body).slice(0, 80));
      assert.match(JSON.stringify(answer.body), field);
    }
    assert.deepEqual(await merge({ anonymousId: 'anon-1', userId: 'ana' }), { status: 200, body: { outcome: 'merged', userId: 'ana', events: 0, instances: 0, exited: 0 } });
  });
});
