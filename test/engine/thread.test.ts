/**
 * The engine in a thread of its own (src/engine/thread), as `waymark serve` runs it on SQLite: the main
 * thread's API writes journeys and reads results on its own connection; events and profiles cross to the
 * engine's thread, which commits them with what they cause. Real time, but no waiting on it: a send of the
 * built-in outbox is committed with the event that caused it, so it is there once `ingest` resolves.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openThreadedWaymark } from '../../src/app/waymark.ts';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import type { JourneyEvent } from '../../src/core/instance.ts';
import { tempDir } from '../helpers.ts';
import { path } from '../journeys.ts';

const WELCOME: JourneyDefinition = path('welcome', [
  { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
  { id: 'push', kind: 'send', channel: 'push', message: { title: 'Hi {{ Profile.name | default: "there" }}', body: 'Welcome, {{ Event.plan }}' } },
  { id: 'out', kind: 'exit' },
]);

function signedUp(userId: string, plan = 'pro'): JourneyEvent {
  return { messageId: `signup-${userId}`, userId, name: 'Signed Up', timestamp: Date.now(), properties: { plan } };
}

async function open() {
  const fatal: Error[] = [];
  const w = await openThreadedWaymark({ file: join(tempDir(), 'waymark.db'), onFatal: (error) => fatal.push(error) });
  after(() => w.close());
  return { w, fatal };
}

test('events and profiles cross to the engine thread; what they cause is read on the main thread', async () => {
  const { w, fatal } = await open();
  await w.journeys.create({ id: 'welcome', definition: WELCOME });
  await w.journeys.publish('welcome'); // written here, then reloaded by the engine's thread
  await w.engine.upsertProfiles([{ userId: 'ana', traits: { name: 'Ana', pushToken: 'tok-ana' } }]);

  assert.deepEqual(await w.engine.ingest([signedUp('ana', 'team')]), { accepted: 1, duplicates: 0 });
  assert.deepEqual(await w.engine.ingest([signedUp('ana', 'team')]), { accepted: 0, duplicates: 1 });

  const sent = await w.store.listMessages({ userId: 'ana', limit: 10 });
  assert.deepEqual(sent.map((m) => [m.nodeId, m.status, m.content]), [['push', 'sent', { to: 'tok-ana', title: 'Hi Ana', body: 'Welcome, team' }]]);
  assert.deepEqual((await w.store.getProfile('ana'))?.traits, { name: 'Ana', pushToken: 'tok-ana' });
  assert.deepEqual(fatal, []);
});

test('calls made in the same moment all resolve, each with its own answer', async () => {
  const { w } = await open();
  await w.journeys.create({ id: 'welcome', definition: WELCOME });
  await w.journeys.publish('welcome');
  const users = Array.from({ length: 40 }, (_, i) => `u${i}`);
  await w.engine.upsertProfiles(users.map((userId) => ({ userId, traits: { pushToken: `tok-${userId}` } })));

  const answers = await Promise.all(users.map((u, i) => w.engine.ingest(i % 4 === 0 ? [signedUp(u), signedUp(u)] : [signedUp(u)])));

  assert.deepEqual(answers.map((a) => a.accepted + a.duplicates), users.map((_, i) => (i % 4 === 0 ? 2 : 1)));
  assert.deepEqual(answers.map((a) => a.accepted), users.map(() => 1));
  const sent = await w.store.listMessages({ journeyId: 'welcome', limit: 100 });
  assert.deepEqual(sent.map((m) => m.userId).sort(), [...users].sort());
});

test('a paused journey stops taking users at once: the pause reaches the engine thread before the call returns', async () => {
  const { w } = await open();
  await w.journeys.create({ id: 'welcome', definition: WELCOME });
  await w.journeys.publish('welcome');
  await w.engine.upsertProfiles([{ userId: 'ana', traits: { pushToken: 'a' } }, { userId: 'bo', traits: { pushToken: 'b' } }]);
  await w.engine.ingest([signedUp('ana')]);
  await w.journeys.pause('welcome');
  await w.engine.ingest([signedUp('bo')]);
  const sent = await w.store.listMessages({ journeyId: 'welcome', limit: 10 });
  assert.deepEqual(sent.map((m) => m.userId), ['ana']);
});

test('close commits what was queued, ends the thread, and a call after it fails with a reason', async () => {
  const { w } = await open();
  await w.journeys.create({ id: 'welcome', definition: WELCOME });
  await w.journeys.publish('welcome');
  await w.engine.upsertProfiles([{ userId: 'ana', traits: { pushToken: 'a' } }]);
  const queued = w.engine.ingest([signedUp('ana')]);
  await w.close();
  assert.deepEqual(await queued, { accepted: 1, duplicates: 0 });
  await assert.rejects(w.engine.ingest([signedUp('bo')]), /engine's thread exited/);
});
