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

  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0);
});
