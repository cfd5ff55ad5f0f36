/**
 * POST /v1/journeys/:id/nodes/:node/preview and .../test-send over HTTP on both stores: a send node's message
 * rendered for a real user or sample data with the names it lacks, and sent once through a real SMTP server
 * on loopback, leaving the message log untouched.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtualClock } from '../../src/core/clock.ts';
import { parseMail } from '../channels/mail-parse.ts';
import { smtpServer } from '../channels/smtp-server.ts';
import { T0, example, forEachStore } from '../helpers.ts';
import { startApi, type TestApi } from './helpers.ts';

/** The abandoned-cart example as a draft, Ana's profile (no name) and her cart. */
async function seeded(store: 'sqlite' | 'postgres'): Promise<TestApi> {
  const api = await startApi({ store, clock: new VirtualClock(T0) });
  assert.equal((await api.call('POST', '/v1/journeys', { body: { id: 'cart', definition: example('abandoned-cart') } })).status, 201);
  assert.equal((await api.call('POST', '/v1/profiles', { key: api.write, body: { userId: 'ana', traits: { email: 'ana@x.test' } } })).status, 200);
  const cart = { userId: 'ana', event: 'Added to Cart', messageId: 'c1', timestamp: T0 - 60_000, properties: { productName: 'Trail Shoes', price: 89.99, currency: 'EUR' } };
  assert.equal((await api.call('POST', '/v1/events', { key: api.write, body: { batch: [cart] } })).status, 200);
  return api;
}

await forEachStore((store) => {
  test('preview: the node\'s message for a real user, with the names the user lacks; for sample data', async () => {
    const api = await seeded(store);
    const forAna = await api.call('POST', '/v1/journeys/cart/nodes/email-final-reminder/preview', { body: { userId: 'ana' } });
    assert.equal(forAna.status, 200, JSON.stringify(forAna.body));
    assert.deepEqual(forAna.body, {
      channel: 'email',
      rendered: {
        subject: 'Your cart is about to expire',
        body: '<p>Hi there,</p><p>You left Trail Shoes (EUR 89.99) in your cart. It is reserved for a little longer.</p>',
      },
      problems: [],
      undefinedVariables: [{ field: 'body', variable: 'Profile.Name', line: 1, column: 10 }],
      user: { found: true },
    });
    const sample = await api.call('POST', '/v1/journeys/cart/nodes/push-free-shipping/preview', {
      body: { sample: { traits: { name: 'Bo' }, event: { name: 'Added to Cart', properties: { productName: 'Socks' } } } },
    });
    assert.deepEqual(sample.body, {
      channel: 'push',
      rendered: { title: 'Still thinking it over?', body: 'Hi Bo, your Socks is waiting. Free shipping if you check out today.' },
      problems: [],
      undefinedVariables: [],
      user: null,
    });
    // No data at all: every name is missing, the defaults render.
    const empty = await api.call('POST', '/v1/journeys/cart/nodes/email-final-reminder/preview', { body: {} });
    assert.deepEqual(
      empty.body.undefinedVariables.map((v: { variable: string }) => v.variable),
      ['Profile.Name', 'Event.productName', 'Event.currency', 'Event.price'],
    );
    assert.equal(empty.body.rendered.body, '<p>Hi there,</p><p>You left something ( ) in your cart. It is reserved for a little longer.</p>');
  });

  test('preview: a published version, not the draft, when asked; wrong nodes, journeys and bodies are 4xx naming them', async () => {
    const api = await seeded(store);
    assert.equal((await api.call('POST', '/v1/journeys/cart/publish', { body: {} })).status, 200);
    const draft = structuredClone(example('abandoned-cart')) as { nodes: Array<{ id: string; message?: { title?: string } }> };
    draft.nodes.find((n) => n.id === 'push-free-shipping')!.message!.title = 'New title';
    assert.equal((await api.call('PUT', '/v1/journeys/cart', { body: { definition: draft } })).status, 200);
    const path = '/v1/journeys/cart/nodes/push-free-shipping/preview';
    assert.equal((await api.call('POST', path, { body: {} })).body.rendered.title, 'New title');
    assert.equal((await api.call('POST', path, { body: { version: 1 } })).body.rendered.title, 'Still thinking it over?');
    const noVersion = await api.call('POST', path, { body: { version: 7 } });
    assert.deepEqual([noVersion.status, noVersion.body.message], [404, 'journey "cart" has no version 7']);
    const delay = await api.call('POST', '/v1/journeys/cart/nodes/wait-2h-before-sms/preview', { body: {} });
    assert.deepEqual([delay.status, delay.body.message], [400, 'node "wait-2h-before-sms" is a delay node; only send nodes have a message']);
    assert.equal((await api.call('POST', '/v1/journeys/cart/nodes/nope/preview', { body: {} })).status, 404);
    assert.equal((await api.call('POST', '/v1/journeys/nope/nodes/push-free-shipping/preview', { body: {} })).status, 404);
    const both = await api.call('POST', path, { body: { userId: 'ana', sample: {} } });
    assert.deepEqual([both.status, both.body.problems], [400, [{ path: '/sample', message: 'give userId or sample, not both' }]]);
    const typo = await api.call('POST', path, { body: { sample: { trait: {} } } });
    assert.equal(typo.status, 400);
    assert.equal(typo.body.problems[0].path, '/sample/trait');
  });

  test('test-send: through the real SMTP provider to the address given, once; not in the message log', async () => {
    const api = await seeded(store);
    const path = '/v1/journeys/cart/nodes/email-final-reminder/test-send';
    const none = await api.call('POST', path, { body: { to: 'me@shop.test', userId: 'ana' } });
    assert.equal(none.status, 409);
    assert.match(none.body.message, /^no provider is set for Email: a test send goes out through the real one/);

    const smtp = await smtpServer();
    const provider = { provider: 'smtp', host: '127.0.0.1', port: smtp.port, from: 'Shop <news@shop.test>' };
    assert.equal((await api.call('PUT', '/v1/providers/email', { body: provider })).status, 200);
    const missing = await api.call('POST', path, { body: { userId: 'ana' } });
    assert.deepEqual([missing.status, missing.body.problems], [400, [{ path: '/to', message: 'an email needs an address to go to (email)' }]]);
    assert.equal(smtp.mails.length, 0);

    const sent = await api.call('POST', path, { body: { to: 'me@shop.test', userId: 'ana' } });
    assert.equal(sent.status, 200, JSON.stringify(sent.body));
    assert.deepEqual([sent.body.status, sent.body.provider, sent.body.error], ['sent', 'smtp', null]);
    assert.match(sent.body.messageId, /^test-[0-9a-f-]{36}$/);
    assert.equal(smtp.mails.length, 1);
    assert.deepEqual(smtp.mails[0]!.to, ['me@shop.test']);
    const mail = parseMail(smtp.mails[0]!.raw);
    assert.equal(mail.headers.get('subject'), 'Your cart is about to expire');
    assert.match(mail.parts.find((p) => p.type === 'text/html')!.text, /You left Trail Shoes \(EUR 89\.99\)/);

    const log = await api.call('GET', '/v1/messages');
    assert.equal(log.status, 200);
    assert.deepEqual(log.body.messages, [], 'no message recorded');
  });

  test('test-send: a template that fails sends nothing and says which field', async () => {
    const api = await seeded(store);
    const smtp = await smtpServer();
    assert.equal((await api.call('PUT', '/v1/providers/email', { body: { provider: 'smtp', host: '127.0.0.1', port: smtp.port, from: 'news@shop.test' } })).status, 200);
    const draft = structuredClone(example('abandoned-cart')) as { nodes: Array<{ id: string; message?: { subject?: string } }> };
    // A loop as long as the sample's trait: more than Liquid's allocation budget for one render.
    draft.nodes.find((n) => n.id === 'email-final-reminder')!.message!.subject = '{% for i in (1..Profile.n) %}x{% endfor %}';
    assert.equal((await api.call('PUT', '/v1/journeys/cart', { body: { definition: draft } })).status, 200);
    const failed = await api.call('POST', '/v1/journeys/cart/nodes/email-final-reminder/test-send', { body: { to: 'me@shop.test', sample: { traits: { n: 100_000_000 } } } });
    assert.equal(failed.status, 400);
    assert.equal(failed.body.problems[0].path, '/message/subject');
    assert.match(failed.body.message, /^nothing was sent: /);
    assert.equal(smtp.mails.length, 0);
  });
});
