/**
 * A write that finds the SQLite file held by another connection past its busy timeout (5 s) answers 503 with
 * Retry-After, which SDKs and integrations retry, and stores nothing: a busy database is a moment, not a
 * server fault (500). Here a second connection holds the write lock for the whole request, and the API's
 * connection waits 100 ms instead of 5 s.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { VirtualClock } from '../../src/core/clock.ts';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { startApi } from './helpers.ts';

test('a settings save that waits out the busy timeout answers 503 with Retry-After, and saves nothing', { timeout: 60_000 }, async () => {
  const api = await startApi({ clock: new VirtualClock(Date.UTC(2026, 0, 5)) }); // no background loops waiting too
  const { db } = api.waymark.store as SqliteStore;
  db.pragma('busy_timeout = 100'); // the server waits 5 s; how long it waits is not what is tested
  const file = db.name;
  const holder = new Database(file);
  holder.exec('BEGIN IMMEDIATE');
  let response: Response;
  try {
    response = await fetch(`${api.url}/v1/settings`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${api.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ timezone: 'Europe/Paris' }),
    });
  } finally {
    holder.exec('ROLLBACK');
    holder.close();
  }
  assert.equal(response.status, 503);
  assert.equal(response.headers.get('retry-after'), '1');
  assert.deepEqual(await response.json(), { error: 'Service Unavailable', message: 'the database is busy with another write; nothing was stored, try again' });
  assert.deepEqual((await api.call('GET', '/v1/settings')).body.timezone, undefined);

  // The same request, once the file is free, is taken.
  assert.equal((await api.call('PUT', '/v1/settings', { body: { timezone: 'Europe/Paris' } })).status, 200);
  assert.equal((await api.call('GET', '/v1/settings')).body.timezone, 'Europe/Paris');
});
