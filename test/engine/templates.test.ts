/** A template that fails at render time, through the real engine on each store: one failed message, never a failed batch. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import { T0, forEachStore, virtualWaymark, type StoreKind } from '../helpers.ts';
import { path } from '../journeys.ts';

const HOUR = 3_600_000;
/** Fine for a small `n`; over Liquid's allocation limit for 100,000,000. It passes validation: the range is a trait. */
const LOOP = 'Your {% for i in (1..Profile.n) %}*{% endfor %} stars';

/** On Signed Up: (an hour later, when `delay`) an SMS rendering LOOP, whose "unreachable" branch sends an email. */
function looping(delay: boolean): JourneyDefinition {
  return {
    name: 'stars',
    nodes: [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
      ...(delay ? [{ id: 'later', kind: 'delay' as const, duration: '1h' }] : []),
      { id: 'text', kind: 'send', channel: 'sms', message: { body: LOOP } },
      { id: 'sorry', kind: 'send', channel: 'email', message: { subject: 'Hello', body: 'plain' } },
      { id: 'out', kind: 'exit' },
    ],
    edges: [
      ...(delay ? [{ from: 'in', to: 'later' }, { from: 'later', to: 'text' }] : [{ from: 'in', to: 'text' }]),
      { from: 'text', to: 'out' },
      { from: 'text', to: 'sorry', branch: 'unreachable' },
      { from: 'sorry', to: 'out' },
    ],
  };
}

/** On Signed Up, an hour later: a plain push. */
const hello: JourneyDefinition = path('hello', [
    { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
    { id: 'later', kind: 'delay', duration: '1h' },
    { id: 'hi', kind: 'send', channel: 'push', message: { title: 'Hi', body: 'Welcome, {{ Profile.name }}' } },
    { id: 'out', kind: 'exit' },
]);

async function withUsers(store: StoreKind, journeys: Record<string, JourneyDefinition>) {
  const w = await virtualWaymark({ store });
  const base = { email: 'x@example.test', pushToken: 'tok', phone: '+1555' };
  await w.store.upsertProfiles(
    [
      { userId: 'ana', traits: { ...base, name: 'Ana', n: 100_000_000 } },
      { userId: 'bo', traits: { ...base, name: 'Bo', n: 3 } },
    ],
    T0,
  );
  for (const [id, definition] of Object.entries(journeys)) {
    await w.journeys.create({ id, definition });
    await w.journeys.publish(id);
  }
  return w;
}

async function messagesOf(w: Awaited<ReturnType<typeof withUsers>>, userId: string) {
  const list = await w.store.listMessages({ userId, limit: 100 });
  return list.map((m) => ({ journey: m.journeyId, node: m.nodeId, status: m.status, reason: m.reason, body: m.content?.body ?? null })).sort((a, b) => `${a.journey}${a.node}`.localeCompare(`${b.journey}${b.node}`));
}

function metric(stats: Array<{ nodeId: string; metric: string; count: number }>, nodeId: string, name: string): number {
  return stats.filter((s) => s.nodeId === nodeId && s.metric === name).reduce((n, s) => n + s.count, 0);
}

await forEachStore((store) => {
  test('engine: a render failure on a timer fails that message and takes "unreachable"; the other timers of the batch fire', async () => {
    const w = await withUsers(store, { stars: looping(true), hello });
    await w.send({ userId: 'ana', name: 'Signed Up', timestamp: T0 });
    await w.send({ userId: 'bo', name: 'Signed Up', timestamp: T0 });
    assert.equal(await w.store.nextWakeAt(), T0 + HOUR, 'four timers, all due at once');
    await w.runUntil(T0 + 2 * HOUR);

    const failed = 'render_failed: body: memory alloc limit exceeded, line:1, col:6';
    assert.deepEqual(await messagesOf(w, 'ana'), [
      { journey: 'hello', node: 'hi', status: 'sent', reason: null, body: 'Welcome, Ana' },
      { journey: 'stars', node: 'sorry', status: 'sent', reason: null, body: 'plain' },
      { journey: 'stars', node: 'text', status: 'failed', reason: failed, body: null },
    ]);
    assert.deepEqual(await messagesOf(w, 'bo'), [
      { journey: 'hello', node: 'hi', status: 'sent', reason: null, body: 'Welcome, Bo' },
      { journey: 'stars', node: 'text', status: 'sent', reason: null, body: 'Your *** stars' },
    ]);
    const stats = await w.store.journeyStats('stars');
    assert.deepEqual(
      ['node_entered', 'node_sent', 'node_failed', 'node_skipped'].map((m) => metric(stats, 'text', m)),
      [2, 1, 1, 0],
    );
    assert.equal(metric(stats, 'sorry', 'node_sent'), 1);
    assert.equal(metric(stats, '', 'completed'), 2);
    assert.equal(await w.store.nextWakeAt(), null, 'nobody left waiting');
  });

  test('engine: a render failure on an immediate send is a failed message, and the ingest succeeds', async () => {
    const w = await withUsers(store, { stars: looping(false) });
    await w.send({ userId: 'ana', name: 'Signed Up', timestamp: T0 }); // would throw on a failed batch
    await w.send({ userId: 'bo', name: 'Signed Up', timestamp: T0 });
    assert.deepEqual(await messagesOf(w, 'ana'), [
      { journey: 'stars', node: 'sorry', status: 'sent', reason: null, body: 'plain' },
      { journey: 'stars', node: 'text', status: 'failed', reason: 'render_failed: body: memory alloc limit exceeded, line:1, col:6', body: null },
    ]);
    assert.deepEqual(await messagesOf(w, 'bo'), [{ journey: 'stars', node: 'text', status: 'sent', reason: null, body: 'Your *** stars' }]);
    assert.equal(metric(await w.store.journeyStats('stars'), 'text', 'node_failed'), 1);
  });
});
