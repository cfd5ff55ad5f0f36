/**
 * The journey timeout and DND (quiet hours) through the engine and store, on both stores: what the pure
 * interpreter tests show, as a user goes through it with a real store and dispatcher. T0 is Monday
 * 2026-11-02 15:00 UTC.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import { T0, forEachStore, virtualWaymark } from '../helpers.ts';
import { path } from '../journeys.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** entry on "Opened" -> delay -> push -> exit. */
function delayed(setup: Record<string, unknown>, delay: string): JourneyDefinition {
  return path('timeout', [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Opened' } },
      { id: 'wait', kind: 'delay', duration: delay },
      { id: 'push', kind: 'send', channel: 'push', message: { title: 't', body: 'b' } },
      { id: 'out', kind: 'exit' },
  ], {
    setup: { timezone: 'UTC', ...setup },
  }) as JourneyDefinition;
}

/** entry on "Opened" -> push; sent -> "done", not sent -> "missed". DND 21:00-09:00. */
function quiet(dnd: Record<string, unknown>): JourneyDefinition {
  return {
    name: 'quiet',
    setup: { timezone: 'UTC', dnd: { start: '21:00', end: '09:00', ...dnd } },
    nodes: [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Opened' } },
      { id: 'push', kind: 'send', channel: 'push', message: { title: 't', body: 'b' } },
      { id: 'done', kind: 'exit' },
      { id: 'missed', kind: 'exit' },
    ],
    edges: [
      { from: 'in', to: 'push' },
      { from: 'push', to: 'done' },
      { from: 'push', to: 'missed', branch: 'unreachable' },
    ],
  } as JourneyDefinition;
}

await forEachStore((store) => {
  async function setUp(id: string, definition: JourneyDefinition, profiles: Record<string, Record<string, unknown>>) {
    const w = await virtualWaymark({ store });
    await w.store.upsertProfiles(Object.entries(profiles).map(([userId, traits]) => ({ userId, traits: { pushToken: `tok-${userId}`, ...traits } })), T0);
    await w.journeys.create({ id, definition });
    await w.journeys.publish(id);
    return w;
  }

  test('the journey timeout ends the pass wherever the user waits: a 1-day timeout before a 2-day delay, no push', async () => {
    const w = await setUp('t', delayed({ timeout: '1d' }, '2d'), { ana: {} });
    await w.send({ messageId: 'o1', userId: 'ana', name: 'Opened', timestamp: T0 });
    await w.runUntil(T0 + 3 * DAY);
    const [ana] = await w.store.userInstances('ana');
    assert.deepEqual([ana!.status, ana!.exit], ['exited', { reason: 'timeout', at: T0 + DAY, nodeId: 'wait' }]);
    assert.deepEqual(await w.store.listMessages({ journeyId: 't', limit: 10 }), []);
  });

  test('a journey timeout due at the same instant as the delay wins', async () => {
    const w = await setUp('t', delayed({ timeout: '1d' }, '1d'), { ana: {} });
    await w.send({ messageId: 'o1', userId: 'ana', name: 'Opened', timestamp: T0 });
    await w.runUntil(T0 + 2 * DAY);
    const [ana] = await w.store.userInstances('ana');
    assert.deepEqual(ana!.exit, { reason: 'timeout', at: T0 + DAY, nodeId: 'wait' });
    assert.deepEqual(await w.store.listMessages({ journeyId: 't', limit: 10 }), []);
  });

  test('a delay shorter than the timeout: the push goes out and the pass completes before the timeout', async () => {
    const w = await setUp('t', delayed({ timeout: '1d' }, '23h'), { ana: {} });
    await w.send({ messageId: 'o1', userId: 'ana', name: 'Opened', timestamp: T0 });
    await w.runUntil(T0 + 2 * DAY);
    const messages = await w.store.listMessages({ journeyId: 't', limit: 10 });
    assert.deepEqual(messages.map((m) => [m.nodeId, m.status, m.sentAt]), [['push', 'sent', T0 + 23 * HOUR]]);
    assert.deepEqual((await w.store.userInstances('ana'))[0]!.exit, { reason: 'completed', at: T0 + 23 * HOUR, nodeId: 'out' });
  });

  test('DND with whenInDnd "skip": inside the hours the push is skipped as dnd and the user takes unreachable', async () => {
    const w = await setUp('q', quiet({ whenInDnd: 'skip' }), { ana: {}, bo: {} });
    // ana opens at 15:00 UTC (outside 21:00-09:00): sent. bo at 22:00 UTC (T0 + 7 h, inside): skipped.
    await w.send({ messageId: 'o-ana', userId: 'ana', name: 'Opened', timestamp: T0 });
    await w.send({ messageId: 'o-bo', userId: 'bo', name: 'Opened', timestamp: T0 + 7 * HOUR });
    await w.runUntil(T0 + 2 * DAY);
    const messages = await w.store.listMessages({ journeyId: 'q', limit: 10 });
    assert.deepEqual(
      messages.map((m) => [m.userId, m.status, m.reason, m.sentAt]).sort(),
      [
        ['ana', 'sent', null, T0],
        ['bo', 'skipped', 'dnd', null],
      ],
    );
    assert.deepEqual((await w.store.userInstances('ana'))[0]!.exit, { reason: 'completed', at: T0, nodeId: 'done' });
    assert.deepEqual((await w.store.userInstances('bo'))[0]!.exit, { reason: 'completed', at: T0 + 7 * HOUR, nodeId: 'missed' }, 'unreachable, at once');
    const skipped = (await w.store.journeyStats('q')).filter((s) => s.metric === 'node_skipped:dnd');
    assert.deepEqual(skipped.map((s) => [s.nodeId, s.count]), [['push', 1]]);
  });

  test('DND is read in each user\'s own zone: one push sent at once, one deferred to 09:00 Tokyo, one on the journey zone', async () => {
    // At T0, 15:00 UTC: Tokyo (UTC+9, no DST) is 00:00 Tuesday, inside 21:00-09:00; New York (EST since
    // 1 November, UTC-5) is 10:00, outside; cy has no zone and reads the journey's UTC, 15:00, outside.
    const w = await setUp('q', quiet({}), { ana: { timezone: 'Asia/Tokyo' }, bo: { timezone: 'America/New_York' }, cy: {} });
    for (const userId of ['ana', 'bo', 'cy']) await w.send({ messageId: `o-${userId}`, userId, name: 'Opened', timestamp: T0 });
    await w.runUntil(T0 + 2 * DAY);
    const messages = await w.store.listMessages({ journeyId: 'q', limit: 10 });
    assert.deepEqual(
      messages.map((m) => [m.userId, m.status, m.sentAt]).sort(),
      [
        ['ana', 'sent', Date.UTC(2026, 10, 3, 0, 0)], // 09:00 Tuesday in Tokyo = 00:00 UTC
        ['bo', 'sent', T0],
        ['cy', 'sent', T0],
      ],
    );
  });
});
