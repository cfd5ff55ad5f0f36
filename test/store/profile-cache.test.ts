/**
 * The parsed profiles a SQLite store keeps for its units of work: each read from the file once, read again after
 * a write, and never more than the cache's size of them (it empties when a load would pass it).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDatabase, Sql } from '../../src/store/sqlite/connection.ts';
import { ProfileCache } from '../../src/store/sqlite/unit-views.ts';
import { tempDir } from '../helpers.ts';

/** A file with profiles u1..u4, and a Sql that counts the profiles it reads. */
function seeded(): { sql: Sql; read: () => string[] } {
  const db = openDatabase(join(tempDir(), 'profiles.db'), {});
  for (const n of [1, 2, 3, 4]) db.prepare('INSERT INTO profiles (user_id, traits, updated_at) VALUES (?, ?, 0)').run(`u${n}`, JSON.stringify({ n }));
  const sql = new Sql(db);
  const read: string[] = [];
  const inList = sql.inList.bind(sql);
  sql.inList = (prefix, values, suffix) => {
    const rows = inList(prefix, values, suffix);
    read.push(...rows.map((r) => r.user_id as string));
    return rows;
  };
  return { sql, read: () => read.splice(0).sort() };
}

test('a profile is read from the file once, and again after it was written', () => {
  const { sql, read } = seeded();
  const cache = new ProfileCache();
  assert.deepEqual([...cache.load(sql, ['u1', 'u2', 'nobody']).keys()].sort(), ['u1', 'u2']);
  assert.deepEqual(read(), ['u1', 'u2']);
  assert.deepEqual(cache.load(sql, ['u1', 'u2', 'nobody']).get('u2')?.traits, { n: 2 });
  assert.deepEqual(read(), [], 'the second load reads nothing, not even the user with no profile');
  sql.run('UPDATE profiles SET traits = ? WHERE user_id = ?', JSON.stringify({ n: 20 }), 'u2');
  cache.forget('u2');
  assert.deepEqual(cache.load(sql, ['u1', 'u2']).get('u2')?.traits, { n: 20 });
  assert.deepEqual(read(), ['u2']);
});

test('a cache of a given size holds no more: a load that would pass it starts it afresh', () => {
  const { sql, read } = seeded();
  const cache = new ProfileCache(3);
  cache.load(sql, ['u1', 'u2']);
  cache.load(sql, ['u3']);
  assert.deepEqual(read(), ['u1', 'u2', 'u3']);
  cache.load(sql, ['u1', 'u2', 'u3']);
  assert.deepEqual(read(), [], 'three fit');
  cache.load(sql, ['u4']);
  assert.deepEqual(read(), ['u4'], 'the fourth empties the cache and is read');
  cache.load(sql, ['u1', 'u4']);
  assert.deepEqual(read(), ['u1'], 'u1 went with the others; u4 stayed');
});

test('a held profile is read from the file at every load until let go, as many times as it was held', () => {
  const { sql, read } = seeded();
  const cache = new ProfileCache();
  cache.load(sql, ['u1', 'u2']);
  read();
  // Another connection is about to change u2 (a merge across shards): held twice, by two moves.
  cache.hold(['u2']);
  cache.hold(['u2']);
  sql.run('UPDATE profiles SET traits = ? WHERE user_id = ?', JSON.stringify({ n: 20 }), 'u2');
  assert.deepEqual(cache.load(sql, ['u1', 'u2']).get('u2')?.traits, { n: 20 });
  assert.deepEqual(read(), ['u2'], 'u1 from the cache, u2 from the file');
  sql.run('UPDATE profiles SET traits = ? WHERE user_id = ?', JSON.stringify({ n: 21 }), 'u2');
  cache.release(['u2']);
  assert.deepEqual(cache.load(sql, ['u2']).get('u2')?.traits, { n: 21 }, 'still held once: read again, not kept');
  cache.release(['u2']);
  cache.load(sql, ['u2']);
  read();
  assert.deepEqual(cache.load(sql, ['u2']).get('u2')?.traits, { n: 21 });
  assert.deepEqual(read(), [], 'let go: kept again');
});
