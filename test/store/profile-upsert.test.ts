/**
 * A SQLite store's profile upserts: a patch the merge gives back as it is goes in as its JSON, any other through
 * SQLite's json_patch (store/sqlite/apply-changes.ts). Both make what RFC 7396 makes of the patch; the expected
 * traits here are written out by hand from it, for first writes and for merges.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { mergesToItself } from '../../src/store/sqlite/apply-changes.ts';
import { tempDir } from '../helpers.ts';

const traitsOf = async (store: SqliteStore, userId: string) => (await store.getProfile(userId))?.traits;

test('a first write stores what the merge into nothing makes: nulls in objects gone, the rest as given', async () => {
  const store = new SqliteStore(join(tempDir(), 'profiles.db'));
  await store.upsertProfiles(
    [
      { userId: 'ana', traits: { name: 'Ana', address: { city: 'Pune' }, tags: ['a', 'b'], n: 1.5, vip: true } },
      { userId: 'bo', traits: { name: 'Bo', gone: null } },
      { userId: 'cy', traits: { address: { city: 'Goa', zip: null } } },
      { userId: 'di', traits: { list: [1, null], n: -0 } },
      { userId: 'ed', traits: { balance: Number.NaN, when: new Date(0) } },
    ],
    1_000,
  );
  assert.deepEqual(await traitsOf(store, 'ana'), { name: 'Ana', address: { city: 'Pune' }, tags: ['a', 'b'], n: 1.5, vip: true });
  assert.deepEqual(await traitsOf(store, 'bo'), { name: 'Bo' });
  assert.deepEqual(await traitsOf(store, 'cy'), { address: { city: 'Goa' } });
  assert.deepEqual(await traitsOf(store, 'di'), { list: [1, null], n: 0 });
  assert.deepEqual(await traitsOf(store, 'ed'), { when: '1970-01-01T00:00:00.000Z' }, 'NaN is written as null, so removed');
  await store.close();
});

test('a later write merges into the profile, plain or not', async () => {
  const store = new SqliteStore(join(tempDir(), 'profiles.db'));
  await store.upsertProfiles([{ userId: 'ana', traits: { name: 'Ana', plan: 'pro', address: { city: 'Pune', zip: '411001' } } }], 1_000);
  await store.upsertProfiles([{ userId: 'ana', traits: { age: 30, address: { street: 'MG Road' } } }], 2_000);
  assert.deepEqual(await traitsOf(store, 'ana'), { name: 'Ana', plan: 'pro', address: { city: 'Pune', zip: '411001', street: 'MG Road' }, age: 30 });
  await store.upsertProfiles([{ userId: 'ana', traits: { plan: null, address: { zip: null } } }], 3_000);
  assert.deepEqual(await store.getProfile('ana'), { userId: 'ana', traits: { name: 'Ana', address: { city: 'Pune', street: 'MG Road' }, age: 30 }, updatedAt: 3_000 });
  await store.close();
});

test('which patches go in as they are', () => {
  for (const plain of [{}, { a: 'x', b: 1, c: true, d: [1, 'two', [3]], e: { f: { g: 0.5 } } }, JSON.parse('{"__proto__":{"x":1}}')]) assert.equal(mergesToItself(plain), true, JSON.stringify(plain));
  for (const other of [{ a: null }, { a: { b: null } }, { a: [null] }, { a: Number.NaN }, { a: Infinity }, { a: undefined }, { a: new Date(0) }, { a: 1n }]) assert.equal(mergesToItself(other), false);
});
