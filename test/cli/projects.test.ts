/**
 * `waymark projects` against a real `waymark serve` on the embedded store: a project made by the CLI gets its
 * own file, keys and engine (in a thread of its own), works in its own data only, and is there again, engine
 * and all, after the server restarts.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers.ts';
import { path } from '../journeys.ts';
import { runCli, serve } from './run.ts';

const journey = path('welcome', [
  { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
  { id: 'hello', kind: 'send', channel: 'inbox', message: { title: 'Welcome to B', body: 'Hi' } },
  { id: 'out', kind: 'exit' },
], { setup: { timezone: 'UTC' } });

async function call(url: string, key: string, method: string, route: string, body?: unknown) {
  const response = await fetch(`${url}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as any };
}

test('projects: create prints the keys once; the project has its own file, data and engine, and survives a restart', async () => {
  const dir = tempDir('waymark-cli-projects-');
  const db = join(dir, 'waymark.db');
  let server = await serve(db);
  const admin = /admin key: (wm_admin_\S+)/.exec(server.output().stdout)![1]!;
  const env = () => ({ WAYMARK_URL: server.url, WAYMARK_ADMIN_KEY: admin });

  const made = await runCli(['projects', 'create', 'shop-b', '--name', 'Shop B'], env());
  assert.equal(made.code, 0, made.stderr);
  const lines = made.stdout.split('\n');
  assert.equal(lines[0], 'project shop-b ("Shop B") made. Its keys, shown this once:');
  const bAdmin = /^ {2}admin key: (wm_admin_\S{32})$/.exec(lines[1]!)![1]!;
  const bWrite = /^ {2}write key: (wm_write_\S{32})$/.exec(lines[2]!)![1]!;
  assert.ok(existsSync(join(dir, 'waymark.shop-b.db')), 'the project is a file beside the default one');

  const list = await runCli(['projects', 'list'], env());
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^ID +CREATED +NAME\ndefault +- +Default\nshop-b +\d{4}-\d\d-\d\d \d\d:\d\d +Shop B\n$/);
  const own = await runCli(['projects', 'list'], { ...env(), WAYMARK_ADMIN_KEY: bAdmin });
  assert.match(own.stdout, /^ID +CREATED +NAME\nshop-b +/);
  assert.doesNotMatch(own.stdout, /default/);

  // B's engine sends in B; the default project sees none of it.
  assert.equal((await call(server.url, bAdmin, 'POST', '/v1/journeys', { id: 'welcome', definition: journey })).status, 201);
  assert.equal((await call(server.url, bAdmin, 'POST', '/v1/journeys/welcome/publish')).status, 200);
  assert.equal((await call(server.url, bWrite, 'POST', '/v1/events', { userId: 'ana', event: 'Signed Up', messageId: 's1' })).status, 200);
  assert.deepEqual((await call(server.url, bWrite, 'GET', '/v1/inbox/ana')).body.messages.map((m: { title: string }) => m.title), ['Welcome to B']);
  assert.ok(!(await call(server.url, admin, 'GET', '/v1/journeys')).body.journeys.some((j: { id: string }) => j.id === 'welcome'));
  assert.equal((await call(server.url, admin, 'GET', '/v1/users/ana')).status, 404);

  // A project's file is the running server's: a second server on it is refused, as on the default file.
  const second = await runCli(['serve', '--db', join(dir, 'waymark.shop-b.db'), '--port', '0']);
  assert.equal(second.code, 1);
  assert.match(second.stderr, /waymark\.shop-b\.db is in use by another Waymark server/);

  const bad = await runCli(['projects', 'create', 'Shop_C', '--name', 'C'], env());
  assert.deepEqual([bad.code, bad.stderr], [1, 'waymark: "Shop_C" cannot be a project id: use 1 to 32 lowercase letters, digits and dashes, a letter first, not "default"\n']);
  const taken = await runCli(['projects', 'create', 'shop-b', '--name', 'Again'], env());
  assert.equal(taken.code, 1);
  assert.match(taken.stderr, /409: a project "shop-b" exists already/);
  const notHers = await runCli(['projects', 'create', 'shop-c', '--name', 'C'], { ...env(), WAYMARK_ADMIN_KEY: bAdmin });
  assert.equal(notHers.code, 1);
  assert.match(notHers.stderr, /403: this belongs to the deployment, not to project "shop-b"/);

  server.child.kill();
  await server.exited;
  server = await serve(db);
  assert.doesNotMatch(server.output().stdout, /keys created/, 'a restart makes no keys');
  assert.equal((await call(server.url, bWrite, 'POST', '/v1/events', { userId: 'bo', event: 'Signed Up', messageId: 's2' })).status, 200);
  assert.deepEqual((await call(server.url, bWrite, 'GET', '/v1/inbox/bo')).body.messages.map((m: { title: string }) => m.title), ['Welcome to B'], "B's engine runs again after a restart");
  server.child.kill();
  await server.exited;
});
