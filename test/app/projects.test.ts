/**
 * The projects of a deployment (src/app/projects.ts) with a registry in memory and projects that are plain
 * stand-ins: what is registered when, what a failed creation leaves, and the ids and places it accepts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Projects, projectFile, projectSchema } from '../../src/app/projects.ts';
import type { Waymark } from '../../src/app/waymark.ts';
import type { EngineHandle } from '../../src/engine/handle.ts';
import type { ProjectRecord } from '../../src/store/store.ts';

type Stand = Waymark<EngineHandle> & { closed: boolean; id: string };

function deployment() {
  const registry: ProjectRecord[] = [];
  const main = { id: 'default', closed: false, store: { listProjects: async () => [...registry], addProject: async (p: ProjectRecord) => (registry.push(p), true), exclusively: (_: string, fn: () => Promise<unknown>) => fn() } } as unknown as Stand;
  const opened: Stand[] = [];
  const projects = new Projects(main, async (id) => {
    const stand = { id, closed: false, close: async () => void (stand.closed = true) } as unknown as Stand;
    opened.push(stand);
    return stand;
  }, () => 1_000);
  return { projects, registry, opened };
}

test('a project is registered only once its data is open and its first keys made; a failed making leaves nothing reachable', async () => {
  const { projects, registry, opened } = deployment();
  await assert.rejects(projects.create('shop-b', 'Shop B', async () => { throw new Error('disk full'); }), /disk full/);
  assert.deepEqual(registry, [], 'not registered');
  assert.equal(opened[0]!.closed, true, 'its store closed');
  assert.equal(await projects.get('shop-b'), null, 'no request reaches it');

  const made = await projects.create('shop-b', 'Shop B', async (waymark) => `keys of ${(waymark as Stand).id}`);
  assert.deepEqual(made, { project: { id: 'shop-b', name: 'Shop B', createdAt: 1_000 }, made: 'keys of shop-b' });
  assert.equal(opened.length, 2, 'opened afresh');
  assert.equal(await projects.get('shop-b'), opened[1]);
  assert.deepEqual(await projects.list(), [{ id: 'default', name: 'Default', createdAt: null }, { id: 'shop-b', name: 'Shop B', createdAt: 1_000 }]);
  await assert.rejects(projects.create('shop-b', 'Again', async () => 'x'), /exists already/);
});

test('project ids: lowercase letters, digits and dashes, a letter first, at most 32, never "default"', async () => {
  const { projects } = deployment();
  for (const bad of ['default', 'Shop', 'shop_b', '1shop', '', 'a'.repeat(33), 'shop b', '../x']) {
    await assert.rejects(projects.create(bad, 'X', async () => 'x'), /a project id is 1 to 32 lowercase letters/, JSON.stringify(bad));
  }
  assert.equal((await projects.create('a'.repeat(32), 'Long', async () => 'x')).project.id, 'a'.repeat(32));
  assert.equal(await projects.get('../x'), null);
});

test('where a project keeps its data: a file beside the default one, a schema beside the default one', () => {
  assert.equal(projectFile('/srv/data/waymark.db', 'shop-b'), '/srv/data/waymark.shop-b.db');
  assert.equal(projectFile('/srv/data/store', 'shop-b'), '/srv/data/store.shop-b.db');
  assert.equal(projectSchema('waymark', 'shop-b'), 'waymark_shop_b');
  assert.equal(projectSchema('public', 'eu'), 'public_eu');
});

test('close() waits for a registry read under way before closing the default store; the read opens nothing once closing began', async () => {
  const { projects, registry, opened } = deployment();
  registry.push({ id: 'shop-c', name: 'Shop C', createdAt: 1 });
  const main = projects.main as Stand;
  const events: string[] = [];
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const list = main.store.listProjects.bind(main.store);
  (main.store as { listProjects: () => Promise<ProjectRecord[]> }).listProjects = async () => {
    events.push('read begins');
    await held;
    events.push('read ends');
    return list();
  };
  (main as { close: () => Promise<void> }).close = async () => void events.push('default closed');
  const reading = projects.refresh();
  const closing = projects.close();
  release();
  await Promise.all([reading, closing]);
  assert.deepEqual(events, ['read begins', 'read ends', 'default closed']);
  assert.equal(opened.length, 0, 'shop-c, found by the read after close() began, is not opened');
});
