/** Backtests of a journey another one triggers, on each store: the trigger runs alongside, its recorded entries are not replayed. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backtest } from '../../src/sim/backtest.ts';
import { T0, forEachStore, virtualWaymark } from '../helpers.ts';
import { path } from '../journeys.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

const welcome = path('Welcome', [
  { id: 'signed-up', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
  { id: 'hello', kind: 'send', channel: 'email', message: { subject: 'Hello', body: 'Welcome' } },
  { id: 'bye', kind: 'exit' },
]);

const followUp = (delay: string) =>
  path('Follow-up', [
    { id: 'after-hello', kind: 'entry', trigger: { type: 'journey', journeyId: 'welcome', nodeId: 'hello' } },
    { id: 'wait', kind: 'delay', duration: delay },
    { id: 'nudge', kind: 'send', channel: 'push', message: { title: 'Tip', body: 'Try this' } },
    { id: 'done', kind: 'exit' },
  ]);

await forEachStore((store) => {
  test('backtest of a journey-triggered journey: the journey that triggers it runs alongside', async () => {
    const w = await virtualWaymark({ store });
    await w.store.upsertProfiles(['u1', 'u2'].map((userId) => ({ userId, traits: { email: `${userId}@x.test`, pushToken: `t-${userId}` } })), T0);
    for (const [id, definition] of [['welcome', welcome], ['follow-up', followUp('1h')]] as const) {
      await w.journeys.create({ id, definition });
      await w.journeys.publish(id);
    }
    await w.send({ userId: 'u1', name: 'Signed Up', timestamp: T0 });
    await w.send({ userId: 'u2', name: 'Signed Up', timestamp: T0 + 10 * MIN });
    await w.runUntil(T0 + 3 * HOUR);
    // Recorded: the 2 sign-ups and the 2 internal entries into follow-up that reaching "hello" made.
    const recorded = await w.store.eventWindow({ from: T0 - HOUR, to: T0 + 3 * HOUR + 1, limit: 10 });
    assert.deepEqual(recorded.items.map((e) => e.name).sort(), ['$enter', '$enter', 'Signed Up', 'Signed Up']);

    // Replayed: the sign-ups only; welcome, run alongside, enters both into follow-up again.
    const same = await backtest(w, 'follow-up', { days: 1 });
    assert.deepEqual([same.events, same.users, same.profiles], [2, 2, 2]);
    assert.deepEqual([same.stats.totals.entered, same.stats.totals.completed, same.stats.totals.inJourneyNow], [2, 2, 0]);
    assert.deepEqual(same.stats.nodes.find((n) => n.nodeId === 'nudge')!.sent, 2);

    // A 5-hour wait: at the window's end (T0 + 3h) both still wait.
    const slower = await backtest(w, 'follow-up', { days: 1, definition: followUp('5h') });
    assert.deepEqual([slower.stats.totals.entered, slower.stats.totals.inJourneyNow], [2, 2]);
    assert.deepEqual(slower.stats.nodes.map((n) => [n.nodeId, n.waiting, n.sent]), [['wait', 2, 0], ['nudge', 0, 0], ['done', 0, 0]]);
  });
});
