/**
 * The VFS shim that writes a commit's log frames in one call (native/wal-batch.c). It must be built and loaded
 * here (CI builds it with `npm ci`), a commit must cost a write call or two rather than two a page, and what
 * it buffers must never be lost or seen early: another connection reads each commit as soon as it returns, a
 * transaction larger than the buffer and one rolled back after spilling leave a sound file, and a process
 * killed at any moment leaves every commit it reported. It also syncs the database file when asked (the
 * checkpoint thread's PRAGMA waymark_sync_file).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openDatabase } from '../../src/store/sqlite/connection.ts';
import { loadWalBatch } from '../../src/store/sqlite/wal-batch.ts';
import { ROOT, tempDir } from '../helpers.ts';

const PAGE_FILLER = 'x'.repeat(3_000); // a row a page, near enough

/** A file opened as the server opens one (WAL, synchronous NORMAL), with a table of wide rows. */
function open(file: string): Database.Database {
  const db = openDatabase(file, {});
  db.exec('CREATE TABLE IF NOT EXISTS wide (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  return db;
}

/** Write calls this thread has made so far (/proc/thread-self/io, syscw). */
function writeCalls(): number {
  return Number(/syscw: (\d+)/.exec(readFileSync('/proc/thread-self/io', 'utf8'))![1]);
}

test('the shim is built and loaded, and a commit of 60 pages makes a few write calls, not 120', { skip: process.platform !== 'linux' && 'write calls are counted from /proc' }, () => {
  assert.equal(loadWalBatch(), true, 'native/build/wal_batch.so is built by `npm run build` (scripts/build-native.mjs)');
  const db = open(join(tempDir(), 'calls.db'));
  try {
    db.pragma('wal_autocheckpoint = 0'); // no checkpoint inside the commit counted
    const insert = db.prepare('INSERT INTO wide (body) VALUES (?)');
    db.transaction(() => insert.run(PAGE_FILLER))(); // the log's header, written once
    const before = writeCalls();
    db.transaction(() => {
      for (let i = 0; i < 60; i++) insert.run(PAGE_FILLER);
    })();
    const calls = writeCalls() - before;
    assert.ok(calls <= 3, `${calls} write calls for a commit of about 60 pages`);
  } finally {
    db.close();
  }
});

test('another connection reads each commit as soon as it returns; a transaction larger than the buffer and one rolled back after spilling leave a sound file', () => {
  const file = join(tempDir(), 'visible.db');
  const writer = open(file);
  const reader = open(file);
  try {
    writer.pragma('cache_size = -1024'); // a small cache: a large transaction spills frames before its commit
    writer.pragma('cache_spill = 64');
    const insert = writer.prepare('INSERT INTO wide (body) VALUES (?)');
    const count = reader.prepare('SELECT count(*) AS n, sum(length(body)) AS bytes FROM wide');
    for (let i = 1; i <= 50; i++) {
      writer.transaction(() => insert.run(`${i}:${PAGE_FILLER}`))();
      assert.equal((count.get() as { n: number }).n, i);
    }
    // About 12 MB in one transaction: more than the shim's 8 MB buffer, spilled along the way.
    writer.transaction(() => {
      for (let i = 0; i < 4_000; i++) insert.run(PAGE_FILLER);
    })();
    assert.equal((count.get() as { n: number }).n, 4_050);
    // Spilled, then rolled back: none of it is seen, and the next commit is.
    assert.throws(
      () =>
        writer.transaction(() => {
          for (let i = 0; i < 2_000; i++) insert.run(PAGE_FILLER);
          throw new Error('rolled back');
        })(),
      /rolled back/,
    );
    writer.transaction(() => insert.run('after the rollback'))();
    assert.equal((count.get() as { n: number }).n, 4_051);
    writer.pragma('wal_checkpoint(TRUNCATE)');
    assert.deepEqual(reader.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
  } finally {
    writer.close();
    reader.close();
  }
  const again = open(file);
  try {
    assert.equal((again.prepare('SELECT count(*) AS n FROM wide').get() as { n: number }).n, 4_051);
    assert.deepEqual(again.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
  } finally {
    again.close();
  }
});

test('PRAGMA waymark_sync_file syncs the database file on request, and says so; with no file under the shim (in memory) it is unknown and answers nothing', () => {
  const db = open(join(tempDir(), 'sync.db'));
  try {
    db.transaction(() => db.prepare('INSERT INTO wide (body) VALUES (?)').run(PAGE_FILLER))();
    db.pragma('wal_checkpoint(PASSIVE)');
    assert.equal(db.pragma('waymark_sync_file', { simple: true }), 'synced');
  } finally {
    db.close();
  }
  // As without the shim: the checkpoint thread then leaves the syncing to the writer.
  const plain = new Database(':memory:');
  try {
    assert.equal(plain.pragma('waymark_sync_file', { simple: true }), undefined);
  } finally {
    plain.close();
  }
});

test('a process killed while committing leaves every commit it reported, and a sound file', async () => {
  const file = join(tempDir(), 'killed.db');
  // The child commits rows of 1-40 pages, one transaction each, and prints each one's number once it returns.
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `import { openDatabase } from './src/store/sqlite/connection.ts';
       const db = openDatabase(${JSON.stringify(file)}, {});
       db.exec('CREATE TABLE IF NOT EXISTS wide (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
       const insert = db.prepare('INSERT INTO wide (id, body) VALUES (?, ?)');
       for (let i = 1; ; i++) {
         db.transaction(() => { for (let k = 0; k < 1 + (i % 40); k++) insert.run(i * 100 + k, 'x'.repeat(3000)); })();
         process.stdout.write(i + '\\n');
       }`,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let reported = 0;
  let text = '';
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const lines = text.split('\n');
      text = lines.pop()!;
      if (lines.length > 0) reported = Number(lines.at(-1));
      if (reported >= 300 && child.exitCode === null && !child.killed) {
        child.kill('SIGKILL');
        resolve();
      }
    });
  });
  await new Promise((resolve) => child.once('exit', resolve));
  const db = open(file);
  try {
    const last = (db.prepare('SELECT max(id) AS id FROM wide').get() as { id: number }).id;
    assert.ok(Math.floor(last / 100) >= reported, `the file ends at commit ${Math.floor(last / 100)}; the process had reported ${reported}`);
    // Every commit there is whole: 1 + (i % 40) rows each.
    const partial = db.prepare('SELECT id / 100 AS i, count(*) AS n FROM wide GROUP BY i HAVING n <> 1 + (i % 40)').all();
    assert.deepEqual(partial, []);
    assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
  } finally {
    db.close();
  }
});
