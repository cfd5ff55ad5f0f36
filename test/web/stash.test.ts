/** The unsaved copy kept in the browser's storage: written, read back, and distrusted when it is not a copy. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clearStash, readStash, writeStash, type Storage } from '../../web/src/lib/stash.ts';

function memory(): Storage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return { items, getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v), removeItem: (k) => void items.delete(k) };
}

const snapshot = {
  draft: { name: 'Welcome', nodes: [{ id: 'entry', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } }], edges: [] },
  layout: { entry: { x: 0, y: 0 } },
};

const welcome = { project: 'default', journeyId: 'welcome' };

test('a stashed copy comes back for its journey only, and goes when cleared', () => {
  const storage = memory();
  writeStash(storage, welcome, snapshot, 1_700_000_000_000);
  assert.deepEqual([...storage.items.keys()], ['waymark:unsaved:welcome'], 'the default project keeps the key copies had before projects');
  assert.deepEqual(readStash(storage, welcome), { snapshot, at: 1_700_000_000_000 });
  assert.equal(readStash(storage, { project: 'default', journeyId: 'other' }), null);
  clearStash(storage, welcome);
  assert.equal(readStash(storage, welcome), null);
});

test('journey "welcome" of one project never gets the copy of "welcome" in another', () => {
  const storage = memory();
  const shop = { project: 'shop-b', journeyId: 'welcome' };
  writeStash(storage, shop, snapshot, 1);
  assert.deepEqual([...storage.items.keys()], ['waymark:unsaved:shop-b:welcome']);
  assert.equal(readStash(storage, welcome), null, 'not in the default project');
  assert.equal(readStash(storage, { project: 'shop-c', journeyId: 'welcome' }), null, 'nor in a third');
  const other = { ...snapshot, draft: { ...snapshot.draft, name: 'Default welcome' } };
  writeStash(storage, welcome, other, 2);
  assert.deepEqual(readStash(storage, shop), { snapshot, at: 1 });
  assert.deepEqual(readStash(storage, welcome), { snapshot: other, at: 2 });
  clearStash(storage, welcome);
  assert.equal(readStash(storage, shop)?.at, 1, 'clearing one project\'s copy leaves the other\'s');
});

test('what is not a copy is ignored: broken JSON, a missing draft, a layout point that is not one', () => {
  const storage = memory();
  const put = (value: string) => storage.items.set('waymark:unsaved:j', value);
  for (const bad of ['{', 'null', '{"at":1}', '{"at":"x","snapshot":{}}', '{"at":1,"snapshot":{"draft":{"nodes":[]},"layout":{}}}', '{"at":1,"snapshot":{"draft":{"nodes":[],"edges":[]},"layout":{"a":{"x":"1","y":2}}}}']) {
    put(bad);
    assert.equal(readStash(storage, { project: 'default', journeyId: 'j' }), null, bad);
  }
  // Storage that refuses (full, or disabled) loses the safety net, not the page.
  const refusing: Storage = { getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); }, removeItem: () => { throw new Error('SecurityError'); } };
  writeStash(refusing, { project: 'default', journeyId: 'j' }, snapshot, 1);
  clearStash(refusing, { project: 'default', journeyId: 'j' });
});
