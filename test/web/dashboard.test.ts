import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers.ts';
import { startApi } from '../api/helpers.ts';

/** A stand-in for web/dist: what Vite writes, small enough to check byte for byte. */
function fakeBuild(): string {
  const dir = tempDir('waymark-dashboard-');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Waymark</title><div id="root"></div>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log("app")');
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(dir, '.secret'), 'not for the web');
  writeFileSync(join(dir, '..', 'outside.txt'), 'not for the web either');
  return dir;
}

test('the dashboard is served at / and its pages without a key; assets are cached for good', async () => {
  const api = await startApi({ dashboardDir: fakeBuild() });
  for (const path of ['/', '/journeys', '/journeys/abandoned-cart', '/journeys/abandoned-cart?tab=stats']) {
    const page = await fetch(`${api.url}${path}`);
    assert.equal(page.status, 200, path);
    assert.match(page.headers.get('content-type')!, /^text\/html/);
    assert.equal(await page.text(), '<!doctype html><title>Waymark</title><div id="root"></div>');
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    const csp = page.headers.get('content-security-policy')!;
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  }
  const script = await fetch(`${api.url}/assets/index-abc123.js`);
  assert.equal(script.status, 200);
  assert.match(script.headers.get('content-type')!, /javascript/);
  assert.equal(script.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(await script.text(), 'console.log("app")');
  const icon = await fetch(`${api.url}/favicon.svg`);
  assert.equal(icon.status, 200);
  assert.match(icon.headers.get('content-type')!, /^image\/svg\+xml/);
});

test('only the build is served: no dotfiles, nothing outside it, and API paths keep their JSON answers', async () => {
  const api = await startApi({ dashboardDir: fakeBuild() });
  const refused = async (path: string) => {
    const response = await fetch(`${api.url}${path}`);
    const text = await response.text();
    assert.notEqual(response.status, 200, path);
    assert.ok(!text.includes('not for the web'), `${path} leaks nothing`);
    return response;
  };
  assert.equal((await refused('/assets/missing.js')).status, 404);
  await refused('/assets/..%2F..%2Foutside.txt');
  await refused('/assets/%2e%2e/%2e%2e/outside.txt');
  await refused('/.secret');
  await refused('/assets/..%2F.secret');

  // Paths the app does not own answer in JSON: a route that does not exist is 404 with a key or without one
  // (never a demand for a key it could not use), and a real route still needs its key.
  const unknown = await fetch(`${api.url}/v1/nothing-here`);
  assert.equal(unknown.status, 404);
  assert.match(unknown.headers.get('content-type')!, /^application\/json/);
  assert.equal((await fetch(`${api.url}/journeys/a/b`)).status, 404);
  assert.equal((await api.call('GET', '/v1/nothing-here')).status, 404);
  assert.equal((await fetch(`${api.url}/v1/journeys`)).status, 401);
});

test('without a build, / says how to make one instead of failing', async () => {
  const api = await startApi({ dashboardDir: tempDir('waymark-no-dashboard-') });
  const response = await fetch(`${api.url}/`);
  assert.equal(response.status, 404);
  assert.match((await response.json()).message, /npm run build:web/);
  assert.equal((await fetch(`${api.url}/assets/index.js`)).status, 404, 'no asset route without a build');
});

test('the OpenAPI document describes sign-in and sign-out, and leaves the dashboard pages out', async () => {
  const api = await startApi({ dashboardDir: fakeBuild() });
  const doc = (await api.call('GET', '/openapi.json', { key: null })).body;
  const session = doc.paths['/v1/session'];
  assert.deepEqual(Object.keys(session).sort(), ['delete', 'get', 'post']);
  assert.deepEqual(session.post.security, []);
  // Either an email and password or the admin key: neither is required alone.
  const body = session.post.requestBody.content['application/json'].schema;
  assert.deepEqual([Object.keys(body.properties).sort(), body.required], [['email', 'key', 'password'], undefined]);
  assert.match(session.post.description, /x-waymark-csrf: 1/);
  assert.ok(session.post.responses['401'] && session.post.responses['403']);
  for (const path of ['/', '/journeys', '/journeys/{id}', '/assets/*', '/favicon.svg']) assert.equal(doc.paths[path], undefined, path);
});
