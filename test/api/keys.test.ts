/**
 * GET/POST /v1/keys, POST /v1/keys/:id/rotate and DELETE /v1/keys/:id over HTTP on both stores: a key is shown
 * once, lists never show one, a rotated or revoked key stops working at once on this server, and the last
 * admin key cannot be revoked.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { forEachStore } from '../helpers.ts';
import { startApi } from './helpers.ts';

const event = { userId: 'ana', event: 'Viewed', messageId: 'm1' };
/** The id the API gives a key, worked out from the key as documented: the first 12 hex digits of its SHA-256. */
const idOf = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 12);

await forEachStore((store) => {
  test('the first keys are listed by id, kind, name and first characters; never the keys or their hashes', async () => {
    const api = await startApi({ store });
    const listed = await api.call('GET', '/v1/keys');
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.body.keys.map((k: Record<string, unknown>) => [k.id, k.kind, k.name, k.prefix]),
      [
        [idOf(api.admin), 'admin', 'first admin key', api.admin.slice(0, 12)],
        [idOf(api.write), 'write', 'first write key', api.write.slice(0, 12)],
      ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)), // made at the same moment: in hash order
    );
    const text = JSON.stringify(listed.body);
    assert.ok(!text.includes(api.admin) && !text.includes(api.write), 'no key in the list');
    assert.ok(!text.includes(createHash('sha256').update(api.write).digest('hex')), 'no whole hash in the list');
    assert.equal((await api.call('GET', '/v1/keys', { key: api.write })).status, 403);
    assert.equal((await api.call('GET', '/v1/keys', { key: null })).status, 401);
  });

  test('a key made for an app ingests, and only ingests; rotated, the old one is refused at once and the new one works', async () => {
    const api = await startApi({ store });
    const made = await api.call('POST', '/v1/keys', { body: { kind: 'write', name: 'iOS app' } });
    assert.equal(made.status, 201);
    const key: string = made.body.key;
    assert.match(key, /^wm_write_[A-Za-z0-9_-]{32}$/);
    assert.deepEqual({ ...made.body, key: undefined, createdAt: undefined }, { key: undefined, createdAt: undefined, id: idOf(key), kind: 'write', name: 'iOS app', prefix: key.slice(0, 12), lastUsedAt: null });
    assert.equal((await api.call('POST', '/v1/events', { key, body: event })).status, 200);
    assert.equal((await api.call('GET', '/v1/journeys', { key })).status, 403);
    assert.ok(!JSON.stringify((await api.call('GET', '/v1/keys')).body).includes(key), 'shown once, never listed');

    const rotated = await api.call('POST', `/v1/keys/${idOf(key)}/rotate`);
    assert.equal(rotated.status, 200);
    assert.deepEqual([rotated.body.kind, rotated.body.name, rotated.body.id], ['write', 'iOS app', idOf(rotated.body.key)]);
    assert.notEqual(rotated.body.key, key);
    const old = await api.call('POST', '/v1/events', { key, body: { ...event, messageId: 'm2' } });
    assert.deepEqual([old.status, old.body.message], [401, 'invalid API key']);
    assert.equal((await api.call('POST', '/v1/events', { key: rotated.body.key, body: { ...event, messageId: 'm3' } })).status, 200);
    assert.equal((await api.call('POST', `/v1/keys/${idOf(key)}/rotate`)).status, 404, 'the old id is gone');
    assert.equal((await api.call('GET', '/v1/keys')).body.keys.length, 3);
  });

  test('revoking: a write key stops at once; the last admin key stays (409) until another exists; bad input is 4xx naming it', async () => {
    const api = await startApi({ store });
    assert.deepEqual((await api.call('DELETE', `/v1/keys/${idOf(api.write)}`)).body, { ok: true });
    assert.equal((await api.call('POST', '/v1/events', { key: api.write, body: event })).status, 401);
    assert.equal((await api.call('DELETE', `/v1/keys/${idOf(api.write)}`)).status, 404);

    const last = await api.call('DELETE', `/v1/keys/${idOf(api.admin)}`);
    assert.equal(last.status, 409);
    assert.match(last.body.message, /is the last admin key/);
    const second = await api.call('POST', '/v1/keys', { body: { kind: 'admin', name: 'ops' } });
    assert.equal((await api.call('DELETE', `/v1/keys/${idOf(api.admin)}`, { key: second.body.key })).status, 200);
    assert.equal((await api.call('GET', '/v1/keys', { key: api.admin })).status, 401, 'the revoked admin key is refused at once');
    assert.equal((await api.call('DELETE', `/v1/keys/${second.body.id}`, { key: second.body.key })).status, 409);

    const noName = await api.call('POST', '/v1/keys', { key: second.body.key, body: { kind: 'write' } });
    assert.deepEqual([noName.status, noName.body.problems?.[0]?.path], [400, '/name']);
    const badKind = await api.call('POST', '/v1/keys', { key: second.body.key, body: { kind: 'root', name: 'x' } });
    assert.deepEqual([badKind.status, badKind.body.problems?.[0]?.path], [400, '/kind']);
    assert.equal((await api.call('DELETE', '/v1/keys/not-an-id', { key: second.body.key })).status, 400);
  });
});
