/** `waymark users list|create|remove` against a real server: a made password signs in, a given one is not printed, errors are one line. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers.ts';
import { runCli, serve } from './run.ts';

const signIn = (url: string, email: string, password: string) =>
  fetch(`${url}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) }).then((r) => r.status);

test('users: create with a generated or a given password, list, remove; the last admin stays; errors are one line', async () => {
  const server = await serve(join(tempDir('waymark-cli-users-'), 'waymark.db'));
  const admin = /admin key: (wm_admin_\S+)/.exec(server.output().stdout)![1]!;
  const env = { WAYMARK_URL: server.url, WAYMARK_ADMIN_KEY: admin };

  const made = await runCli(['users', 'create', '--email', 'ana@example.com', '--role', 'admin', '--name', 'Ana'], env);
  assert.equal(made.code, 0, made.stderr);
  const [line, label, password, rest] = made.stdout.split('\n');
  assert.match(line!, /^admin ana@example\.com \(id [0-9a-f-]{36}\) made$/);
  assert.equal(label, 'password, shown this once:');
  assert.match(password!, /^[A-Za-z0-9_-]{22}$/, '16 random bytes');
  assert.equal(rest, '');
  assert.equal(await signIn(server.url, 'ana@example.com', password!), 200);

  const given = await runCli(['users', 'create', '--email', 'bo@example.com', '--role', 'viewer'], { ...env, WAYMARK_USER_PASSWORD: 'bo-chose-this-one' });
  assert.equal(given.code, 0, given.stderr);
  assert.ok(!given.stdout.includes('bo-chose-this-one'), 'a given password is not printed');
  assert.equal(await signIn(server.url, 'bo@example.com', 'bo-chose-this-one'), 200);

  const list = await runCli(['users', 'list'], env);
  assert.equal(list.code, 0, list.stderr);
  const rows = list.stdout.trimEnd().split('\n');
  assert.match(rows[0]!, /^ID +EMAIL +ROLE +STATE +LAST SIGN-IN +NAME$/);
  assert.match(rows[1]!, /^\S+ +ana@example\.com +admin +active +\d{4}-\d\d-\d\d \d\d:\d\d +Ana$/);
  assert.match(rows[2]!, /^\S+ +bo@example\.com +viewer +active +\d{4}-\d\d-\d\d \d\d:\d\d +bo$/);
  assert.ok(!list.stdout.includes(password!));

  assert.deepEqual(await runCli(['users', 'remove', 'BO@example.com'], env).then((r) => [r.code, r.stdout]), [0, 'bo@example.com removed\n']);
  assert.equal(await signIn(server.url, 'bo@example.com', 'bo-chose-this-one'), 401);
  const last = await runCli(['users', 'remove', 'ana@example.com'], env);
  assert.equal(last.code, 1);
  assert.match(last.stderr, /^waymark: DELETE \/v1\/team\/\S+ failed with 409: this is the last enabled admin user/);
  const role = await runCli(['users', 'create', '--email', 'x@example.com', '--role', 'owner'], env);
  assert.deepEqual([role.code, role.stderr], [1, 'waymark: "owner" is not a role: admin, editor or viewer\n']);
  const short = await runCli(['users', 'create', '--email', 'x@example.com', '--role', 'viewer'], { ...env, WAYMARK_USER_PASSWORD: 'short' });
  assert.equal(short.code, 1);
  assert.match(short.stderr, /400.*password/);
  const unknown = await runCli(['users', 'remove', 'nobody@example.com'], env);
  assert.deepEqual([unknown.code, unknown.stderr], [1, 'waymark: no dashboard user "nobody@example.com": see `waymark users list`\n']);
  server.child.kill();
  await server.exited;
});
