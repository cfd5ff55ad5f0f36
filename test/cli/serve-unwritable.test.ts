/**
 * A database that cannot be written: `serve` refuses it at start naming the file, and a running server's
 * /ready answers 503 while writes fail and 200 again once they work. The file is made unwritable with the
 * immutable attribute (`chattr +i`), which holds even for root; where the machine does not allow it, the test
 * says so and is skipped.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers.ts';
import { runCli, serve } from './run.ts';

function chattr(flag: '+i' | '-i', files: string[]): boolean {
  return spawnSync('chattr', [flag, ...files.filter((f) => existsSync(f))]).status === 0;
}

async function ready(url: string): Promise<{ status: number; body: { ready: boolean; reason?: string } }> {
  const response = await fetch(`${url}/ready`);
  return { status: response.status, body: (await response.json()) as { ready: boolean; reason?: string } };
}

test('a database that cannot be written: /ready says so while it lasts, and serve refuses it at start', async (t) => {
  let unlock = () => {};
  t.after(() => unlock()); // before the folder's removal, which tempDir registers next
  const db = join(tempDir('waymark-unwritable-'), 'waymark.db');
  // Running, the server writes to the write-ahead log: that is the file that must refuse writes (the shared
  // memory file is mapped, and making it immutable would kill the process rather than fail a write).
  const wal = `${db}-wal`;
  const server = await serve(db);
  unlock = () => chattr('-i', [db, wal]);
  assert.deepEqual(await ready(server.url), { status: 200, body: { ready: true } });

  if (!chattr('+i', [wal])) {
    await server.stop();
    t.skip('this machine does not allow `chattr +i` (it needs root on a file system with the immutable attribute)');
    return;
  }
  const refused = await ready(server.url);
  assert.equal(refused.status, 503);
  assert.equal(refused.body.ready, false);
  assert.match(refused.body.reason!, /^store unreachable: /);

  assert.ok(chattr('-i', [wal]));
  assert.deepEqual(await ready(server.url), { status: 200, body: { ready: true } });
  assert.equal(await server.stop(), 0);

  assert.ok(chattr('+i', [db]));
  const start = await runCli(['serve', '--db', db, '--port', '0']);
  assert.equal(start.code, 1);
  assert.match(start.stderr, new RegExp(`^waymark: cannot write to SQLite ${db.replaceAll('.', '\\.')}: .+\\n$`));
  assert.doesNotMatch(start.stdout, /listening/);
});
