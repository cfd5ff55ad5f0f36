/**
 * POST /v1/preview over HTTP on both stores: a message rendered for a real user's profile and latest event
 * as the send step renders it; failures as problems naming their field (never a 5xx); bad requests 400
 * naming the field.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtualClock } from '../../src/core/clock.ts';
import { T0, forEachStore } from '../helpers.ts';
import { startApi, type TestApi } from './helpers.ts';

/** Ana's profile and three events, received at T0: two carts (the older-stamped one arrives last) and a view. */
async function seeded(store: 'sqlite' | 'postgres'): Promise<TestApi> {
  const api = await startApi({ store, clock: new VirtualClock(T0) });
  const profile = await api.call('POST', '/v1/profiles', { key: api.write, body: { userId: 'ana', traits: { name: 'Ana', email: 'ana@example.com', n: 100_000_000 } } });
  assert.equal(profile.status, 200);
  const batch = [
    { userId: 'ana', event: 'Added to Cart', messageId: 'c1', timestamp: T0 - 60_000, properties: { productName: 'Trail Shoes', price: 89.99 } },
    { userId: 'ana', event: 'Viewed', messageId: 'v1', timestamp: T0 - 30_000, properties: { page: 'home' } },
    { userId: 'ana', event: 'Added to Cart', messageId: 'c0', timestamp: T0 - 90_000, properties: { productName: 'Socks', price: 5 } },
  ];
  assert.equal((await api.call('POST', '/v1/events', { key: api.write, body: { batch } })).status, 200);
  return api;
}

const cart = { messageId: 'c1', userId: 'ana', name: 'Added to Cart', timestamp: T0 - 60_000, properties: { productName: 'Trail Shoes', price: 89.99 }, receivedAt: T0 };

await forEachStore((store) => {
  test('renders each field with the profile and the user\'s latest event of the name (by timestamp), or their latest event', async () => {
    const api = await seeded(store);
    const content = { title: 'Hi {{ Profile.Name }}', body: '{{ Event.productName | default: Event.page }} at {{ Event.price | default: "-" }} ({{ EventName }})' };
    assert.deepEqual(await api.call('POST', '/v1/preview', { body: { channel: 'push', content, userId: 'ana', event: 'Added to Cart' } }), {
      status: 200,
      body: { rendered: { title: 'Hi Ana', body: 'Trail Shoes at 89.99 (Added to Cart)' }, problems: [], user: { found: true }, event: cart },
    });
    const latest = await api.call('POST', '/v1/preview', { body: { channel: 'push', content, userId: 'ana' } });
    assert.deepEqual(latest.body.rendered, { title: 'Hi Ana', body: 'home at - (Viewed)' });
    assert.equal(latest.body.event.messageId, 'v1');
  });

  test('a stranger, or an event they never sent: Profile or Event is empty, and the answer says so', async () => {
    const api = await seeded(store);
    const content = { title: 'Hi {{ Profile.Name | default: "there" }}', body: '[{{ Event.productName }}] {{ EventName }}' };
    assert.deepEqual((await api.call('POST', '/v1/preview', { body: { channel: 'push', content, userId: 'nobody', event: 'Added to Cart' } })).body, {
      rendered: { title: 'Hi there', body: '[] Added to Cart' },
      problems: [],
      user: { found: false },
      event: null,
    });
    assert.deepEqual((await api.call('POST', '/v1/preview', { body: { channel: 'push', content, userId: 'ana', event: 'Checked Out' } })).body, {
      rendered: { title: 'Hi Ana', body: '[] Checked Out' },
      problems: [],
      user: { found: true },
      event: null,
    });
  });

  test('a template that fails for this user, does not parse, or includes a file is a problem naming its field; the others render', async () => {
    const api = await seeded(store);
    const failing = await api.call('POST', '/v1/preview', {
      body: { channel: 'email', content: { subject: 'For {{ Profile.Name }}', body: '{% for i in (1..Profile.n) %}*{% endfor %}' }, userId: 'ana' },
    });
    assert.deepEqual([failing.status, failing.body.rendered, failing.body.problems], [
      200,
      { subject: 'For Ana' },
      [{ field: 'body', message: 'memory alloc limit exceeded, line:1, col:1' }],
    ]);

    const broken = await api.call('POST', '/v1/preview', { body: { channel: 'push', content: { title: "{% include 'package.json' %}", body: 'Hi {{ Profile.Name' }, userId: 'ana' } });
    assert.equal(broken.status, 200);
    assert.deepEqual(broken.body.rendered, {});
    assert.deepEqual(broken.body.problems.map((p: { field: string }) => p.field), ['title', 'body']);
    assert.equal(broken.body.problems[0].message, 'templates cannot include files ({% include %}) at line 1, column 1');
    assert.match(broken.body.problems[1].message, /^template does not parse: /);
  });

  test('a required field missing is a problem, as on save; a field that is no template (a webhook URL) comes back as given', async () => {
    const api = await seeded(store);
    assert.deepEqual((await api.call('POST', '/v1/preview', { body: { channel: 'push', content: { body: 'Hi {{ Profile.Name }}' }, userId: 'ana' } })).body.problems, [
      { field: 'title', message: 'a push message needs a title' },
    ]);
    const hook = await api.call('POST', '/v1/preview', { body: { channel: 'webhook', content: { url: 'https://hooks.test/{{ Profile.Name }}', body: '{"name":"{{ Profile.Name }}"}' }, userId: 'ana' } });
    assert.deepEqual([hook.body.rendered, hook.body.problems], [{ url: 'https://hooks.test/{{ Profile.Name }}', body: '{"name":"Ana"}' }, []]);
  });

  test('400 naming the field: an unknown channel, a field the channel has not, no userId, an unknown key; the write key may not', async () => {
    const api = await seeded(store);
    const fax = await api.call('POST', '/v1/preview', { body: { channel: 'fax', content: { body: 'x' }, userId: 'ana' } });
    assert.equal(fax.status, 400);
    assert.deepEqual(fax.body.problems.map((p: { path: string }) => p.path), ['/channel']);
    assert.deepEqual(await api.call('POST', '/v1/preview', { body: { channel: 'sms', content: { subject: 'S', body: 'x' }, userId: 'ana' } }), {
      status: 400,
      body: { error: 'Bad Request', message: 'invalid request body: /content/subject an SMS has no subject (its fields: body)', problems: [{ path: '/content/subject', message: 'an SMS has no subject (its fields: body)' }] },
    });
    const missing = await api.call('POST', '/v1/preview', { body: { channel: 'sms', content: { body: 'x' } } });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body.problems.map((p: { path: string }) => p.path), ['/userId']);
    const extra = await api.call('POST', '/v1/preview', { body: { channel: 'sms', content: { body: 'x' }, userId: 'ana', locale: 'pt' } });
    assert.deepEqual([extra.status, extra.body.problems.map((p: { path: string }) => p.path)], [400, ['/locale']]);
    assert.equal((await api.call('POST', '/v1/preview', { key: api.write, body: { channel: 'sms', content: { body: 'x' }, userId: 'ana' } })).status, 403);
  });
});
