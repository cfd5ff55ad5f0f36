/**
 * The control group through the engine and store: held-out users get no messages and no profile writes, their
 * conversions are counted for 30 days when the journey has no timeout (for the timeout when it has one), and the
 * same user stays held out on re-entry. The pure assignment is in test/core; this is what a user goes through.
 *
 * Buckets, FNV-1a of "cg\0<user>" mod 100, worked out by hand (outside the code under test):
 * ana 13, bo 14, dee 73. With controlGroupPercent 50, ana and bo are held out, dee is not.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import { T0, forEachStore, virtualWaymark } from '../helpers.ts';
import { path } from '../journeys.ts';

const DAY = 86_400_000;

/** entry on "Signed Up" -> updateProfile (welcomed) -> push -> exit; goal "Charged". */
function journey(setup: Record<string, unknown>): JourneyDefinition {
  return path('control group', [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
      { id: 'tag', kind: 'updateProfile', set: { welcomed: true } },
      { id: 'push', kind: 'send', channel: 'push', message: { title: 't', body: 'b' } },
      { id: 'out', kind: 'exit' },
  ], {
    setup: { controlGroupPercent: 50, reentry: 'afterExit', timezone: 'UTC', ...setup },
    goals: [{ id: 'bought', event: 'Charged', exitOnGoal: true }],
  }) as JourneyDefinition;
}

await forEachStore((store) => {
  async function setUp(setup: Record<string, unknown> = {}) {
    const w = await virtualWaymark({ store });
    await w.store.upsertProfiles(['ana', 'bo', 'dee'].map((userId) => ({ userId, traits: { pushToken: `tok-${userId}` } })), T0);
    await w.journeys.create({ id: 'cg', definition: journey(setup) });
    await w.journeys.publish('cg');
    return w;
  }
  const totals = async (w: Awaited<ReturnType<typeof setUp>>) => {
    const stats = await w.store.journeyStats('cg');
    const sum = (metric: string) => stats.filter((s) => s.metric === metric).reduce((n, s) => n + s.count, 0);
    return { qualified: sum('qualified'), entered: sum('entered'), control: sum('control'), goal: sum('goal'), controlGoal: sum('control_goal') };
  };

  test('held-out users get no message and no profile write; a target user gets both', async () => {
    const w = await setUp();
    for (const userId of ['ana', 'dee']) await w.send({ messageId: `s-${userId}`, userId, name: 'Signed Up', timestamp: T0 });
    const messages = await w.store.listMessages({ journeyId: 'cg', limit: 10 });
    assert.deepEqual(messages.map((m) => [m.userId, m.nodeId, m.status]), [['dee', 'push', 'sent']]);
    assert.deepEqual((await w.store.getProfile('dee'))?.traits, { pushToken: 'tok-dee', welcomed: true });
    assert.deepEqual((await w.store.getProfile('ana'))?.traits, { pushToken: 'tok-ana' }, 'no profile write for a control user');
    const [ana] = await w.store.userInstances('ana');
    assert.deepEqual([ana!.status, ana!.nodeId, ana!.enteredAt], ['control', null, T0]);
    assert.deepEqual(await totals(w), { qualified: 2, entered: 1, control: 1, goal: 0, controlGoal: 0 });
  });

  test('without a journey timeout a held-out user is watched for 30 days: a conversion inside counts, one after does not', async () => {
    const w = await setUp();
    for (const userId of ['ana', 'bo']) await w.send({ messageId: `s-${userId}`, userId, name: 'Signed Up', timestamp: T0 });
    const [ana] = await w.store.userInstances('ana');
    assert.equal(ana!.timeoutAt, T0 + 30 * DAY); // 30 days of 86,400,000 ms after entering
    // ana converts on day 29 (inside), bo a minute after his 30 days are up (outside).
    await w.send({ messageId: 'c-ana', userId: 'ana', name: 'Charged', timestamp: T0 + 29 * DAY });
    await w.send({ messageId: 'c-bo', userId: 'bo', name: 'Charged', timestamp: T0 + 30 * DAY + 60_000 });
    assert.deepEqual(await totals(w), { qualified: 2, entered: 0, control: 2, goal: 0, controlGoal: 1 });
    const [bo] = await w.store.userInstances('bo');
    assert.deepEqual([bo!.status, bo!.exit?.at, bo!.convertedAt], ['exited', T0 + 30 * DAY, null], "bo's watch ended at 30 days");
    assert.deepEqual(await w.store.listMessages({ journeyId: 'cg', limit: 10 }), []);
  });

  test('with a journey timeout the watch lasts the timeout, not 30 days', async () => {
    const w = await setUp({ timeout: '2d' });
    await w.send({ messageId: 's-ana', userId: 'ana', name: 'Signed Up', timestamp: T0 });
    assert.equal((await w.store.userInstances('ana'))[0]!.timeoutAt, T0 + 2 * DAY);
    await w.send({ messageId: 'c-ana', userId: 'ana', name: 'Charged', timestamp: T0 + 3 * DAY });
    assert.equal((await totals(w)).controlGoal, 0, 'a conversion on day 3 is past a 2-day watch');
  });

  test('the same user stays in the control group on re-entry, and a target user stays out of it', async () => {
    const w = await setUp({ timeout: '1d' });
    // Three passes each: at 0, 2 and 4 days (each pass has ended, by the 1-day timeout or at the exit, before the next).
    for (const day of [0, 2, 4]) {
      for (const userId of ['ana', 'dee']) await w.send({ messageId: `s-${userId}-${day}`, userId, name: 'Signed Up', timestamp: T0 + day * DAY });
    }
    await w.runUntil(T0 + 6 * DAY);
    const passes = async (userId: string) =>
      (await w.store.userInstances(userId)).map((i) => [i.enteredAt, i.nodeId === null ? 'no node' : 'ran', i.exit?.reason, i.exit?.at]).sort((a, b) => Number(a[0]) - Number(b[0]));
    // ana: held out each time, each watch ending with the 1-day timeout; dee: through to the exit at once.
    assert.deepEqual(await passes('ana'), [
      [T0, 'no node', 'timeout', T0 + DAY],
      [T0 + 2 * DAY, 'no node', 'timeout', T0 + 3 * DAY],
      [T0 + 4 * DAY, 'no node', 'timeout', T0 + 5 * DAY],
    ]);
    assert.deepEqual(await passes('dee'), [
      [T0, 'ran', 'completed', T0],
      [T0 + 2 * DAY, 'ran', 'completed', T0 + 2 * DAY],
      [T0 + 4 * DAY, 'ran', 'completed', T0 + 4 * DAY],
    ]);
    const messages = await w.store.listMessages({ journeyId: 'cg', limit: 10 });
    assert.deepEqual(messages.map((m) => [m.userId, m.createdAt]), [
      ['dee', T0],
      ['dee', T0 + 2 * DAY],
      ['dee', T0 + 4 * DAY],
    ]);
    assert.deepEqual(await totals(w), { qualified: 6, entered: 3, control: 3, goal: 0, controlGoal: 0 });
  });
});
