import assert from 'node:assert/strict';
import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import { after, test } from 'node:test';
import { authHook, hashKey } from '../../src/api/auth.ts';
import { Sessions } from '../../src/api/sessions.ts';
import type { ApiKeyRecord } from '../../src/store/store.ts';
import { startApi } from '../api/helpers.ts';
import { Projects } from '../../src/app/projects.ts';
import type { Waymark } from '../../src/app/waymark.ts';
import type { EngineHandle } from '../../src/engine/handle.ts';
import { ProjectRouter } from '../../src/api/project-route.ts';

/** A raw request: the test decides every header, cookies included. */
async function send(url: string, method: string, headers: Record<string, string> = {}, body?: unknown) {
  const response = await fetch(url, {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

function cookieOf(setCookie: string | null): string {
  const match = /^waymark_session=([^;]+)/.exec(setCookie ?? '');
  assert.ok(match, `a session cookie is set: ${setCookie}`);
  return `waymark_session=${match[1]}`;
}

test('signing in with the admin key sets an httpOnly SameSite=Strict cookie that reads admin routes', async () => {
  const api = await startApi();
  const signIn = await send(`${api.url}/v1/session`, 'POST', {}, { key: api.admin });
  assert.equal(signIn.status, 200);
  assert.equal(signIn.body.signedIn, true);
  const setCookie = signIn.headers.get('set-cookie')!;
  assert.match(setCookie, /HttpOnly/i);
  assert.match(setCookie, /SameSite=Strict/i);
  assert.match(setCookie, /Path=\//);
  assert.match(setCookie, /Max-Age=43200/, 'twelve hours');
  assert.doesNotMatch(setCookie, /Secure/, 'plain http: a Secure cookie would never come back');
  assert.ok(!setCookie.includes(api.admin), 'the cookie is not the key');
  const cookie = cookieOf(setCookie);

  assert.deepEqual((await send(`${api.url}/v1/journeys`, 'GET', { cookie })).body, { journeys: [], nextCursor: null });
  const state = await send(`${api.url}/v1/session`, 'GET', { cookie });
  assert.equal(state.body.signedIn, true);
  assert.equal(state.body.expiresAt, signIn.body.expiresAt);
  assert.deepEqual([state.body.role, state.body.user], ['admin', null], 'the admin key\'s session is admin, of no user');
  assert.deepEqual((await send(`${api.url}/v1/session`, 'GET')).body, { signedIn: false, expiresAt: null, role: null, user: null, userSignIn: false });

  // Without the cookie or a key, nothing changed for API routes.
  assert.equal((await send(`${api.url}/v1/journeys`, 'GET')).status, 401);
  // A bearer key, when sent, decides even with a cookie.
  assert.equal((await send(`${api.url}/v1/journeys`, 'GET', { cookie, authorization: `Bearer ${api.write}` })).status, 403);
});

test('a cookie-authenticated request that changes something needs the CSRF header, else 403', async () => {
  const api = await startApi();
  const cookie = cookieOf((await send(`${api.url}/v1/session`, 'POST', {}, { key: api.admin })).headers.get('set-cookie'));
  const definition = { name: 'Welcome', nodes: [{ id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } }, { id: 'out', kind: 'exit' }], edges: [{ from: 'in', to: 'out' }] };

  const refused = await send(`${api.url}/v1/journeys`, 'POST', { cookie }, { definition });
  assert.equal(refused.status, 403);
  assert.match(refused.body.message, /x-waymark-csrf: 1/);
  const wrongValue = await send(`${api.url}/v1/journeys`, 'POST', { cookie, 'x-waymark-csrf': 'yes' }, { definition });
  assert.equal(wrongValue.status, 403);
  assert.deepEqual((await api.call('GET', '/v1/journeys')).body, { journeys: [], nextCursor: null }, 'nothing was created');

  const created = await send(`${api.url}/v1/journeys`, 'POST', { cookie, 'x-waymark-csrf': '1' }, { definition });
  assert.equal(created.status, 201);
  assert.equal(created.body.id, 'welcome');
  // The write key's routes take the session too: it stands for the admin key.
  assert.deepEqual((await send(`${api.url}/v1/events`, 'POST', { cookie, 'x-waymark-csrf': '1' }, { userId: 'u1', event: 'Signed Up', messageId: 'm1' })).body, {
    accepted: 1,
    duplicates: 0,
  });
  // Bearer requests need no such header: the CLI and integrations are unchanged.
  assert.equal((await api.call('POST', '/v1/journeys/welcome/publish', { body: {} })).status, 200);
});

test('sign-in refuses the write key and wrong keys, and names the field of a bad body', async () => {
  const api = await startApi();
  const write = await send(`${api.url}/v1/session`, 'POST', {}, { key: api.write });
  assert.equal(write.status, 403);
  assert.match(write.body.message, /admin key/);
  assert.equal(write.headers.get('set-cookie'), null);
  const wrong = await send(`${api.url}/v1/session`, 'POST', {}, { key: `${api.admin}x` });
  assert.deepEqual([wrong.status, wrong.body.message], [401, 'invalid API key']);
  const missing = await send(`${api.url}/v1/session`, 'POST', {}, {});
  assert.equal(missing.status, 400);
  assert.equal(missing.body.problems[0].path, '/email', 'neither key nor email: the email is asked for');
  const long = await send(`${api.url}/v1/session`, 'POST', {}, { key: 'k'.repeat(201) });
  assert.equal(long.status, 400);
  assert.equal(long.body.problems[0].path, '/key');
});

test('signing out ends the session at once; a forged or stale cookie is 401', async () => {
  const api = await startApi();
  const cookie = cookieOf((await send(`${api.url}/v1/session`, 'POST', {}, { key: api.admin })).headers.get('set-cookie'));

  const noHeader = await send(`${api.url}/v1/session`, 'DELETE', { cookie });
  assert.equal(noHeader.status, 403);
  assert.equal((await send(`${api.url}/v1/journeys`, 'GET', { cookie })).status, 200, 'still signed in');

  const out = await send(`${api.url}/v1/session`, 'DELETE', { cookie, 'x-waymark-csrf': '1' });
  assert.equal(out.status, 200);
  assert.deepEqual(out.body, { signedIn: false, expiresAt: null, role: null, user: null, userSignIn: false });
  assert.match(out.headers.get('set-cookie')!, /^waymark_session=;.*Expires=Thu, 01 Jan 1970/);

  const after = await send(`${api.url}/v1/journeys`, 'GET', { cookie });
  assert.equal(after.status, 401);
  assert.match(after.body.message, /sign in again/);
  assert.equal((await send(`${api.url}/v1/journeys`, 'GET', { cookie: 'waymark_session=forged' })).status, 401);
});

test('sessions expire, hold only hashes, end when their key is gone, and are bounded', () => {
  let now = 1_000;
  const sessions = new Sessions(() => now, 100, 3);
  const a = sessions.open({ keyHash: hashKey('admin-key') });
  assert.equal(a.expiresAt, 1_100);
  assert.match(a.id, /^[A-Za-z0-9_-]{43}$/, '32 random bytes');
  assert.deepEqual(sessions.get(a.id), { keyHash: hashKey('admin-key'), expiresAt: 1_100 });
  now = 1_099;
  assert.notEqual(sessions.get(a.id), null);
  now = 1_100;
  assert.equal(sessions.get(a.id), null, 'expired at expiresAt');
  assert.equal(sessions.size, 0, 'and dropped');

  const ids = [1, 2, 3, 4].map(() => sessions.open({ keyHash: 'k' }).id);
  assert.equal(sessions.size, 3);
  assert.equal(sessions.get(ids[0]!), null, 'the oldest made room');
  assert.notEqual(sessions.get(ids[3]!), null);
  sessions.close(ids[3]!);
  assert.equal(sessions.get(ids[3]!), null);
});

test('revoking the admin key a session signed in with ends the session', async () => {
  let now = 0;
  const keys: ApiKeyRecord[] = [{ kind: 'admin', hash: hashKey('old-admin-key'), createdAt: 0 }];
  const sessions = new Sessions(() => now);
  const app = Fastify();
  await app.register(cookie);
  const store = { listApiKeys: async () => [...keys], touchApiKey: async () => {}, getDashboardUser: async () => null };
  const router = new ProjectRouter(new Projects({ store } as unknown as Waymark<EngineHandle>, null), undefined, () => now);
  app.addHook('onRequest', authHook(router, sessions, () => now));
  app.get('/v1/thing', async () => ({ ok: true }));
  after(() => app.close());
  const { id } = sessions.open({ keyHash: hashKey('old-admin-key') });
  const get = () => app.inject({ method: 'GET', url: '/v1/thing', cookies: { waymark_session: id } });

  assert.equal((await get()).statusCode, 200);
  keys.splice(0, 1, { kind: 'admin', hash: hashKey('new-admin-key'), createdAt: 1 });
  now = 1_000;
  assert.equal((await get()).statusCode, 200, 'within the key cache\'s second the old list stands');
  now = 1_001;
  const revoked = await get();
  assert.equal(revoked.statusCode, 401);
  assert.match(revoked.json().message, /revoked/);
  assert.equal(sessions.size, 0, 'the session is gone, not just refused');
});
