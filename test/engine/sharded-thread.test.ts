/**
 * A database split by user into shards, an engine thread on each (`waymark serve --shards`): the main thread
 * routes each user's events to the thread of the user's shard and reads every shard for the API. Real time,
 * no waiting on it: a send of the built-in outbox commits with the event that caused it.
 *
 * Which shard an id is in is FNV-1a of the id modulo 2 (store/shards/shard-files.ts): here "bo" and "anon-2"
 * are in shard 0 (the main file), "ana" and "anon-1" in shard 1. The tests read the files themselves to check.
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openShardedWaymark, openThreadedWaymark } from '../../src/app/waymark.ts';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import type { JourneyEvent } from '../../src/core/instance.ts';
import { tempDir } from '../helpers.ts';
import { path } from '../journeys.ts';

const WELCOME: JourneyDefinition = path('welcome', [
  { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
  { id: 'push', kind: 'send', channel: 'push', message: { title: 'Hi {{ Profile.name | default: "there" }}', body: 'Welcome, {{ Event.plan }}' } },
  { id: 'out', kind: 'exit' },
]);

/** A pass that waits an hour, until a Charged (the goal) ends it. */
const CART: JourneyDefinition = path(
  'cart',
  [
    { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Added to Cart' } },
    { id: 'wait', kind: 'delay', duration: '1h' },
    { id: 'push', kind: 'send', channel: 'push', message: { title: 'Still there?', body: 'Your cart' } },
    { id: 'out', kind: 'exit' },
  ],
  { goals: [{ id: 'bought', event: 'Charged', exitOnGoal: true }] },
);

const event = (messageId: string, userId: string, name: string, properties: Record<string, unknown> = {}): JourneyEvent => ({ messageId, userId, name, timestamp: Date.now(), properties });

async function open(file = join(tempDir(), 'waymark.db')) {
  const fatal: Error[] = [];
  const w = await openShardedWaymark({ file, shards: 2, onFatal: (error) => fatal.push(error) });
  after(() => w.close());
  return { w, fatal, file };
}

/** How many rows of `table` the user has in a file, read beside the server. */
function rowsIn(file: string, table: string, userId: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE user_id = ?`).get(userId) as { n: number }).n;
  } finally {
    db.close();
  }
}

test('each user is decided in the shard of their id; the API reads every shard', async () => {
  const { w, fatal, file } = await open();
  await w.journeys.create({ id: 'welcome', definition: WELCOME });
  await w.journeys.publish('welcome');
  await w.engine.upsertProfiles([
    { userId: 'ana', traits: { name: 'Ana', pushToken: 'tok-ana' } },
    { userId: 'bo', traits: { name: 'Bo', pushToken: 'tok-bo' } },
  ]);

  const answer = await w.engine.ingest([event('s-ana', 'ana', 'Signed Up', { plan: 'team' }), event('s-bo', 'bo', 'Signed Up', { plan: 'pro' }), event('s-ana', 'ana', 'Signed Up')]);
  assert.deepEqual(answer, { accepted: 2, duplicates: 1 });

  const sent = await w.store.listMessages({ journeyId: 'welcome', limit: 10 });
  assert.deepEqual(sent.map((m) => [m.userId, m.status, m.content]).sort(), [
    ['ana', 'sent', { to: 'tok-ana', title: 'Hi Ana', body: 'Welcome, team' }],
    ['bo', 'sent', { to: 'tok-bo', title: 'Hi Bo', body: 'Welcome, pro' }],
  ]);
  // One counter numbers the messages of both shards: no number twice.
  assert.equal(new Set(sent.map((m) => m.seq)).size, 2);
  assert.deepEqual(
    (await w.store.journeyStats('welcome')).filter((s) => s.nodeId === 'push').map((s) => [s.metric, s.count]),
    [['node_entered', 2], ['node_sent', 2]],
    "both shards' counts, added",
  );
  const shard1 = file.replace(/waymark\.db$/, 'waymark.shard_1.db');
  assert.deepEqual([rowsIn(file, 'messages', 'bo'), rowsIn(file, 'messages', 'ana')], [1, 0], 'bo in the main file');
  assert.deepEqual([rowsIn(shard1, 'messages', 'ana'), rowsIn(shard1, 'profiles', 'ana'), rowsIn(shard1, 'messages', 'bo')], [1, 1, 0], 'ana in shard 1');
  assert.deepEqual(fatal, []);
  await w.close();
});

test('an identify across shards moves the old id with its pass; its later events reach the pass in its new shard', async () => {
  const { w, fatal, file } = await open();
  const shard1 = file.replace(/waymark\.db$/, 'waymark.shard_1.db');
  await w.journeys.create({ id: 'cart', definition: CART });
  await w.journeys.publish('cart');
  await w.engine.upsertProfiles([{ userId: 'bo', traits: { name: 'Bo' } }, { userId: 'anon-1', traits: { name: 'Anon', city: 'Oslo' } }]);

  // anon-1 (shard 1) is waiting in the cart; it turns out to be bo (shard 0).
  await w.engine.ingest([event('cart-anon', 'anon-1', 'Added to Cart')]);
  assert.equal(rowsIn(shard1, 'instances', 'anon-1'), 1);
  const [merged, later] = await Promise.all([
    w.engine.identify({ from: 'anon-1', into: 'bo' }),
    w.engine.ingest([event('paid', 'anon-1', 'Charged')]),
  ]);
  assert.deepEqual(merged, { outcome: 'merged', userId: 'bo', events: 1, instances: 1, exited: 0 });
  assert.equal(later.accepted, 1);

  // Every row of anon-1 left shard 1; bo has them in the main file, the profile merged (bo's name kept).
  assert.deepEqual(['instances', 'events', 'profiles', 'messages'].map((table) => rowsIn(shard1, table, 'anon-1')), [0, 0, 0, 0]);
  assert.deepEqual([rowsIn(file, 'instances', 'bo'), rowsIn(file, 'events', 'bo')], [1, 2]);
  assert.deepEqual((await w.store.getProfile('bo'))?.traits, { name: 'Bo', city: 'Oslo' });
  // The Charged sent as anon-1 after the merge was bo's, in bo's shard: the goal ended the moved pass.
  const [pass] = await w.store.userInstances('bo');
  assert.deepEqual([pass?.status, pass?.exit?.reason, pass?.convertedAt !== null], ['exited', 'goal', true]);
  assert.deepEqual(await w.store.resolveIdentities(['anon-1']), new Map([['anon-1', 'bo']]));
  // A second identify of the same pair changes nothing; anon-1 cannot become another user's.
  assert.equal((await w.engine.identify({ from: 'anon-1', into: 'bo' })).outcome, 'unchanged');
  assert.equal((await w.engine.identify({ from: 'anon-1', into: 'ana' })).outcome, 'conflict');
  assert.deepEqual(fatal, []);
  await w.close();
});

test('the number of shards is kept with the database: a server with another number, or none, is refused', async () => {
  const { w, file } = await open();
  await w.engine.ingest([event('e1', 'bo', 'Viewed')]);
  await w.close();
  await assert.rejects(openShardedWaymark({ file, shards: 3, onFatal: () => {} }), /is split into 2 shards: start it with --shards 2/);
  await assert.rejects(openThreadedWaymark({ file, onFatal: () => {} }), /is split into 2 shards: start it with --shards 2/);
  await assert.rejects(openThreadedWaymark({ file: file.replace(/waymark\.db$/, 'waymark.shard_1.db'), onFatal: () => {} }), /is split into 2 shards/);

  // A file of one shard with users in it cannot be split: its users are not where a hash would look.
  const single = join(tempDir(), 'single.db');
  const one = await openThreadedWaymark({ file: single, onFatal: () => {} });
  await one.engine.ingest([event('e1', 'ana', 'Viewed')]);
  await one.close();
  await assert.rejects(openShardedWaymark({ file: single, shards: 2, onFatal: () => {} }), /holds its users in one file: --shards 2 can only make a new database/);

  // Started again as it was made, it has what it had.
  const again = await openShardedWaymark({ file, shards: 2, onFatal: () => {} });
  after(() => again.close());
  assert.deepEqual((await again.store.userEvents('bo', 10)).map((e) => e.messageId), ['e1']);
  await again.close();
});
