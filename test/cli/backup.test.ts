/**
 * `waymark backup` through the real CLI: a running server's database (one file, or split into shards) copied
 * while it serves, the copy opened and its data found; PostgreSQL and a target that cannot be written refused
 * with a readable error.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { shardFiles } from '../../src/store/shards/shard-files.ts';
import { ShardedStore } from '../../src/store/shards/sharded-store.ts';
import { backupShards, shardsOf } from '../../src/store/sqlite/backup.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { tempDir } from '../helpers.ts';
import { runCli, serve } from './run.ts';

/** A server on a new database (serve `args`) with a cart each from ana and bo. */
async function serveWithCarts(args: string[]) {
  const dir = tempDir('waymark-backup-');
  const db = join(dir, 'waymark.db');
  const server = await serve(db, {}, undefined, args);
  const write = /write key: (\S+)/.exec(server.output().stdout)?.[1];
  assert.ok(write, 'the server printed its write key');
  const sent = await fetch(`${server.url}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${write}`, 'content-type': 'application/json' },
    body: JSON.stringify({ batch: ['ana', 'bo'].map((userId) => ({ userId, event: 'Added to Cart', messageId: `cart-${userId}` })) }),
  });
  assert.deepEqual(await sent.json(), { accepted: 2, duplicates: 0 });
  return { dir, db, server };
}

test("backup copies a running server's database, consistently: the copy holds its journeys and events", async () => {
  const { dir, db, server } = await serveWithCarts([]);

  const copy = join(dir, 'copy.db');
  const result = await runCli(['backup', copy, '--db', db]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^backed up .*waymark\.db to .*copy\.db \(\d+\.\d MB\)\n$/);
  // Still serving after the copy.
  assert.equal((await fetch(`${server.url}/ready`)).status, 200);
  assert.equal(await server.stop(), 0);

  const store = new SqliteStore(copy);
  try {
    assert.equal((await store.getJourney('abandoned-cart'))?.status, 'running');
    assert.deepEqual((await store.userEvents('ana', 10)).map((e) => [e.messageId, e.name]), [['cart-ana', 'Added to Cart']]);
    assert.deepEqual((await store.userEvents('bo', 10)).map((e) => e.messageId), ['cart-bo']);
    assert.equal((await store.listApiKeys()).length, 2, 'the keys (as hashes) come along');
  } finally {
    await store.close();
  }
});

test('backup refuses PostgreSQL (pointing at pg_dump), a folder that cannot be written, and an existing file', async () => {
  const pg = await runCli(['backup', join(tempDir(), 'x.db'), '--database', 'postgres://waymark:hunter2@db:5432/waymark']);
  assert.notEqual(pg.code, 0);
  assert.match(pg.stderr, /PostgreSQL: use its own tools, e\.g\. pg_dump/);
  assert.ok(!pg.stderr.includes('hunter2'), 'the password is not shown');

  const dir = tempDir('waymark-backup-');
  const db = join(dir, 'waymark.db');
  const made = await runCli(['backup', join(dir, 'first.db'), '--db', db]);
  assert.notEqual(made.code, 0);
  assert.match(made.stderr, /no database at .*waymark\.db/);

  const store = new SqliteStore(db); // an empty database, migrated
  await store.close();
  const nowhere = await runCli(['backup', join(dir, 'missing-folder', 'copy.db'), '--db', db]);
  assert.notEqual(nowhere.code, 0);
  assert.match(nowhere.stderr, /cannot write the copy to .*missing-folder: ENOENT/);

  const existing = join(dir, 'existing.db');
  writeFileSync(existing, 'keep me');
  const taken = await runCli(['backup', existing, '--db', db]);
  assert.notEqual(taken.code, 0);
  assert.match(taken.stderr, /existing\.db exists already/);
});

test("backup copies a running server's database split into shards, every file as of one moment", async () => {
  // ana is in shard 1, bo in shard 0 (FNV-1a of the id, modulo 2).
  const { dir, db, server } = await serveWithCarts(['--shards', '2']);

  const copy = join(dir, 'copy.db');
  writeFileSync(join(dir, 'taken.shard_1.db'), 'keep me');
  const taken = await runCli(['backup', join(dir, 'taken.db'), '--db', db]);
  assert.equal(taken.code, 1);
  assert.match(taken.stderr, /taken\.shard_1\.db exists already \(the copy of shard 1\)/);

  const result = await runCli(['backup', copy, '--db', db]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^backed up .*waymark\.db to .*copy\.db and its 1 shard file beside it \(\d+\.\d MB\)\n$/);
  assert.equal((await fetch(`${server.url}/ready`)).status, 200);
  assert.equal(await server.stop(), 0);

  // The copies are a database of two shards: served again as it was made, it has what the server had.
  const files = [copy, join(dir, 'copy.shard_1.db')];
  assert.equal(shardsOf(copy), 2);
  const store = ShardedStore.open(files);
  try {
    assert.equal((await store.getJourney('abandoned-cart'))?.status, 'running');
    assert.deepEqual((await store.userEvents('ana', 10)).map((e) => e.messageId), ['cart-ana']);
    assert.deepEqual((await store.userEvents('bo', 10)).map((e) => e.messageId), ['cart-bo']);
    assert.deepEqual([(await store.shards[0]!.userEvents('bo', 10)).length, (await store.shards[1]!.userEvents('ana', 10)).length], [1, 1], 'each in its own file');
  } finally {
    await store.close();
  }
});

test('backupShards: the copies are of one moment, which the writes after it do not reach', async () => {
  const dir = tempDir('waymark-backup-');
  const files = shardFiles(join(dir, 'waymark.db'), 2);
  const store = ShardedStore.open(files);
  const targets = shardFiles(join(dir, 'copy.db'), 2);
  try {
    await store.upsertProfiles([{ userId: 'ana', traits: { n: 1 } }, { userId: 'bo', traits: { n: 1 } }], 1);
    const copying = backupShards(files, targets);
    // Written after the copy's moment was taken (backupShards takes it before its first await).
    await store.upsertProfiles([{ userId: 'ana', traits: { n: 2 } }, { userId: 'bo', traits: { n: 2 } }], 2);
    await copying;
  } finally {
    await store.close();
  }
  const copy = ShardedStore.open(targets);
  try {
    assert.deepEqual([(await copy.getProfile('ana'))?.traits, (await copy.getProfile('bo'))?.traits], [{ n: 1 }, { n: 1 }]);
  } finally {
    await copy.close();
  }
});
