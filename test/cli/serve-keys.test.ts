import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers.ts';
import { runCli, serve } from './run.ts';

const ADMIN = 'test-admin-key-0123456789';
const WRITE = 'test-write-key-0123456789';

test('serve: keys seeded from the environment on first start; a taken port is one readable line', async () => {
  const dir = tempDir('waymark-cli-serve-');
  const server = await serve(join(dir, 'a.db'), { WAYMARK_ADMIN_KEY: ADMIN, WAYMARK_WRITE_KEY: WRITE });
  assert.match(server.output().stdout, /admin key: \(the value of WAYMARK_ADMIN_KEY\)/);
  assert.doesNotMatch(server.output().stdout, new RegExp(ADMIN));
  const list = await runCli(['journey', 'list'], { WAYMARK_URL: server.url, WAYMARK_ADMIN_KEY: ADMIN });
  assert.equal(list.code, 0, list.stderr);

  const port = new URL(server.url).port;
  const clash = await runCli(['serve', '--db', join(dir, 'b.db'), '--port', port]);
  assert.equal(clash.code, 1);
  assert.match(clash.stderr, new RegExp(`^waymark: port ${port} on 127\\.0\\.0\\.1 is already in use; choose another with --port\\n$`));
  // No keys were made for b.db, so none were shown and lost: the first server to listen on it shows them.
  assert.doesNotMatch(clash.stdout, /API keys created/);

  assert.equal(await server.stop(), 0);
  const later = await serve(join(dir, 'b.db'));
  assert.match(later.output().stdout, /API keys created for this database[^]*admin key: wm_admin_\S+\n  write key: wm_write_\S+\n/);
  assert.ok(later.output().stdout.indexOf('API keys created') < later.output().stdout.indexOf('Waymark listening on'), 'keys, then the line that says the server is ready');
  assert.equal(await later.stop(), 0);
});

test('serve: a second server on the same SQLite file is refused at start; once the first stops, one may start', async () => {
  const dir = tempDir('waymark-cli-serve-');
  const db = join(dir, 'a.db');
  const first = await serve(db, { WAYMARK_ADMIN_KEY: ADMIN, WAYMARK_WRITE_KEY: WRITE });
  const second = await runCli(['serve', '--db', db, '--port', '0']);
  assert.equal(second.code, 1);
  assert.equal(
    second.stderr,
    `waymark: ${db} is in use by another Waymark server: the embedded store serves one process. Stop the other server, give this one another --db file, or use PostgreSQL (--database postgres://...) to run several processes.\n`,
  );
  assert.equal(second.stdout, '');
  first.child.kill('SIGKILL'); // the lock goes with the process, however it ends
  await first.exited;
  const third = await serve(db, { WAYMARK_ADMIN_KEY: ADMIN, WAYMARK_WRITE_KEY: WRITE });
  assert.equal(await third.stop(), 0);
});
