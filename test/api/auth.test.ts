import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { openWaymark } from '../../src/app/waymark.ts';
import { ensureApiKeys } from '../../src/api/keys.ts';
import { tempDir } from '../helpers.ts';
import { startApi } from './helpers.ts';

test('routes need a key: none or a wrong one is 401, the write key only ingests, the admin key does everything', async () => {
  const api = await startApi();
  const event = { userId: 'u1', event: 'Signed Up', messageId: 'auth-1' };

  const missing = await fetch(`${api.url}/v1/journeys`);
  assert.equal(missing.status, 401);
  assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
  assert.match((await missing.json()).message, /Authorization: Bearer/);

  const wrong = await api.call('POST', '/v1/events', { key: 'wm_write_not-a-real-key', body: event });
  assert.deepEqual([wrong.status, wrong.body.message], [401, 'invalid API key']);
  assert.equal((await api.call('GET', '/v1/journeys', { key: `${api.admin}x` })).status, 401);

  assert.deepEqual((await api.call('POST', '/v1/events', { key: api.write, body: event })).body, { accepted: 1, duplicates: 0 });
  assert.equal((await api.call('POST', '/v1/profiles', { key: api.write, body: { userId: 'u1', traits: { name: 'U' } } })).status, 200);
  for (const [method, path] of [
    ['GET', '/v1/journeys'],
    ['POST', '/v1/journeys/validate'],
    ['GET', '/v1/messages'],
    ['GET', '/v1/users/u1'],
    ['GET', '/v1/users/u1/explain'],
  ] as const) {
    const denied = await api.call(method, path, { key: api.write, ...(method === 'POST' ? { body: {} } : {}) });
    assert.equal(denied.status, 403, `${method} ${path} with the write key`);
    assert.match(denied.body.message, /admin key/);
  }

  assert.deepEqual((await api.call('POST', '/v1/events', { key: api.admin, body: event })).body, { accepted: 0, duplicates: 1 });
  assert.deepEqual((await api.call('GET', '/v1/journeys')).body, { journeys: [], nextCursor: null });
  assert.equal((await api.call('GET', '/v1/users/u1')).body.traits.name, 'U');
  assert.deepEqual((await api.call('GET', '/health', { key: null })).body, { ok: true });
});

test('ensureApiKeys makes the first keys once, keeps only their hashes, and honours seeds', async () => {
  const dir = tempDir();
  const fresh = await openWaymark({ database: join(dir, 'a.db'), realtime: false });
  const keys = await ensureApiKeys(fresh.store);
  assert.match(keys.admin!, /^wm_admin_[A-Za-z0-9_-]{32}$/);
  assert.match(keys.write!, /^wm_write_[A-Za-z0-9_-]{32}$/);
  const stored = await fresh.store.listApiKeys();
  const sha = (k: string) => createHash('sha256').update(k).digest('hex');
  assert.deepEqual(stored.map((k) => [k.kind, k.hash]).sort(), [['admin', sha(keys.admin!)], ['write', sha(keys.write!)]]);
  assert.deepEqual(await ensureApiKeys(fresh.store), {}, 'keys exist: nothing new');
  assert.equal((await fresh.store.listApiKeys()).length, 2);
  await fresh.close();

  const seeded = await openWaymark({ database: join(dir, 'b.db'), realtime: false });
  const seed = { admin: 'seed-admin-key-0123456789', write: 'seed-write-key-0123456789' };
  await assert.rejects(ensureApiKeys(seeded.store, { admin: 'short' }), /at least 16/);
  assert.deepEqual(await ensureApiKeys(seeded.store, seed), seed);
  assert.deepEqual((await seeded.store.listApiKeys()).map((k) => k.hash).sort(), [sha(seed.admin), sha(seed.write)].sort());
  await seeded.close();
});
