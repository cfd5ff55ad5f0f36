/** Lifecycle through the service, engine and store: scheduled, completed, and moving users to a new version. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import { T0, forEachStore, virtualWaymark } from '../helpers.ts';
import { path } from '../journeys.ts';

const HOUR = 3_600_000;
const iso = (t: number) => new Date(t).toISOString();

function twoStep(body: string, setup: Record<string, unknown> = {}): JourneyDefinition {
  return path('two steps', [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Go' } },
      { id: 'first', kind: 'send', channel: 'push', message: { title: 't', body: 'first' } },
      { id: 'wait', kind: 'delay', duration: '2h' },
      { id: 'second', kind: 'send', channel: 'push', message: { title: 't', body } },
      { id: 'out', kind: 'exit' },
  ], {
    setup,
  });
}

await forEachStore((store) => {
  test('lifecycle: scheduled until startAt (entries before it ignored), running, then completed once nobody is inside', async () => {
    const w = await virtualWaymark({ store });
    await w.store.upsertProfiles([{ userId: 'ana', traits: { pushToken: 'tok' } }], T0);
    await w.journeys.create({ id: 'j', definition: twoStep('second', { startAt: iso(T0 + HOUR), endAt: iso(T0 + 2 * HOUR) }) });
    await w.journeys.publish('j');
    assert.equal((await w.journeys.view('j')).status, 'scheduled');
    await w.send({ userId: 'ana', name: 'Go', timestamp: T0 + HOUR - 1 });
    assert.equal((await w.store.userInstances('ana')).length, 0, 'before startAt: no entry');
    await w.runUntil(T0 + HOUR);
    assert.equal((await w.journeys.view('j')).status, 'running');
    await w.send({ userId: 'ana', name: 'Go', timestamp: T0 + HOUR + 1 });
    await w.runUntil(T0 + 2 * HOUR + 1);
    assert.equal((await w.journeys.view('j')).status, 'running', 'the timeline is over but ana is still inside');
    await w.runUntil(T0 + 4 * HOUR);
    assert.equal((await w.journeys.view('j')).status, 'completed');
    assert.deepEqual((await w.journeys.list()).map((j) => j.status), ['completed']);
  });

  test('publish with moveUsers: users at a node the new version still has go on along it; the rest stay on theirs', async () => {
    const w = await virtualWaymark({ store });
    await w.store.upsertProfiles(['ana', 'bo'].map((userId) => ({ userId, traits: { pushToken: 'tok' } })), T0);
    await w.journeys.create({ id: 'j', definition: twoStep('v1 second') });
    await w.journeys.publish('j');
    await w.send({ userId: 'ana', name: 'Go', timestamp: T0 });
    // Version 2 renames bo's future node: a user at "wait" moves; at "wait" in v2 the next send says "v2".
    await w.journeys.update('j', { definition: twoStep('v2 second') });
    const published = await w.journeys.publish('j', { moveUsers: true });
    assert.equal(published.moved, 1);
    await w.send({ userId: 'bo', name: 'Go', timestamp: T0 + 1 });
    await w.runUntil(T0 + 3 * HOUR);
    const bodies = async (userId: string) => (await w.store.listMessages({ userId, limit: 10 })).map((m) => [m.version, m.content?.body]);
    assert.deepEqual(await bodies('ana'), [[1, 'first'], [2, 'v2 second']]);
    assert.deepEqual(await bodies('bo'), [[2, 'first'], [2, 'v2 second']]);

    // Version 3 drops the delay: a user waiting there cannot move and finishes on version 2.
    // Reentry "never" (the default): ana, who finished at T0 + 2 h, does Go again and nothing happens.
    const anaBefore = await w.store.userInstances('ana');
    assert.deepEqual(anaBefore.map((i) => [i.status, i.version]), [['exited', 2]]);
    await w.send({ userId: 'ana', name: 'Go', timestamp: T0 + 4 * HOUR });
    const v3 = twoStep('v3');
    v3.nodes = v3.nodes.filter((n) => n.id !== 'wait');
    v3.edges = [...v3.edges.filter((e) => e.from !== 'wait' && e.to !== 'wait'), { from: 'first', to: 'second' }];
    await w.store.upsertProfiles([{ userId: 'cy', traits: { pushToken: 'tok' } }], T0);
    await w.send({ userId: 'cy', name: 'Go', timestamp: T0 + 4 * HOUR });
    await w.journeys.update('j', { definition: v3 });
    assert.equal((await w.journeys.publish('j', { moveUsers: true })).moved, 0);
    await w.runUntil(T0 + 7 * HOUR);
    assert.deepEqual(await bodies('cy'), [[2, 'first'], [2, 'v2 second']]);
    assert.deepEqual(await w.store.userInstances('ana'), anaBefore, 'ana: the one finished instance, unchanged');
    assert.deepEqual(await bodies('ana'), [[1, 'first'], [2, 'v2 second']], 'ana: exactly the first pass');
    const stats = await w.store.journeyStats('j');
    assert.ok(stats.some((r) => r.version === 2 && r.metric === 'completed'), 'stats per version');
  });

  test('publish with moveUsers: a user at a node whose id is now another kind stays on their version and finishes there', async () => {
    const w = await virtualWaymark({ store });
    await w.store.upsertProfiles(['ana', 'bo'].map((userId) => ({ userId, traits: { pushToken: 'tok' } })), T0);
    await w.journeys.create({ id: 'j', definition: twoStep('v1 second') });
    await w.journeys.publish('j');
    await w.send({ userId: 'ana', name: 'Go', timestamp: T0 });
    // Version 2 makes "wait" a profile update: moved there, ana's delay timer would find no delay and strand her.
    const v2 = twoStep('v2 second');
    v2.nodes = v2.nodes.map((n) => (n.id === 'wait' ? { id: 'wait', kind: 'updateProfile', set: { nudged: true } } : n));
    await w.journeys.update('j', { definition: v2 });
    assert.equal((await w.journeys.publish('j', { moveUsers: true })).moved, 0);
    await w.send({ userId: 'bo', name: 'Go', timestamp: T0 + HOUR });
    await w.runUntil(T0 + 3 * HOUR);
    const bodies = async (userId: string) => (await w.store.listMessages({ userId, limit: 10 })).map((m) => [m.version, m.content?.body, m.createdAt - T0]);
    assert.deepEqual(await bodies('ana'), [
      [1, 'first', 0],
      [1, 'v1 second', 2 * HOUR],
    ]);
    assert.deepEqual((await w.store.userInstances('ana')).map((i) => [i.status, i.version]), [['exited', 1]]);
    assert.deepEqual(await bodies('bo'), [
      [2, 'first', HOUR],
      [2, 'v2 second', HOUR],
    ]);
    assert.equal((await w.store.getProfile('bo'))?.traits.nudged, true);
    assert.equal((await w.store.getProfile('ana'))?.traits.nudged, undefined);
  });
});
