/**
 * A SQLite store keeping its profiles in memory (SqliteOptions.profiles 'memory', a simulation's): its units
 * see the same traits a store keeping them in the file does, whatever the patches; a unit that fails changes no
 * profile; none reaches the file; and every other read of profiles is refused by name.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JourneyEvent } from '../../src/core/instance.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Changes, Profile, ProfileUpsert } from '../../src/store/store.ts';
import { tempDir } from '../helpers.ts';
import { instance } from './contract.ts';

const NO_CHANGES: Changes = { instances: [], messages: [], stats: [] };
let n = 0;
const event = (userId: string): JourneyEvent => ({ messageId: `e${n++}`, userId, name: 'Added to Cart', timestamp: 1_000, properties: {} });

const open = (profiles: 'file' | 'memory') => new SqliteStore(join(tempDir(), `${profiles}.db`), { durability: 'fast', instances: 'memory', profiles });

/** The profiles a unit of work is given for these users. */
async function seen(store: SqliteStore, users: string[]): Promise<Map<string, Profile>> {
  let profiles = new Map<string, Profile>();
  await store.ingestEvents(users.map(event), 9_000, (view) => {
    profiles = view.profiles;
    return NO_CHANGES;
  });
  return profiles;
}

const PATCHES: ProfileUpsert[][] = [
  [
    // An own "__proto__" key, as JSON.parse makes one from a request.
    { userId: 'ana', traits: JSON.parse('{"name":"Ana","plan":"pro","address":{"city":"Pune","zip":"411001"},"tags":["a","b"],"n":1.5,"10":"ten","__proto__":{"x":1}}') as Record<string, unknown> },
    { userId: 'bo', traits: { name: 'Bo', gone: null } },
  ],
  // A second upsert merges: a null removes a trait, an object merges, an array is replaced.
  [{ userId: 'ana', traits: { plan: null, address: { zip: null, street: 'MG Road' }, tags: ['c'], 'é"\\': true } }],
  // Two patches of one user in one call: the second goes on top of the first.
  [
    { userId: 'cy', traits: { a: 1 } },
    { userId: 'cy', traits: { b: 2, a: null } },
  ],
];

test("a unit sees the traits the file would hold, written by the same patches", async () => {
  const file = open('file');
  const memory = open('memory');
  for (const [i, patches] of PATCHES.entries()) {
    for (const store of [file, memory]) await store.upsertProfiles(patches, 1_000 + i);
  }
  const users = ['ana', 'bo', 'cy', 'nobody'];
  const inMemory = await seen(memory, users);
  assert.deepEqual(inMemory, await seen(file, users));
  assert.deepEqual(Object.keys(inMemory.get('ana')!.traits), ['10', 'name', 'address', 'tags', 'n', '__proto__', 'é"\\']);
  assert.deepEqual(inMemory.get('ana')!.traits.address, { city: 'Pune', street: 'MG Road' });
  assert.equal(Object.getPrototypeOf(inMemory.get('ana')!.traits), Object.prototype, '"__proto__" stays a trait');
  assert.deepEqual(inMemory.get('bo'), { userId: 'bo', traits: { name: 'Bo' }, updatedAt: 1_000 });
  assert.deepEqual(inMemory.get('cy')!.traits, { b: 2 });
  assert.equal(inMemory.has('nobody'), false);
  assert.equal((memory.db.prepare('SELECT count(*) AS n FROM profiles').get() as { n: number }).n, 0, 'no profile in the file');
  await Promise.all([file.close(), memory.close()]);
});

test("a unit's profile patches are kept once it commits, and not at all when it fails", async () => {
  const store = open('memory');
  await store.upsertProfiles([{ userId: 'ana', traits: { name: 'Ana' } }], 1_000);
  await store.ingestEvents([event('ana')], 2_000, () => ({ ...NO_CHANGES, instances: [instance('a', { userId: 'ana' })], profiles: [{ userId: 'ana', traits: { step: 1 } }] }));
  assert.deepEqual((await seen(store, ['ana'])).get('ana')!.traits, { name: 'Ana', step: 1 });
  // A second live pass for ana: refused inside the transaction, after the patch was staged.
  await assert.rejects(
    store.ingestEvents([event('ana')], 3_000, () => ({ ...NO_CHANGES, instances: [instance('b', { userId: 'ana' })], profiles: [{ userId: 'ana', traits: { step: 2 } }] })),
    /live pass of journey cart already/,
  );
  assert.deepEqual((await seen(store, ['ana'])).get('ana'), { userId: 'ana', traits: { name: 'Ana', step: 1 }, updatedAt: 2_000 }, 'the failed unit left no trace');
  // Nor does it leak into the next unit that commits.
  await store.upsertProfiles([{ userId: 'bo', traits: { name: 'Bo' } }], 4_000);
  assert.deepEqual((await seen(store, ['ana'])).get('ana')!.traits, { name: 'Ana', step: 1 });
  await store.close();
});

test('every other read of profiles, and an identity merge, is refused by name', async () => {
  const store = open('memory');
  for (const [method, call] of [
    ['getProfile', () => store.getProfile('ana')],
    ['profilesOf', () => store.profilesOf(['ana'])],
    ['profilesWithPhone', () => store.profilesWithPhone('+1', 10)],
    ['profileSample', () => store.profileSample(10, 1_000)],
    ['scanProfiles', () => store.scanProfiles(null, 10)],
    ['mergeIdentity', () => store.mergeIdentity({ from: 'anon-1', into: 'ana' }, 1_000)],
  ] as const) {
    await assert.rejects(call(), new RegExp(`^Error: ${method}: this store keeps its profiles in memory for its units alone`));
  }
  await store.close();
});
