/**
 * Projects apart, on both stores. Project B is made over the API and filled through its own keys (a journey
 * that has sent, a profile, events, a key, settings, a provider, an inbox message). Then every operation of
 * the OpenAPI document is called with the default project's admin key, aimed at B's ids, with a body that
 * would act on them: no answer may show anything of B (B's values are marked), and B, read through its own
 * admin key, must be the same after as before. The table below says what each operation is sent; an
 * operation without an entry fails the test, so a route is walked the day it is added.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachStore } from '../helpers.ts';
import { path } from '../journeys.ts';
import { parseMail } from '../channels/mail-parse.ts';
import { smtpServer } from '../channels/smtp-server.ts';
import { eventually, startApi, type TestApi } from './helpers.ts';

const journey = path('b-journey', [
  { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
  { id: 'hello', kind: 'send', channel: 'inbox', message: { title: 'Hello marker-b-title', body: 'marker-b-body' } },
  { id: 'out', kind: 'exit' },
], { name: 'Journey marker-b-name', setup: { timezone: 'UTC' } });

/** What the walk sends: the same ids, none of B's values. */
const walkJourney = path('b-journey', [
  { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
  { id: 'hello', kind: 'send', channel: 'inbox', message: { title: 'Hello', body: 'Hi' } },
  { id: 'out', kind: 'exit' },
], { name: 'Walked', setup: { timezone: 'UTC' } });

/** Everything of B the walk must never see: each string is in B's data and nowhere in A's requests. */
const MARKERS = /marker-b-/;

/** What each operation is sent, given B's ids; null: called with no body. */
type Call = (b: BIds) => { path: string; body?: unknown } | null;
interface BIds {
  message: string;
  key: string;
}

const get = (path: string): Call => () => ({ path });
const post = (path: string, body: unknown = {}): Call => () => ({ path, body });

const WALK: Record<string, Call> = {
  'GET /health': get('/health'),
  'GET /ready': get('/ready'),
  'GET /metrics': get('/metrics'),
  'GET /v1/meta/nodes': get('/v1/meta/nodes'),
  'POST /v1/events': post('/v1/events', { userId: 'b-user', event: 'Signed Up', messageId: 'b-signup' }),
  'POST /v1/profiles': post('/v1/profiles', { userId: 'b-user', traits: { secret: 'overwritten' } }),
  'POST /v1/track': post('/v1/track', { userId: 'b-user', event: 'Signed Up', messageId: 'b-signup' }),
  'POST /v1/identify': post('/v1/identify', { userId: 'b-user', anonymousId: 'b-anon', traits: { secret: 'overwritten' } }),
  'POST /v1/page': post('/v1/page', { userId: 'b-user', name: 'Home' }),
  'POST /v1/screen': post('/v1/screen', { userId: 'b-user', name: 'Home' }),
  'POST /v1/group': post('/v1/group', { userId: 'b-user', groupId: 'g' }),
  'POST /v1/alias': post('/v1/alias', { userId: 'b-user', previousId: 'b-anon-2' }),
  'POST /v1/batch': post('/v1/batch', { batch: [{ type: 'track', userId: 'b-user', event: 'Signed Up', messageId: 'b-signup' }] }),
  'POST /1/upload': post('/1/upload', { d: [{ identity: 'b-user', type: 'event', evtName: 'Signed Up', evtData: {} }] }),
  'POST /v1/identities': post('/v1/identities', { anonymousId: 'b-anon-3', userId: 'b-user' }),
  'GET /v1/journeys': get('/v1/journeys'),
  'POST /v1/journeys': post('/v1/journeys', { id: 'b-journey', definition: walkJourney }),
  'POST /v1/journeys/validate': post('/v1/journeys/validate', { id: 'b-journey', definition: walkJourney }),
  'GET /v1/journeys/{id}': get('/v1/journeys/b-journey'),
  'PUT /v1/journeys/{id}': () => ({ path: '/v1/journeys/b-journey', body: { definition: walkJourney } }),
  'GET /v1/journeys/{id}/versions': get('/v1/journeys/b-journey/versions'),
  'POST /v1/journeys/{id}/publish': post('/v1/journeys/b-journey/publish'),
  'POST /v1/journeys/{id}/pause': post('/v1/journeys/b-journey/pause'),
  'POST /v1/journeys/{id}/resume': post('/v1/journeys/b-journey/resume'),
  'POST /v1/journeys/{id}/stop': post('/v1/journeys/b-journey/stop'),
  'GET /v1/journeys/{id}/stats': get('/v1/journeys/b-journey/stats'),
  'GET /v1/journeys/{id}/series': get('/v1/journeys/b-journey/series'),
  'POST /v1/journeys/{id}/backtest': post('/v1/journeys/b-journey/backtest', { days: 1 }),
  'GET /v1/users/{userId}': get('/v1/users/b-user'),
  'GET /v1/users/{userId}/events': get('/v1/users/b-user/events'),
  'GET /v1/users/{userId}/journeys': get('/v1/users/b-user/journeys'),
  'GET /v1/users/{userId}/messages': get('/v1/users/b-user/messages'),
  'GET /v1/users/{userId}/explain': get('/v1/users/b-user/explain'),
  'GET /v1/messages': get('/v1/messages?userId=b-user'),
  'POST /v1/messages/{id}/click': (b) => ({ path: `/v1/messages/${b.message}/click`, body: {} }),
  'POST /v1/messages/{id}/resend': (b) => ({ path: `/v1/messages/${b.message}/resend`, body: {} }),
  'POST /v1/messages/resend': post('/v1/messages/resend', { journeyId: 'b-journey', userId: 'b-user' }),
  'GET /v1/catalog/events': get('/v1/catalog/events'),
  'GET /v1/catalog/traits': get('/v1/catalog/traits'),
  'POST /v1/preview': post('/v1/preview', { channel: 'inbox', content: { title: '{{ Profile.secret }}', body: 'x' }, userId: 'b-user' }),
  'POST /v1/journeys/{id}/nodes/{node}/preview': post('/v1/journeys/b-journey/nodes/hello/preview', { userId: 'b-user' }),
  'POST /v1/journeys/{id}/nodes/{node}/test-send': post('/v1/journeys/b-journey/nodes/hello/test-send', { to: 'someone@example.com' }),
  'GET /v1/settings': get('/v1/settings'),
  'PUT /v1/settings': post('/v1/settings', { timezone: 'Europe/Paris' }),
  'GET /v1/providers': get('/v1/providers'),
  'PUT /v1/providers/{channel}': post('/v1/providers/webhook', { provider: 'webhook', timeoutMs: 1000 }),
  'DELETE /v1/providers/{channel}': get('/v1/providers/webhook'),
  'GET /v1/keys': get('/v1/keys'),
  'POST /v1/keys': post('/v1/keys', { kind: 'write', name: 'another' }),
  'POST /v1/keys/{id}/rotate': (b) => ({ path: `/v1/keys/${b.key}/rotate`, body: {} }),
  'DELETE /v1/keys/{id}': (b) => ({ path: `/v1/keys/${b.key}` }),
  'GET /v1/projects': get('/v1/projects'),
  'POST /v1/projects': post('/v1/projects', { id: 'b', name: 'Another' }),
  'GET /v1/team': get('/v1/team'),
  'POST /v1/team': post('/v1/team', { email: 'a@example.com', role: 'viewer', password: 'a-long-password-1' }),
  'PATCH /v1/team/{id}': post('/v1/team/nobody', { role: 'viewer' }),
  'DELETE /v1/team/{id}': get('/v1/team/nobody'),
  'GET /v1/copy/provider': get('/v1/copy/provider'),
  'PUT /v1/copy/provider': post('/v1/copy/provider', { baseUrl: 'http://127.0.0.1:9/v1', model: 'm' }),
  'DELETE /v1/copy/provider': get('/v1/copy/provider'),
  'POST /v1/copy/suggest': post('/v1/copy/suggest', { channel: 'email' }),
  'GET /v1/copy/log': get('/v1/copy/log'),
  'GET /v1/inbox/{userId}': get('/v1/inbox/b-user'),
  'POST /v1/inbox/{userId}/messages/{messageId}/read': (b) => ({ path: `/v1/inbox/b-user/messages/${b.message}/read`, body: {} }),
  'POST /v1/inbox/{userId}/messages/{messageId}/dismiss': (b) => ({ path: `/v1/inbox/b-user/messages/${b.message}/dismiss`, body: {} }),
  'GET /v1/t/o/{token}': get('/v1/t/o/x'),
  'GET /v1/t/c/{token}': get('/v1/t/c/x'),
  'GET /s/{code}': get('/s/x'),
  'POST /v1/t/open': post('/v1/t/open', { token: 'x' }),
  'POST /v1/session': post('/v1/session', { email: 'a@example.com', password: 'wrong-password-1' }),
  'GET /v1/session': get('/v1/session'),
  'DELETE /v1/session': get('/v1/session'),
  'POST /v1/session/password': post('/v1/session/password', { oldPassword: 'x-long-password-1', newPassword: 'y-long-password-1' }),
  'POST /v1/unsubscribe/{token}': post('/v1/unsubscribe/x'),
  'POST /v1/twilio/status': post('/v1/twilio/status'),
  'POST /v1/twilio/inbound': post('/v1/twilio/inbound'),
  'POST /v1/bounces': post('/v1/bounces'),
};

/** B as its own admin key reads it: every read, with what changes by itself (the time, keys' last use) left out. */
async function snapshot(api: TestApi, key: string): Promise<unknown> {
  const reads = [
    '/v1/journeys', '/v1/journeys/b-journey', '/v1/journeys/b-journey/versions', '/v1/journeys/b-journey/stats',
    '/v1/users/b-user', '/v1/users/b-user/events', '/v1/users/b-user/journeys', '/v1/users/b-user/messages', '/v1/users/b-user/explain',
    '/v1/users/b-anon', '/v1/messages', '/v1/catalog/events', '/v1/catalog/traits', '/v1/settings', '/v1/providers', '/v1/keys',
    '/v1/copy/provider', '/v1/copy/log', '/v1/inbox/b-user', '/v1/projects',
  ];
  const answers: Record<string, unknown> = {};
  for (const read of reads) {
    const answer = await api.call('GET', read, { key });
    answers[read] = JSON.parse(JSON.stringify(answer), (name, value) => (name === 'lastUsedAt' || name === 'generatedAt' ? undefined : value));
  }
  return answers;
}

await forEachStore((store) => {
  test("the default project's admin key, through every operation, neither reads nor changes anything of project B", async () => {
    const api = await startApi({ store, rateLimit: null });
    const made = await api.call('POST', '/v1/projects', { body: { id: 'shop-b', name: 'Shop B' } });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const b = { admin: made.body.keys.admin as string, write: made.body.keys.write as string };

    // B, filled through its own keys.
    const ok = async (method: string, path: string, key: string, body?: unknown) => {
      const answer = await api.call(method, path, { key, body });
      assert.ok(answer.status < 300, `${method} ${path} in B: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body;
    };
    await ok('POST', '/v1/journeys', b.admin, { id: 'b-journey', definition: journey });
    await ok('POST', '/v1/journeys/b-journey/publish', b.admin);
    await ok('POST', '/v1/profiles', b.write, { userId: 'b-user', traits: { secret: 'marker-b-trait', email: 'marker-b@example.com' } });
    await ok('POST', '/v1/events', b.write, { userId: 'b-user', event: 'Signed Up', messageId: 'b-signup', properties: { note: 'marker-b-property' } });
    await ok('POST', '/v1/identities', b.write, { anonymousId: 'b-anon', userId: 'b-user' });
    await ok('PUT', '/v1/settings', b.admin, { timezone: 'Asia/Tokyo' });
    await ok('PUT', '/v1/providers/webhook', b.admin, { provider: 'webhook', timeoutMs: 4321, secret: 'whsec_BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=' });
    const key = await ok('POST', '/v1/keys', b.admin, { kind: 'write', name: 'marker-b-key' });
    const inbox = await ok('GET', '/v1/inbox/b-user', b.write);
    assert.equal(inbox.messages.length, 1, 'B\'s journey sent to its user');
    const ids: BIds = { message: inbox.messages[0].id, key: key.id };
    const before = await snapshot(api, b.admin);
    assert.match(JSON.stringify(before), MARKERS, 'B\'s own key reads B');

    const doc = (await api.call('GET', '/openapi.json', { key: null })).body as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${p}`));
    assert.deepEqual(operations.filter((op) => !(op in WALK)), [], 'operations missing from the walk: say what each is sent');

    const leaks: string[] = [];
    for (const operation of operations) {
      const [method] = operation.split(' ') as [string, string];
      const call = WALK[operation]!(ids);
      if (!call) continue;
      const body = method === 'GET' || method === 'DELETE' ? undefined : JSON.stringify(call.body ?? {});
      const answer = await fetch(`${api.url}${call.path}`, {
        method,
        redirect: 'manual',
        headers: { authorization: `Bearer ${api.admin}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body } : {}),
      });
      const text = await answer.text(); // any format: JSON, Prometheus text, a GIF
      if (answer.status >= 500) leaks.push(`${operation}: ${answer.status} ${text.slice(0, 200)}`);
      if (MARKERS.test(text)) leaks.push(`${operation} showed B's data: ${text.slice(0, 200)}`);
    }
    assert.deepEqual(leaks, []);
    assert.deepEqual(await snapshot(api, b.admin), before, 'B is as it was');

    // And the other way: B's keys cannot name the default project, nor make projects.
    assert.equal((await api.call('GET', '/p/default/v1/journeys', { key: b.admin })).status, 403);
    assert.equal((await api.call('POST', '/v1/projects', { key: b.admin, body: { id: 'c', name: 'C' } })).status, 403);
    assert.equal((await api.call('GET', '/v1/team', { key: b.admin })).status, 403);
    const signIn = await api.call('POST', '/v1/session', { key: null, body: { key: b.admin } });
    assert.equal(signIn.status, 403, 'the dashboard signs in with the default project\'s key');
    assert.match(signIn.body.message, /belongs to project "shop-b"/);
    assert.deepEqual((await api.call('GET', '/v1/projects', { key: b.admin })).body.projects.map((p: { id: string }) => p.id), ['shop-b']);
  });
});

await forEachStore((store) => {
  test("a project's public links come back to it by the /p/<id> prefix of its publicUrl, and to no other project", async () => {
    const api = await startApi({ store, rateLimit: null });
    const made = await api.call('POST', '/v1/projects', { body: { id: 'shop-b', name: 'Shop B' } });
    const b = { admin: made.body.keys.admin as string, write: made.body.keys.write as string };
    const smtp = await smtpServer();
    const email = { provider: 'smtp', host: '127.0.0.1', port: smtp.port, from: 'Shop B <news@b.test>', publicUrl: `${api.url}/p/shop-b` };
    assert.equal((await api.call('PUT', '/v1/providers/email', { key: b.admin, body: email })).status, 200);
    const mailJourney = path('mail', [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Ordered' } },
      { id: 'note', kind: 'send', channel: 'email', message: { subject: 'Thanks', body: '<p>See <a href="https://b.test/order">your order</a></p>' } },
      { id: 'out', kind: 'exit' },
    ], { setup: { timezone: 'UTC' } });
    assert.equal((await api.call('POST', '/v1/journeys', { key: b.admin, body: { id: 'mail', definition: mailJourney } })).status, 201);
    assert.equal((await api.call('POST', '/v1/journeys/mail/publish', { key: b.admin })).status, 200);
    assert.equal((await api.call('POST', '/v1/profiles', { key: b.write, body: { userId: 'ana', traits: { email: 'ana@b.test' } } })).status, 200);
    assert.equal((await api.call('POST', '/v1/events', { key: b.write, body: { userId: 'ana', event: 'Ordered', messageId: 'o1' } })).status, 200);

    const raw = await eventually(async () => smtp.mails[0]?.raw, 30_000, "B's email");
    const mail = parseMail(raw);
    const prefix = `${api.url}/p/shop-b`;
    const unsubscribe = new RegExp(`^<${prefix}(/v1/unsubscribe/[^>]+)>$`).exec(mail.headers.get('list-unsubscribe') ?? '')?.[1];
    const html = mail.parts.find((p) => p.type === 'text/html')!.text;
    const click = new RegExp(`href="${prefix}(/v1/t/c/[^"]+)"`).exec(html)?.[1];
    assert.ok(unsubscribe && click, `B's links carry its prefix: ${mail.headers.get('list-unsubscribe')} ${html}`);

    // At the default project (no prefix), B's links are unknown: 404, and nothing recorded anywhere.
    const post = (p: string) => fetch(`${api.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    assert.equal((await post(unsubscribe)).status, 404);
    assert.equal((await fetch(`${api.url}${click}`, { redirect: 'manual' })).status, 404);
    assert.equal((await api.call('GET', '/v1/users/ana', { key: b.admin })).body.traits.emailOptOut, undefined);
    assert.equal((await api.call('GET', '/v1/users/ana')).status, 404, 'the default project has no such user');
    // With B's prefix, they are B's.
    assert.equal((await post(`/p/shop-b${unsubscribe}`)).status, 200);
    const redirected = await fetch(`${api.url}/p/shop-b${click}`, { redirect: 'manual' });
    assert.deepEqual([redirected.status, redirected.headers.get('location')], [302, 'https://b.test/order']);
    assert.equal((await api.call('GET', '/v1/users/ana', { key: b.admin })).body.traits.emailOptOut, true);
    const stats = (await api.call('GET', '/v1/journeys/mail/stats', { key: b.admin })).body.nodes.find((n: { nodeId: string }) => n.nodeId === 'note');
    assert.equal(stats.clicked, 1);
    // A prefix naming no project is a 404, a key's own project named twice is fine, a clash is a 400.
    assert.equal((await fetch(`${api.url}/p/nope${click}`, { redirect: 'manual' })).status, 404);
    assert.equal((await api.call('GET', '/p/shop-b/v1/journeys', { key: b.admin })).status, 200);
    const clash = await fetch(`${api.url}/p/shop-b/v1/journeys`, { headers: { authorization: `Bearer ${b.admin}`, 'waymark-project': 'default' } });
    assert.equal(clash.status, 400);
  });
});

await forEachStore((store) => {
  test('POST /v1/projects refuses hostile values with a 400 naming the field, and makes nothing', async () => {
    const api = await startApi({ store, rateLimit: null });
    const bodies: Array<[unknown, RegExp]> = [
      [{ id: 'shop-b', name: 'a\u0000b' }, /name/],
      [{ id: 'shop-b', name: 'x'.repeat(100_000) }, /name/],
      [{ id: 'shop-b\ud800', name: 'B' }, /id/],
      [{ id: 42, name: 'B' }, /id/],
      [{ id: { nested: { deeper: ['shop-b'] } }, name: 'B' }, /id/],
      [{ id: 'shop-b', name: ['B'] }, /name/],
      [{ id: 'shop-b', name: 'B', __proto__: { admin: true }, extra: 1 }, /extra/],
      [{ id: 'default', name: 'B' }, /id/],
      [{ id: 'a'.repeat(33), name: 'B' }, /id/],
    ];
    for (const [body, field] of bodies) {
      const answer = await api.call('POST', '/v1/projects', { body });
      assert.equal(answer.status, 400, JSON.stringify(body).slice(0, 80));
      assert.match(JSON.stringify(answer.body), field);
    }
    assert.deepEqual((await api.call('GET', '/v1/projects')).body.projects.map((p: { id: string }) => p.id), ['default'], 'nothing made');
    assert.equal((await api.call('POST', '/v1/projects', { body: { id: 'shop-b', name: 'Shop B' } })).status, 201, 'the next good one goes through');
  });
});
