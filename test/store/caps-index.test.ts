/**
 * The SQLite store keeps the index of a user's sends by time (CAPS_INDEX) only while a frequency cap is set
 * (store/sqlite/caps-index.ts): a server that caps nothing writes no entry of it with each message. The engine
 * tells the store when it reads the settings, so a cap saved later counts the sends made before it, and a file
 * opened again keeps to its settings. Caps themselves are tested on both stores in test/engine/frequency-caps.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openWaymark, type Waymark } from '../../src/app/waymark.ts';
import { VirtualClock } from '../../src/core/clock.ts';
import { openStore } from '../../src/store/open.ts';
import { CAPS_INDEX } from '../../src/store/sqlite/connection.ts';
import { outboxOnly } from '../../src/channels/outbox.ts';
import { tempDir } from '../helpers.ts';
import { path } from '../journeys.ts';

const T0 = Date.UTC(2026, 0, 5, 9);
const MINUTE = 60_000;
const CAP = { frequencyCaps: [{ max: 1, per: '1h', channel: 'push' }] };

const pushOn = (event: string) =>
  path(`on ${event}`, [
    { id: 'in', kind: 'entry', trigger: { type: 'action', event } },
    { id: 'push', kind: 'send', channel: 'push', message: { title: event, body: 'b' } },
    { id: 'out', kind: 'exit' },
  ]);

/** Whether the file has the index, asked on a connection of the test's own. */
function hasCapsIndex(file: string): boolean {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?").get(CAPS_INDEX) !== undefined;
  } finally {
    db.close();
  }
}

async function start(file: string, clock: VirtualClock): Promise<Waymark> {
  return openWaymark({ database: await openStore(file), clock, realtime: false, channels: outboxOnly() });
}

/** One event, taken and its sends made, as the server would. */
async function send(w: Waymark, userId: string, name: string, timestamp: number): Promise<void> {
  await w.engine.ingestNow([{ messageId: `${name}-${timestamp}`, userId, name, timestamp, properties: {} }]);
  await w.engine.dispatch();
}

/** Settings saved as the API saves them: the document, then the engine told to read it. */
async function saveSettings(w: Waymark, settings: Record<string, unknown>, at: number): Promise<void> {
  await w.store.saveSettings(settings, at);
  await w.engine.reloadJourneys();
}

test('no cap, no index; a cap saved builds it and counts the sends made before it; none dropped, it goes', async (t) => {
  const file = join(tempDir(), 'caps.db');
  const clock = new VirtualClock(T0);
  const w = await start(file, clock);
  t.after(() => w.close());
  assert.equal(hasCapsIndex(file), false, 'a new server caps nothing, so it has no index of sends by time');

  for (const id of ['a', 'b']) {
    await w.journeys.create({ id, definition: pushOn(id.toUpperCase()) });
    await w.journeys.publish(id);
  }
  await w.store.upsertProfiles([{ userId: 'ana', traits: { pushToken: 'tok' } }], T0);
  await send(w, 'ana', 'A', T0);

  clock.set(T0 + 10 * MINUTE);
  await saveSettings(w, CAP, clock.now());
  assert.equal(hasCapsIndex(file), true, 'a cap is set: the index is built');
  // One push an hour: the push of ten minutes ago, made before the cap and the index, counts.
  await send(w, 'ana', 'B', clock.now());
  const messages = await w.store.listMessages({ userId: 'ana', limit: 10 });
  assert.deepEqual(
    messages.map((m) => [m.journeyId, m.status, m.reason]),
    [
      ['a', 'sent', null],
      ['b', 'skipped', 'frequency_cap'],
    ],
  );

  await saveSettings(w, { frequencyCaps: [] }, clock.now());
  assert.equal(hasCapsIndex(file), false, 'no cap is left: the index is dropped');

  // Before a build, the store says about how many messages it will read (the engine logs it); not otherwise.
  const heard: number[] = [];
  assert.equal(await w.store.frequencyCapsSet(true, (messages) => heard.push(messages)), 'built');
  assert.equal(await w.store.frequencyCapsSet(true, (messages) => heard.push(messages)), null);
  assert.deepEqual(heard, [2]);
});

test('a file opened again keeps to its settings: the index is there while they cap, and built if it is missing', async () => {
  const file = join(tempDir(), 'reopened.db');
  const clock = new VirtualClock(T0);
  const first = await start(file, clock);
  await saveSettings(first, CAP, T0);
  await first.close();

  // The index dropped behind the server's back (as migration 024 drops it from an older file): the engine's
  // start builds it again, because the settings cap.
  const db = new Database(file);
  db.exec(`DROP INDEX ${CAPS_INDEX}`);
  db.close();
  const second = await start(file, clock);
  try {
    assert.equal(hasCapsIndex(file), true);
  } finally {
    await second.close();
  }
});
