/**
 * A SQLite store that writes only the events its units read back (SqliteOptions.eventsKept, a simulation's):
 * which events reach the file, the users it counts, that a unit which fails counts none, and that it refuses by
 * name every read it cannot answer, before a unit changes anything.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { JourneyEvent } from '../../src/core/instance.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Changes, EventBatchView, Lookback } from '../../src/store/store.ts';
import { tempDir } from '../helpers.ts';
import { instance } from './contract.ts';

const NO_CHANGES: Changes = { instances: [], messages: [], stats: [] };
const event = (messageId: string, userId: string, name: string, timestamp = 1_000): JourneyEvent => ({ messageId, userId, name, timestamp, properties: { n: messageId } });

function keeping(names: string[]): SqliteStore {
  return new SqliteStore(join(tempDir(), 'kept.db'), { durability: 'fast', instances: 'memory', eventsKept: new Set(names) });
}

const storedIds = (store: SqliteStore) => (store.db.prepare('SELECT message_id FROM events ORDER BY seq').all() as { message_id: string }[]).map((r) => r.message_id);

test('only the events kept reach the file; every event accepted reaches decide, and its user is counted', async () => {
  const store = keeping(['Charged']);
  const seen: string[][] = [];
  const decide = (view: EventBatchView) => {
    seen.push(view.events.map((e) => e.messageId));
    return NO_CHANGES;
  };
  const result = await store.ingestEvents([event('a1', 'ana', 'Added to Cart'), event('c1', 'ana', 'Charged'), event('a2', 'bo', 'Added to Cart')], 1_000, decide);
  assert.deepEqual(result, { accepted: 3, duplicates: 0 });
  assert.deepEqual(seen, [['a1', 'c1', 'a2']]);
  assert.deepEqual(storedIds(store), ['c1']);
  assert.equal(await store.eventUserCount(), 2, 'bo has no event in the file, and is counted');
  // A kept event given again is still a duplicate; the file is what decides that.
  assert.deepEqual(await store.ingestEvents([event('c1', 'ana', 'Charged')], 2_000, decide), { accepted: 0, duplicates: 1 });
  const charged = await store.eventsOfUsers(['ana', 'bo'], [{ name: 'Charged', since: null }]);
  assert.deepEqual(charged.map((e) => [e.messageId, e.userId, e.properties]), [['c1', 'ana', { n: 'c1' }]]);
  await store.close();
});

test('a unit that fails counts no user', async () => {
  const store = keeping(['Charged']);
  await store.ingestEvents([event('a1', 'ana', 'Added to Cart')], 1_000, () => ({ ...NO_CHANGES, instances: [instance('a', { userId: 'ana', wakeAt: 5_000 })] }));
  // A second live pass of the same journey for ana is refused inside the transaction.
  await assert.rejects(
    store.ingestEvents([event('a2', 'ana', 'Added to Cart'), event('c2', 'cy', 'Charged')], 2_000, () => ({ ...NO_CHANGES, instances: [instance('b', { userId: 'ana', wakeAt: 6_000 })] })),
    /live pass of journey cart already/,
  );
  assert.equal(await store.eventUserCount(), 1);
  assert.deepEqual(storedIds(store), [], "cy's Charged went with its unit");
  await store.close();
});

test('reads of events the file may not hold are refused by name, and a unit asking for them changes nothing', async () => {
  const store = keeping(['Charged']);
  await store.ingestEvents([event('c1', 'ana', 'Charged')], 1_000, () => NO_CHANGES);
  for (const [method, read] of [
    ['userEvents', () => store.userEvents('ana', 10)],
    ['latestUserEvent', () => store.latestUserEvent('ana', null, 10)],
    ['eventSample', () => store.eventSample(10, 1_000)],
    ['eventWindow', () => store.eventWindow({ from: 0, to: 2_000, limit: 10 })],
  ] as const) {
    await assert.rejects(read(), new RegExp(`^Error: ${method}: this store keeps only the events its journeys read back`));
  }
  await assert.rejects(store.eventsOfUsers(['ana'], [{ name: 'Charged', since: null }, { name: 'Viewed', since: 0 }]), /eventsOfUsers \(a scheduled segment\): this store keeps no "Viewed" event/);

  let decided = 0;
  const decide = () => {
    decided += 1;
    return NO_CHANGES;
  };
  const lookback: Lookback = { startsJourney: () => true, names: new Set(['Charged', 'Viewed']) };
  await assert.rejects(store.ingestEvents([event('a1', 'bo', 'Added to Cart')], 2_000, decide, lookback), /a unit replaying events that overtook an entry: this store keeps no "Viewed" event/);
  const history = { history: { names: new Set(['Viewed']), since: null }, sendsSince: null, outcomes: false };
  await assert.rejects(store.drainInbox(2_000, 10, decide, undefined, history), /a unit reading a user's event history: this store keeps no "Viewed" event/);
  await assert.rejects(store.fireDueTimers(2_000, 10, decide, history), /event history: this store keeps no "Viewed" event/);
  assert.equal(decided, 0);
  assert.equal(await store.eventUserCount(), 1, 'bo was not taken');
  // What the file keeps is read as ever.
  const kept: Lookback = { startsJourney: () => true, names: new Set(['Charged']) };
  await store.ingestEvents([event('a2', 'ana', 'Added to Cart', 500)], 2_000, (view) => {
    assert.deepEqual([...view.recent.get('ana')!].map((e) => e.messageId), ['c1'], 'the Charged that overtook the entry');
    return NO_CHANGES;
  }, kept);
  await store.close();
});
