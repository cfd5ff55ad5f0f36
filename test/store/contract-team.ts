/**
 * The Store contract, continued: dashboard users (email unique whatever its case, changes field by field, the
 * last enabled admin kept), when each API key was last used, and the registry of projects. Registered by storeContract.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DashboardUserRecord, Store } from '../../src/store/store.ts';

const user = (id: string, email: string, role: DashboardUserRecord['role'], createdAt: number, overrides: Partial<DashboardUserRecord> = {}): DashboardUserRecord => ({
  id,
  email,
  name: `name ${id}`,
  role,
  password: `scrypt$hash-of-${id}`,
  disabled: false,
  createdAt,
  lastSignInAt: null,
  ...overrides,
});

export function teamContract(open: () => Promise<Store>): void {
  test('dashboard users: stored as given, listed oldest first, found by email whatever its case, one per email', async () => {
    const store = await open();
    try {
      assert.deepEqual(await store.listDashboardUsers(), []);
      const ana = user('u-ana', 'Ana@Example.com', 'admin', 2_000);
      const bo = user('u-bo', 'bo@example.com', 'viewer', 1_000, { disabled: true });
      assert.equal(await store.addDashboardUser(ana), true);
      assert.equal(await store.addDashboardUser(bo), true);
      assert.equal(await store.addDashboardUser(user('u-other', 'ANA@example.COM', 'viewer', 3_000)), false, 'the same email in other case');
      assert.deepEqual(await store.listDashboardUsers(), [bo, ana]);
      assert.deepEqual(await store.findDashboardUserByEmail('ana@example.com'), ana);
      assert.deepEqual(await store.findDashboardUserByEmail('BO@EXAMPLE.COM'), bo);
      assert.equal(await store.findDashboardUserByEmail('nobody@example.com'), null);
      assert.deepEqual(await store.getDashboardUser('u-bo'), bo);
      assert.equal(await store.getDashboardUser('u-other'), null);

      await store.recordDashboardSignIn('u-ana', 9_000);
      assert.equal((await store.getDashboardUser('u-ana'))!.lastSignInAt, 9_000);
    } finally {
      await store.close();
    }
  });

  test('dashboard users: changes apply field by field; the last enabled admin can be neither demoted, disabled nor removed', async () => {
    const store = await open();
    try {
      await store.addDashboardUser(user('a1', 'a1@example.com', 'admin', 1));
      await store.addDashboardUser(user('a2', 'a2@example.com', 'admin', 2, { disabled: true }));
      await store.addDashboardUser(user('e1', 'e1@example.com', 'editor', 3));

      assert.equal(await store.updateDashboardUser('nope', { name: 'x' }), 'unknown');
      assert.equal(await store.removeDashboardUser('nope'), 'unknown');
      // a2 is disabled: a1 is the only enabled admin.
      assert.equal(await store.updateDashboardUser('a1', { role: 'editor' }), 'last_admin');
      assert.equal(await store.updateDashboardUser('a1', { disabled: true }), 'last_admin');
      assert.equal(await store.removeDashboardUser('a1'), 'last_admin');
      assert.equal(await store.updateDashboardUser('a1', { name: 'Ana', password: 'scrypt$new' }), 'done', 'other fields of the last admin may change');
      assert.deepEqual(await store.getDashboardUser('a1'), user('a1', 'a1@example.com', 'admin', 1, { name: 'Ana', password: 'scrypt$new' }));

      // A disabled admin, and a non-admin, may go; an editor becoming admin makes a second one.
      assert.equal(await store.removeDashboardUser('a2'), 'done');
      assert.equal(await store.updateDashboardUser('e1', { role: 'admin' }), 'done');
      assert.equal(await store.updateDashboardUser('a1', { role: 'viewer', disabled: true }), 'done');
      assert.deepEqual(await store.getDashboardUser('a1'), user('a1', 'a1@example.com', 'viewer', 1, { name: 'Ana', password: 'scrypt$new', disabled: true }));
      assert.equal(await store.removeDashboardUser('e1'), 'last_admin');
      assert.equal(await store.removeDashboardUser('a1'), 'done');
      assert.deepEqual((await store.listDashboardUsers()).map((u) => [u.id, u.role]), [['e1', 'admin']]);
    } finally {
      await store.close();
    }
  });

  test('api keys: when each was last used is kept, null until then', async () => {
    const store = await open();
    try {
      await store.addApiKey({ kind: 'admin', hash: 'a1', createdAt: 1 });
      await store.addApiKey({ kind: 'write', hash: 'w1', createdAt: 2 });
      await store.touchApiKey('w1', 5_000);
      await store.touchApiKey('unknown', 6_000);
      assert.deepEqual((await store.listApiKeys()).map((k) => [k.hash, k.lastUsedAt]), [['a1', null], ['w1', 5_000]]);
    } finally {
      await store.close();
    }
  });

  test('the registry of projects: stored as given, listed oldest first, one per id', async () => {
    const store = await open();
    try {
      assert.deepEqual(await store.listProjects(), []);
      assert.equal(await store.addProject({ id: 'shop-b', name: 'Shop B', createdAt: 2_000 }), true);
      assert.equal(await store.addProject({ id: 'shop-a', name: 'Shop A', createdAt: 1_000 }), true);
      assert.equal(await store.addProject({ id: 'shop-b', name: 'Another', createdAt: 3_000 }), false, 'an id is taken once');
      assert.deepEqual(await store.listProjects(), [
        { id: 'shop-a', name: 'Shop A', createdAt: 1_000 },
        { id: 'shop-b', name: 'Shop B', createdAt: 2_000 },
      ]);
    } finally {
      await store.close();
    }
  });
}
