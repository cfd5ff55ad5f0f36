/** Frequency caps, re-entry cool-downs and splits on event history, through the real engine and store. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import { T0, forEachStore, virtualWaymark, type StoreKind } from '../helpers.ts';
import { path } from '../journeys.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** On `event`: a push, then (unless `fallback` is false) an email for users the push did not reach. */
function pushJourney(event: string, setup: Record<string, unknown> = {}): JourneyDefinition {
  return path(`on ${event}`, [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event } },
      { id: 'push', kind: 'send', channel: 'push', message: { title: event, body: 'b' } },
      { id: 'email', kind: 'send', channel: 'email', message: { subject: `instead of ${event}`, body: 'b' } },
      { id: 'out', kind: 'exit' },
  ], {
    setup,
    branches: [
      { from: 'push', to: 'out' },
      { from: 'push', to: 'email', branch: 'unreachable' },
    ],
  });
}

async function open(store: StoreKind, journeys: Record<string, JourneyDefinition>) {
  const w = await virtualWaymark({ store });
  await w.store.upsertProfiles([{ userId: 'ana', traits: { pushToken: 'tok', email: 'ana@example.test' } }], T0);
  for (const [id, definition] of Object.entries(journeys)) {
    await w.journeys.create({ id, definition });
    await w.journeys.publish(id);
  }
  return w;
}

async function log(w: Awaited<ReturnType<typeof open>>) {
  const messages = await w.store.listMessages({ userId: 'ana', limit: 100 });
  return messages.map((m) => [m.journeyId, m.channel, m.status, m.reason, m.createdAt - T0]);
}

await forEachStore((store) => {
  test('caps across journeys: the second push inside the hour is skipped (frequency_cap) and its email goes instead', async () => {
    const w = await open(store, { a: pushJourney('A'), b: pushJourney('B'), c: pushJourney('C', { ignoreFrequencyCaps: true }) });
    await w.store.saveSettings({ frequencyCaps: [{ max: 1, per: '1h', channel: 'push' }, { max: 3, per: '1d' }] }, T0);
    await w.engine.reloadJourneys();
    await w.send({ userId: 'ana', name: 'A', timestamp: T0 });
    await w.send({ userId: 'ana', name: 'B', timestamp: T0 + 10 * 60_000 }); // push capped by the hour: email instead
    await w.send({ userId: 'ana', name: 'C', timestamp: T0 + 20 * 60_000 }); // opted out: sent anyway
    await w.send({ userId: 'ana', name: 'B', timestamp: T0 + 2 * HOUR }); // reentry never: nothing
    assert.deepEqual(await log(w), [
      ['a', 'push', 'sent', null, 0],
      ['b', 'push', 'skipped', 'frequency_cap', 10 * 60_000],
      ['b', 'email', 'sent', null, 10 * 60_000],
      ['c', 'push', 'sent', null, 20 * 60_000],
    ]);
  });

  test('caps count the messages of one batch: two journeys started by the same event send one push', async () => {
    const w = await open(store, { a: pushJourney('Same'), b: pushJourney('Same') });
    await w.store.saveSettings({ frequencyCaps: [{ max: 1, per: '1h', channel: 'push' }, { max: 1, per: '1d', channel: 'email' }] }, T0);
    await w.engine.reloadJourneys();
    await w.send({ userId: 'ana', name: 'Same', timestamp: T0 });
    const statuses = (await log(w)).map(([, channel, status, reason]) => `${channel} ${status}${reason ? ` ${reason}` : ''}`);
    assert.deepEqual(statuses.sort(), ['email sent', 'push sent', 'push skipped frequency_cap']);
  });

  test('re-entry cool-down: after leaving, the user re-enters only once the cool-down has passed', async () => {
    const w = await open(store, { a: pushJourney('A', { reentry: 'afterExit', reentryCooldown: '1d' }) });
    await w.send({ userId: 'ana', name: 'A', timestamp: T0 });
    await w.send({ userId: 'ana', name: 'A', timestamp: T0 + DAY - 1 });
    await w.send({ userId: 'ana', name: 'A', timestamp: T0 + DAY });
    assert.deepEqual((await log(w)).map(([, , , , at]) => at), [0, DAY]);
  });

  test('a split on event history after a delay reads the events stored by then', async () => {
    const definition: JourneyDefinition = path('history', [
        { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
        { id: 'wait', kind: 'delay', duration: '1d' },
        { id: 'engaged', kind: 'split', condition: { type: 'event', event: 'Viewed Product', count: { op: '>=', value: 2 }, within: { last: '1d' } } },
        { id: 'push', kind: 'send', channel: 'push', message: { title: 't', body: 'engaged' } },
        { id: 'out', kind: 'exit' },
    ], {
      branches: [
        { from: 'engaged', to: 'push', branch: 'yes' },
        { from: 'engaged', to: 'out', branch: 'no' },
      ],
    });
    const w = await open(store, { h: definition });
    await w.store.upsertProfiles([{ userId: 'bo', traits: { pushToken: 'tok' } }], T0);
    for (const userId of ['ana', 'bo']) await w.send({ userId, name: 'Signed Up', timestamp: T0 });
    await w.send({ userId: 'ana', name: 'Viewed Product', timestamp: T0 + HOUR });
    await w.send({ userId: 'ana', name: 'Viewed Product', timestamp: T0 + 2 * HOUR });
    await w.send({ userId: 'bo', name: 'Viewed Product', timestamp: T0 + HOUR });
    await w.runUntil(T0 + 2 * DAY);
    const pushed = (await w.store.listMessages({ journeyId: 'h', limit: 10 })).map((m) => [m.userId, m.createdAt - T0]);
    assert.deepEqual(pushed, [['ana', DAY]]);
  });
});
