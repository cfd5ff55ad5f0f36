/**
 * Dashboard users over HTTP on both stores: made with the admin key, signed in by email and password (one
 * answer for every wrong pair, limited per email and address), roles enforced, and a change to a user (role,
 * disabled, removed, password reset) counting on its sessions at once; the last enabled admin user stays.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachStore } from '../helpers.ts';
import { eventually, startApi } from './helpers.ts';
import { asSession, cookieOf, makeUser, send, signIn } from './team-helpers.ts';

const definition = { name: 'Welcome', nodes: [{ id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } }, { id: 'out', kind: 'exit' }], edges: [{ from: 'in', to: 'out' }] };

await forEachStore((store) => {
  test('the first admin user is made with the admin key; it signs in by email in any case and the session says who', async () => {
    const api = await startApi({ store });
    assert.equal((await send(`${api.url}/v1/session`, 'GET')).body.userSignIn, false, 'a new server: only the admin key signs in');
    const made = await api.call('POST', '/v1/team', { body: { email: 'Ana@Example.com', name: 'Ana', role: 'admin', password: 'correct horse battery' } });
    assert.equal(made.status, 201);
    assert.deepEqual({ ...made.body, id: typeof made.body.id, createdAt: typeof made.body.createdAt }, {
      id: 'string', email: 'Ana@Example.com', name: 'Ana', role: 'admin', disabled: false, createdAt: 'number', lastSignInAt: null,
    });
    assert.ok(!JSON.stringify((await api.call('GET', '/v1/team')).body).includes('scrypt'), 'no hash in the list');

    const signedIn = await send(`${api.url}/v1/session`, 'POST', {}, { email: 'ana@EXAMPLE.com', password: 'correct horse battery' });
    assert.equal(signedIn.status, 200);
    const setCookie = signedIn.headers.get('set-cookie')!;
    assert.match(setCookie, /HttpOnly/i);
    assert.match(setCookie, /SameSite=Strict/i);
    assert.doesNotMatch(setCookie, /Secure/, 'plain http');
    assert.equal(signedIn.body.role, 'admin');
    const cookie = cookieOf(signedIn);
    const state = await send(`${api.url}/v1/session`, 'GET', { cookie });
    assert.deepEqual([state.body.signedIn, state.body.role, state.body.user.email, state.body.user.name, state.body.userSignIn], [true, 'admin', 'Ana@Example.com', 'Ana', true]);
    assert.equal(typeof state.body.user.lastSignInAt, 'number');
    assert.equal((await asSession(api, cookie)('GET', '/v1/keys')).status, 200, 'an admin user manages keys');

    // Behind a proxy that says the browser came over https, the cookie is Secure.
    const proxied = await send(`${api.url}/v1/session`, 'POST', { 'x-forwarded-proto': 'https' }, { email: 'ana@example.com', password: 'correct horse battery' });
    assert.match(proxied.headers.get('set-cookie')!, /; Secure/);
  });

  test('a wrong password and an unknown email get the same answer; bad input is a 400 naming the field; an email is taken once', async () => {
    const api = await startApi({ store });
    await makeUser(api, 'bo@example.com', 'editor', 'bo-password-12');
    const wrong = await send(`${api.url}/v1/session`, 'POST', {}, { email: 'bo@example.com', password: 'not-the-password' });
    const unknown = await send(`${api.url}/v1/session`, 'POST', {}, { email: 'nobody@example.com', password: 'bo-password-12' });
    assert.deepEqual([wrong.status, wrong.body], [401, { error: 'Unauthorized', message: 'wrong email or password' }]);
    assert.deepEqual([unknown.status, unknown.body], [wrong.status, wrong.body]);
    assert.equal(wrong.headers.get('set-cookie'), null);

    const short = await api.call('POST', '/v1/team', { body: { email: 'cy@example.com', role: 'viewer', password: 'elevenchars' } });
    assert.equal(short.status, 400);
    assert.deepEqual(short.body.problems.map((p: { path: string }) => p.path), ['/password']);
    const notEmail = await api.call('POST', '/v1/team', { body: { email: 'cy.example.com', role: 'viewer', password: 'twelve chars' } });
    assert.deepEqual([notEmail.status, notEmail.body.problems.map((p: { path: string }) => p.path)], [400, ['/email']]);
    const badRole = await api.call('POST', '/v1/team', { body: { email: 'cy@example.com', role: 'owner', password: 'twelve chars' } });
    assert.equal(badRole.status, 400);
    assert.equal(badRole.body.problems[0].path, '/role');
    const taken = await api.call('POST', '/v1/team', { body: { email: 'BO@example.com', role: 'viewer', password: 'twelve chars' } });
    assert.deepEqual([taken.status, taken.body.problems], [409, [{ path: '/email', message: 'is already in use' }]]);
    const emptyPatch = await api.call('PATCH', '/v1/team/whoever', { body: {} });
    assert.equal(emptyPatch.status, 400);
    assert.equal((await api.call('PATCH', '/v1/team/nobody', { body: { name: 'x' } })).status, 404);
    assert.equal((await api.call('DELETE', '/v1/team/nobody')).status, 404);
  });

  test('a viewer reads and changes nothing; an editor edits journeys but not keys, users, providers or settings', async () => {
    const api = await startApi({ store });
    await makeUser(api, 'viewer@example.com', 'viewer');
    await makeUser(api, 'editor@example.com', 'editor');
    const viewer = asSession(api, await signIn(api, 'viewer@example.com', 'viewer-password-1'));
    const editor = asSession(api, await signIn(api, 'editor@example.com', 'editor-password-1'));

    assert.equal((await viewer('GET', '/v1/journeys')).status, 200);
    const refused = await viewer('POST', '/v1/journeys', { definition });
    assert.deepEqual([refused.status, refused.body.message], [403, 'this needs the editor role or higher; you are signed in as a viewer']);
    assert.equal((await editor('POST', '/v1/journeys', { definition })).status, 201);
    assert.equal((await editor('POST', '/v1/journeys/welcome/publish', {})).status, 200);
    assert.equal((await viewer('GET', '/v1/journeys/welcome/stats')).status, 200);
    assert.equal((await viewer('POST', '/v1/journeys/welcome/pause', {})).status, 403);
    for (const [method, path] of [['GET', '/v1/keys'], ['GET', '/v1/team'], ['PUT', '/v1/settings'], ['DELETE', '/v1/providers/email'], ['POST', '/v1/events']] as const) {
      const answer = await editor(method, path, method === 'GET' ? undefined : {});
      assert.equal(answer.status, 403, `${method} ${path} as an editor`);
      assert.match(answer.body.message, /needs the admin role/);
    }
    assert.equal((await viewer('GET', '/v1/settings')).status, 200, 'settings are read by all');
    // The CSRF header is still needed of every role.
    const editorCookie = await signIn(api, 'editor@example.com', 'editor-password-1');
    const noHeader = await send(`${api.url}/v1/journeys/welcome/pause`, 'POST', { cookie: editorCookie }, {});
    assert.equal(noHeader.status, 403);
    assert.match(noHeader.body.message, /x-waymark-csrf/);
  });

  test('disabling, removing, resetting the password or demoting a user counts on its sessions at once', async () => {
    const api = await startApi({ store });
    const ed = await makeUser(api, 'ed@example.com', 'editor');
    const cookie = await signIn(api, 'ed@example.com', 'editor-password-1');
    const as = asSession(api, cookie);
    assert.equal((await as('POST', '/v1/journeys', { definition })).status, 201);

    const demoted = await api.call('PATCH', `/v1/team/${ed}`, { body: { role: 'viewer' } });
    assert.deepEqual([demoted.status, demoted.body.role], [200, 'viewer']);
    assert.equal((await as('PUT', '/v1/journeys/welcome', { definition })).status, 403, 'a viewer now');
    assert.equal((await send(`${api.url}/v1/session`, 'GET', { cookie })).body.role, 'viewer');

    assert.equal((await api.call('PATCH', `/v1/team/${ed}`, { body: { disabled: true } })).status, 200);
    const disabled = await as('GET', '/v1/journeys');
    assert.equal(disabled.status, 401);
    assert.match(disabled.body.message, /disabled or removed/);
    assert.equal((await send(`${api.url}/v1/session`, 'POST', {}, { email: 'ed@example.com', password: 'editor-password-1' })).status, 401, 'a disabled user cannot sign in');
    assert.equal((await api.call('PATCH', `/v1/team/${ed}`, { body: { disabled: false } })).status, 200);
    assert.equal((await as('GET', '/v1/journeys')).status, 401, 'the session ended for good');

    const again = await signIn(api, 'ed@example.com', 'editor-password-1');
    assert.equal((await api.call('PATCH', `/v1/team/${ed}`, { body: { password: 'a brand new password' } })).status, 200);
    assert.equal((await send(`${api.url}/v1/journeys`, 'GET', { cookie: again })).status, 401, 'a reset ends the sessions');
    const third = await signIn(api, 'ed@example.com', 'a brand new password');
    assert.equal((await api.call('DELETE', `/v1/team/${ed}`)).body.ok, true);
    assert.equal((await send(`${api.url}/v1/journeys`, 'GET', { cookie: third })).status, 401, 'removed');
  });

  test('the last enabled admin user can be neither removed, disabled nor demoted; with a second admin it can', async () => {
    const api = await startApi({ store });
    const ana = await makeUser(api, 'ana@example.com', 'admin');
    const as = asSession(api, await signIn(api, 'ana@example.com', 'admin-password-1'));
    for (const change of [{ role: 'editor' }, { disabled: true }]) {
      const refused = await as('PATCH', `/v1/team/${ana}`, change);
      assert.equal(refused.status, 409, JSON.stringify(change));
      assert.match(refused.body.message, /last enabled admin user/);
    }
    assert.equal((await api.call('DELETE', `/v1/team/${ana}`)).status, 409, 'not with the admin key either');
    const bo = await makeUser(api, 'bo@example.com', 'viewer');
    assert.equal((await as('PATCH', `/v1/team/${bo}`, { role: 'admin' })).status, 200);
    assert.equal((await as('PATCH', `/v1/team/${ana}`, { role: 'viewer' })).status, 200, 'bo is an admin now');
    assert.equal((await as('GET', '/v1/team')).status, 403, 'and ana, demoted, manages no one');
    assert.equal((await api.call('DELETE', `/v1/team/${bo}`)).status, 409, 'bo is the last admin now');
    assert.equal((await api.call('DELETE', `/v1/team/${ana}`)).status, 200);
  });

  test('a user changes its own password with the old one; the session goes on', async () => {
    const api = await startApi({ store });
    await makeUser(api, 'cy@example.com', 'viewer');
    const cookie = await signIn(api, 'cy@example.com', 'viewer-password-1');
    const as = asSession(api, cookie);
    const wrongOld = await as('POST', '/v1/session/password', { oldPassword: 'guess-guess-guess', newPassword: 'a new long password' });
    assert.deepEqual([wrongOld.status, wrongOld.body.problems[0].path], [400, '/oldPassword']);
    const short = await as('POST', '/v1/session/password', { oldPassword: 'viewer-password-1', newPassword: 'short' });
    assert.deepEqual([short.status, short.body.problems[0].path], [400, '/newPassword']);
    assert.equal((await as('POST', '/v1/session/password', { oldPassword: 'viewer-password-1', newPassword: 'a new long password' })).status, 200);
    assert.equal((await as('GET', '/v1/journeys')).status, 200, 'this session goes on');
    assert.equal((await send(`${api.url}/v1/session`, 'POST', {}, { email: 'cy@example.com', password: 'viewer-password-1' })).status, 401);
    await signIn(api, 'cy@example.com', 'a new long password');
    const keySession = cookieOf(await send(`${api.url}/v1/session`, 'POST', {}, { key: api.admin }));
    const none = await asSession(api, keySession)('POST', '/v1/session/password', { oldPassword: 'x', newPassword: 'a new long password' });
    assert.equal(none.status, 400, 'the admin key has no password');
  });

  test('failed sign-ins are limited per email and per address, whatever the password; the window passes', async () => {
    let now = 1_000_000;
    const api = await startApi({ store, authClock: () => now, signInLimit: { perEmail: 3, perAddress: 5, windowMs: 60_000 } });
    await makeUser(api, 'dee@example.com', 'viewer');
    const attempt = (email: string, password: string) => send(`${api.url}/v1/session`, 'POST', {}, { email, password });
    for (let i = 0; i < 3; i++) assert.equal((await attempt('dee@example.com', 'wrong password')).status, 401);
    const limited = await attempt('dee@example.com', 'viewer-password-1');
    assert.deepEqual([limited.status, limited.body.message], [429, 'too many failed sign-ins; try again in 1 minute'], 'even the right password');
    // Two more failures from this address (for another email) reach the address's limit of 5.
    for (let i = 0; i < 2; i++) assert.equal((await attempt('other@example.com', 'wrong password')).status, 401);
    assert.equal((await attempt('fresh@example.com', 'wrong password')).status, 429, 'the address is limited too');
    now += 60_000;
    assert.equal((await attempt('dee@example.com', 'viewer-password-1')).status, 200, 'after the window');
  });

  test('a key records when it was last used', async () => {
    const api = await startApi({ store });
    assert.equal((await api.call('POST', '/v1/events', { key: api.write, body: { userId: 'u', event: 'E' } })).status, 200);
    // Written after the answer, off the request's path: wait for it rather than for a time.
    const keys = await eventually(async () => {
      const list = (await api.call('GET', '/v1/keys')).body.keys as Array<{ kind: string; lastUsedAt: number | null }>;
      return list.every((k) => typeof k.lastUsedAt === 'number') ? list : undefined;
    }, 30_000, 'both keys to have a last use');
    assert.deepEqual(keys.map((k) => k.kind).sort(), ['admin', 'write']);
  });
});
