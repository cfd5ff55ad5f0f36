/** The dashboard's side of projects: an id made from a name, the shape of an id, and the project remembered. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { projectIdProblem, projectSlug, rememberedProject, rememberProject } from '../../web/src/lib/projects.ts';

test('an id made from a name: lowercase, accents dropped, runs of anything else one dash, a letter first, 32 at most', () => {
  assert.equal(projectSlug('Shop B'), 'shop-b');
  assert.equal(projectSlug('  Café Olé! '), 'cafe-ole');
  assert.equal(projectSlug('ACME -- Europe / UK'), 'acme-europe-uk');
  assert.equal(projectSlug('2024 Summer Sale'), 'summer-sale');
  assert.equal(projectSlug('Brand_2'), 'brand-2');
  // "a-very-long-brand-name-for-the-test" is 35 characters: its first 32 end on the "t" of "test".
  assert.equal(projectSlug('A very long brand name for the test'), 'a-very-long-brand-name-for-the-t');
  // 32 letters, then "-x": the cut falls before the dash.
  assert.equal(projectSlug('abcdefghijklmnopqrstuvwxyzabcdef x'), 'abcdefghijklmnopqrstuvwxyzabcdef');
  // 31 letters, then "-x": the 32nd character is the dash, dropped (a made id does not end on one).
  assert.equal(projectSlug('abcdefghijklmnopqrstuvwxyzabcde x'), 'abcdefghijklmnopqrstuvwxyzabcde');
  assert.equal(projectSlug('日本'), '');
  assert.equal(projectSlug('123'), '');
});

test('the shape of an id, as the server\'s rule has it; "default" is left to the server', () => {
  for (const good of ['a', 'shop-b', 'b2b', 'a-', `a${'b'.repeat(31)}`, 'default']) assert.equal(projectIdProblem(good), null, good);
  assert.equal(projectIdProblem(''), 'Give the project an id.');
  for (const bad of ['Shop', 'shop b', '1shop', '-shop', 'shop_b', `a${'b'.repeat(32)}`, 'café']) {
    assert.equal(projectIdProblem(bad), 'An id is 1 to 32 lowercase letters, digits and dashes, starting with a letter.', bad);
  }
});

test('the project remembered: what was kept when it is an id, else the default; storage that refuses is no error', () => {
  const items = new Map<string, string>();
  const storage = { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v) };
  assert.equal(rememberedProject(storage, 'default'), 'default');
  rememberProject(storage, 'shop-b');
  assert.deepEqual([...items], [['waymark:project', 'shop-b']]);
  assert.equal(rememberedProject(storage, 'default'), 'shop-b');
  items.set('waymark:project', '../etc');
  assert.equal(rememberedProject(storage, 'default'), 'default');
  const refusing = { getItem: () => { throw new Error('SecurityError'); }, setItem: () => { throw new Error('QuotaExceededError'); } };
  assert.equal(rememberedProject(refusing, 'default'), 'default');
  rememberProject(refusing, 'shop-b');
});
