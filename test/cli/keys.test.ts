/** `waymark keys list|create|rotate|revoke` against a real server: keys printed once, lists without them, clear errors. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers.ts';
import { runCli, serve } from './run.ts';

const idOf = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 12);

test('keys: list, create a write key for an app, rotate it, revoke it; the last admin key stays; errors are one line', async () => {
  const server = await serve(join(tempDir('waymark-cli-keys-'), 'waymark.db'));
  const admin = /admin key: (wm_admin_\S+)/.exec(server.output().stdout)![1]!;
  const env = { WAYMARK_URL: server.url, WAYMARK_ADMIN_KEY: admin };

  const first = await runCli(['keys', 'list'], env);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^ID +KIND +STARTS WITH +CREATED +NAME\n/);
  assert.ok(first.stdout.includes(`${idOf(admin)}  admin  ${admin.slice(0, 12)}…`), first.stdout);
  assert.ok(!first.stdout.includes(admin), 'the list never shows a key');

  const made = await runCli(['keys', 'create', 'write', '--name', 'iOS app'], env);
  assert.equal(made.code, 0, made.stderr);
  const [line, key, rest] = made.stdout.split('\n');
  assert.match(key!, /^wm_write_\S{32}$/);
  assert.equal(line, `write key "iOS app" (id ${idOf(key!)}), shown this once:`);
  assert.equal(rest, '');
  const ingest = await fetch(`${server.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'u', event: 'E' }) });
  assert.equal(ingest.status, 200);

  const rotated = await runCli(['keys', 'rotate', idOf(key!)], env);
  assert.equal(rotated.code, 0, rotated.stderr);
  const fresh = rotated.stdout.split('\n')[1]!;
  assert.equal(rotated.stdout.split('\n')[0], `${idOf(key!)} rotated: write key "iOS app" is now id ${idOf(fresh)}, shown this once:`);
  assert.equal((await runCli(['keys', 'revoke', idOf(fresh)], env)).stdout, `${idOf(fresh)} revoked\n`);

  const last = await runCli(['keys', 'revoke', idOf(admin)], env);
  assert.equal(last.code, 1);
  assert.match(last.stderr, /^waymark: DELETE \/v1\/keys\/[0-9a-f]{12} failed with 409: key "[0-9a-f]{12}" is the last admin key/);
  const kind = await runCli(['keys', 'create', 'root', '--name', 'x'], env);
  assert.deepEqual([kind.code, kind.stderr], [1, 'waymark: "root" is not a kind of key: write or admin\n']);
  const unknown = await runCli(['keys', 'rotate', '000000000000'], env);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /404: no key "000000000000"/);
  server.child.kill();
  await server.exited;
});
