/** Delays until a local time or a date, and per-weekday DND, through the real engine and store. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import { forEachStore, virtualWaymark } from '../helpers.ts';

const FRIDAY_18H = Date.UTC(2026, 5, 12, 18, 0); // Friday 12 June 2026, 18:00 UTC

function journey(delay: Record<string, unknown>, setup: Record<string, unknown> = {}): JourneyDefinition {
  return {
    name: 'local time',
    setup: { timezone: 'UTC', ...setup },
    nodes: [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
      { id: 'wait', kind: 'delay', ...delay } as never,
      { id: 'push', kind: 'send', channel: 'push', message: { title: 't', body: 'b' } },
      { id: 'out', kind: 'exit' },
    ],
    edges: [
      { from: 'in', to: 'wait' },
      { from: 'wait', to: 'push' },
      { from: 'push', to: 'out' },
      ...(delay.untilDate ? [{ from: 'wait', to: 'out', branch: 'missed' }] : []),
    ],
  };
}

await forEachStore((store) => {
  async function run(definition: JourneyDefinition, traits: Record<string, Record<string, unknown>>) {
    const w = await virtualWaymark({ store, start: FRIDAY_18H });
    await w.store.upsertProfiles(Object.entries(traits).map(([userId, t]) => ({ userId, traits: { pushToken: 'tok', ...t } })), FRIDAY_18H);
    await w.journeys.create({ id: 'j', definition });
    await w.journeys.publish('j');
    for (const userId of Object.keys(traits)) await w.send({ userId, name: 'Signed Up', timestamp: FRIDAY_18H });
    await w.runUntil(FRIDAY_18H + 14 * 86_400_000);
    const sent = await w.store.listMessages({ journeyId: 'j', limit: 100 });
    return Object.fromEntries(sent.map((m) => [m.userId, m.status === 'sent' ? new Date(m.createdAt).toISOString() : m.status]));
  }

  test('delay until the next weekday 09:00 in each user zone', async () => {
    const sent = await run(journey({ untilTime: '09:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'] }), {
      paris: { timezone: 'Europe/Paris' },
      tokyo: { timezone: 'Asia/Tokyo' },
    });
    // Friday 18:00 UTC is Friday 20:00 in Paris and Saturday 03:00 in Tokyo: both wait for Monday 09:00 local.
    assert.deepEqual(sent, { paris: '2026-06-15T07:00:00.000Z', tokyo: '2026-06-15T00:00:00.000Z' });
  });

  test('delay until a date property; a missing or past date takes "missed"', async () => {
    const sent = await run(journey({ untilDate: { property: 'trial_ends', before: '1d', time: '10:00' } }), {
      ana: { trial_ends: '2026-06-20' },
      bo: { trial_ends: '2026-06-01' },
      cy: {},
    });
    assert.deepEqual(sent, { ana: '2026-06-19T10:00:00.000Z' });
  });

  test('per-weekday DND: Friday night runs to Saturday 11:00, weekday nights to 08:00', async () => {
    const dnd = { windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'sun'], start: '21:00', end: '08:00' }, { days: ['fri', 'sat'], start: '20:00', end: '11:00' }], timezone: 'journey' };
    const sent = await run(journey({ duration: '3h' }, { dnd }), { ana: {} }); // due Friday 21:00
    assert.deepEqual(sent, { ana: '2026-06-13T11:00:00.000Z' });
  });
});

await forEachStore((store) => {
  test("a journey that names no time zone uses the project's (settings), for its schedule and for users without one", async () => {
    const w = await virtualWaymark({ store, start: FRIDAY_18H });
    await w.store.saveSettings({ timezone: 'Asia/Tokyo' }, FRIDAY_18H);
    await w.engine.reloadJourneys();
    await w.store.upsertProfiles([{ userId: 'ana', traits: { pushToken: 'tok' } }], FRIDAY_18H);
    await w.journeys.create({ id: 'j', definition: { ...journey({ untilTime: '09:00' }), setup: {} } });
    await w.journeys.publish('j');
    await w.send({ userId: 'ana', name: 'Signed Up', timestamp: FRIDAY_18H });
    await w.runUntil(FRIDAY_18H + 2 * 86_400_000);
    const [push] = await w.store.listMessages({ journeyId: 'j', limit: 1 });
    assert.equal(new Date(push!.createdAt).toISOString(), '2026-06-13T00:00:00.000Z'); // Saturday 09:00 in Tokyo
  });
});

/**
 * Daylight saving through the engine. New York (EDT = UTC-4, EST = UTC-5) falls back on 2026-11-01 (01:30 is
 * 05:30 and again 06:30 UTC) and springs forward on 2026-03-08 (02:00 EST -> 03:00 EDT, at 07:00 UTC).
 */
await forEachStore((store) => {
  async function pushTimes(definition: JourneyDefinition, start: number, arrivals: Record<string, number>, until: number) {
    const w = await virtualWaymark({ store, start });
    await w.store.upsertProfiles(Object.keys(arrivals).map((userId) => ({ userId, traits: { pushToken: 'tok' } })), start);
    await w.journeys.create({ id: 'j', definition });
    await w.journeys.publish('j');
    for (const [userId, at] of Object.entries(arrivals).sort((a, b) => a[1] - b[1])) await w.send({ userId, name: 'Signed Up', timestamp: at });
    await w.runUntil(until);
    const sent = await w.store.listMessages({ journeyId: 'j', limit: 100 });
    return Object.fromEntries(sent.map((m) => [m.userId, m.status === 'sent' ? new Date(m.createdAt).toISOString() : m.status]));
  }

  test('delay until 01:30 on the fall-back night: the first 01:30 for a user who arrived the evening before, as from midnight', async () => {
    const evening = Date.UTC(2026, 10, 1, 0, 0); // Saturday 31 October, 20:00 EDT
    const sent = await pushTimes(journey({ untilTime: '01:30' }, { timezone: 'America/New_York' }), evening, {
      evening,
      midnight: Date.UTC(2026, 10, 1, 4, 0), // 00:00 EDT
      repeated: Date.UTC(2026, 10, 1, 6, 10), // 01:10 EST, inside the repeated hour: the clock shows 01:30 again at 06:30 UTC
    }, evening + 2 * 86_400_000);
    assert.deepEqual(sent, { evening: '2026-11-01T05:30:00.000Z', midnight: '2026-11-01T05:30:00.000Z', repeated: '2026-11-01T06:30:00.000Z' });
  });

  test('DND 22:00-02:30 on the spring-forward night releases when the clocks jump, at 03:00 EDT', async () => {
    const dnd = { start: '22:00', end: '02:30', timezone: 'journey' };
    const start = Date.UTC(2026, 2, 8, 3, 0); // Saturday 7 March, 22:00 EST
    const sent = await pushTimes(journey({ duration: '1m' }, { timezone: 'America/New_York', dnd }), start, {
      late: Date.UTC(2026, 2, 8, 4, 0), // 23:00 EST: due 23:01
      lastMinute: Date.UTC(2026, 2, 8, 6, 58), // 01:58 EST: due 01:59
    }, start + 86_400_000);
    assert.deepEqual(sent, { late: '2026-03-08T07:00:00.000Z', lastMinute: '2026-03-08T07:00:00.000Z' });
  });
});
