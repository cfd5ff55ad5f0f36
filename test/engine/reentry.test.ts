/**
 * Re-entry ("never", and "afterExit" with a cool-down) through the engine and store, on every path events
 * take: one at a time, several in one unit of work (a batch, as POST /v1/events sends them), and over HTTP.
 * The simulation's path is in test/sim/reentry.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import type { JourneyEvent } from '../../src/core/instance.ts';
import { T0, forEachStore, virtualWaymark } from '../helpers.ts';
import { startApi } from '../api/helpers.ts';
import { path } from '../journeys.ts';

const HOUR = 3_600_000;
const iso = (t: number) => new Date(t).toISOString();

/** entry -> push -> exit: a pass ends the moment it starts. */
function actionJourney(setup: Record<string, unknown>): JourneyDefinition {
  return path('action', [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Opened' } },
      { id: 'push', kind: 'send', channel: 'push', message: { title: 't', body: 'b' } },
      { id: 'out', kind: 'exit' },
  ], {
    setup,
  });
}

/** An inaction entry: the pass enters (and ends) 2 minutes after "Added" unless "Charged" comes first. */
function inactionJourney(setup: Record<string, unknown>): JourneyDefinition {
  return path('inaction', [
      { id: 'in', kind: 'entry', trigger: { type: 'inaction', event: 'Added', notEvent: 'Charged', within: '2m' } },
      { id: 'push', kind: 'send', channel: 'push', message: { title: 't', body: 'b' } },
      { id: 'out', kind: 'exit' },
  ], {
    setup,
  });
}

const COOLDOWN = { reentry: 'afterExit', reentryCooldown: '1d' };
const NEVER = { reentry: 'never' };

function ev(messageId: string, name: string, timestamp: number): JourneyEvent {
  return { messageId, userId: 'ana', name, timestamp, properties: {} };
}

await forEachStore((store) => {
  async function setUp(definition: JourneyDefinition, start = T0) {
    const w = await virtualWaymark({ store, start });
    await w.store.upsertProfiles([{ userId: 'ana', traits: { pushToken: 'tok' } }], start);
    await w.journeys.create({ id: 'j', definition });
    await w.journeys.publish('j');
    return w;
  }
  /** Each push by its pass: "j:", the entry time in base 36 (T0 is 0mvzdy000, T0 + 25 h 0mw0vj0g0), the entry event's id. */
  async function pushes(w: Awaited<ReturnType<typeof setUp>>) {
    const messages = await w.store.listMessages({ journeyId: 'j', limit: 100 });
    return messages.map((m) => [m.instanceId, m.status, iso(m.createdAt)]);
  }

  test('cool-down, events one at a time: blocked at 1 h, allowed again at 25 h (a day after the exit at 0 h)', async () => {
    const w = await setUp(actionJourney(COOLDOWN));
    for (const [id, at] of [['e0', T0], ['e1', T0 + HOUR], ['e2', T0 + 25 * HOUR]] as const) await w.send({ messageId: id, userId: 'ana', name: 'Opened', timestamp: at });
    assert.deepEqual(await pushes(w), [
      ['j:0mvzdy000:e0', 'sent', iso(T0)],
      ['j:0mw0vj0g0:e2', 'sent', iso(T0 + 25 * HOUR)],
    ]);
  });

  test('cool-down, one batch: the pass that ends inside the batch blocks the later event of the batch', async () => {
    // The batch arrives at 1 h: the first event's pass enters and exits then, so the one at 1 h is inside the cool-down.
    const w = await setUp(actionJourney(COOLDOWN), T0 + HOUR);
    const result = await w.engine.ingest([ev('e0', 'Opened', T0), ev('e1', 'Opened', T0 + HOUR)]);
    assert.deepEqual(result, { accepted: 2, duplicates: 0 });
    assert.deepEqual(await pushes(w), [['j:0mvzdy000:e0', 'sent', iso(T0 + HOUR)]]);
  });

  test('re-entry never, action entry, one batch: the second event does not enter again', async () => {
    const w = await setUp(actionJourney(NEVER), T0 + HOUR);
    await w.engine.ingestNow([ev('e0', 'Opened', T0), ev('e1', 'Opened', T0 + HOUR)]);
    assert.deepEqual(await pushes(w), [['j:0mvzdy000:e0', 'sent', iso(T0 + HOUR)]]);
  });

  test('re-entry never, inaction entry, one at a time: entered once, at 0 h 2 min', async () => {
    const w = await setUp(inactionJourney(NEVER));
    for (const [id, at] of [['e0', T0], ['e1', T0 + HOUR], ['e2', T0 + 2 * HOUR]] as const) await w.send({ messageId: id, userId: 'ana', name: 'Added', timestamp: at });
    await w.runUntil(T0 + 3 * HOUR);
    assert.deepEqual(await pushes(w), [['j:0mvzdy000:e0', 'sent', iso(T0 + 2 * 60_000)]]);
  });

  test('cool-down, inaction entry, one at a time: blocked at 1 h, allowed at 25 h (a day after the exit at 0 h 2 min)', async () => {
    const w = await setUp(inactionJourney(COOLDOWN));
    for (const [id, at] of [['e0', T0], ['e1', T0 + HOUR], ['e2', T0 + 25 * HOUR]] as const) await w.send({ messageId: id, userId: 'ana', name: 'Added', timestamp: at });
    await w.runUntil(T0 + 26 * HOUR);
    assert.deepEqual(await pushes(w), [
      ['j:0mvzdy000:e0', 'sent', iso(T0 + 2 * 60_000)],
      ['j:0mw0vj0g0:e2', 'sent', iso(T0 + 25 * HOUR + 2 * 60_000)],
    ]);
  });
});

test('cool-down over HTTP: one POST /v1/events batch with the events at 0 h and 1 h sends one push', async () => {
  const api = await startApi();
  await api.waymark.store.upsertProfiles([{ userId: 'ana', traits: { pushToken: 'tok' } }], Date.now());
  await api.waymark.journeys.create({ id: 'j', definition: actionJourney(COOLDOWN) });
  await api.waymark.journeys.publish('j');
  const base = Date.now() - 2 * HOUR;
  const response = await api.call('POST', '/v1/events', {
    key: api.write,
    body: {
      batch: [
        { userId: 'ana', event: 'Opened', messageId: 'e0', timestamp: base },
        { userId: 'ana', event: 'Opened', messageId: 'e1', timestamp: base + HOUR },
      ],
    },
  });
  assert.deepEqual([response.status, response.body], [200, { accepted: 2, duplicates: 0 }]);
  // The response comes once the batch and everything it caused are committed.
  const messages = await api.waymark.store.listMessages({ journeyId: 'j', limit: 10 });
  // The pass of e0, made two hours ago: the journey, the entry time in base 36, the entry event's id.
  assert.deepEqual(messages.map((m) => [/^j:[0-9a-z]{9}:e0$/.test(m.instanceId), m.nodeId]), [[true, 'push']]);
});
