/** The read models from a real engine's records, on each store: journeyStats and explainUser. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainUser } from '../../src/app/explain.ts';
import { NotFoundError } from '../../src/app/journeys.ts';
import { journeyStats } from '../../src/app/stats.ts';
import { T0, example, forEachStore, virtualWaymark, type StoreKind } from '../helpers.ts';

const MIN = 60_000;
const HOUR = 3_600_000;

/**
 * The abandoned cart with 30% held out. FNV-1a buckets of ("cart", user), worked out by hand: kim 0, bo 10,
 * ana 17, gus 26 fall in the control group; eve 33, fay 59, hal 78, dee 73 and cy 81 do not.
 */
async function cartWithControlGroup(store: StoreKind) {
  const w = await virtualWaymark({ store });
  const definition = example('abandoned-cart');
  definition.setup = { ...definition.setup, controlGroupPercent: 30 };
  const users = ['ana', 'bo', 'gus', 'kim', 'cy', 'dee', 'eve', 'hal', 'fay'];
  const traits = (u: string) => ({ email: `${u}@example.test`, pushToken: `tok-${u}`, ...(u === 'dee' ? {} : { phone: '+15550001' }) });
  await w.store.upsertProfiles(users.map((userId) => ({ userId, traits: traits(userId) })), T0);
  await w.journeys.create({ id: 'cart', definition });
  await w.journeys.publish('cart');
  for (const userId of users) await w.send({ userId, name: 'Added to Cart', timestamp: T0 });
  await w.send({ userId: 'fay', name: 'Charged', timestamp: T0 + MIN }); // inside the 2 minutes: never qualifies
  for (const userId of ['ana', 'eve', 'hal']) await w.send({ userId, name: 'Charged', timestamp: T0 + HOUR });
  await w.runUntil(T0 + 5 * HOUR);
  return w;
}

const send = { failed: 0, opened: 0, clicked: 0, missed: 0, goal: 0, waiting: 0 };
const other = { sent: 0, failed: 0, skipped: 0, skippedBy: {}, opened: 0, clicked: 0, missed: 0, waiting: 0 };

await forEachStore((store) => {
  test('journeyStats: totals, conversion against the control group, and the funnel with skips by reason', async () => {
    const w = await cartWithControlGroup(store);
    const stats = await journeyStats(w.store, 'cart');
    // Qualified: all but fay. Control: ana, bo, gus, kim; ana converted. Entered: cy, dee, eve, hal; eve and hal
    // converted while waiting for the SMS; cy and dee went on, dee has no phone, both completed.
    // Nobody entered is still inside (bo, gus and kim are, in the control group: not counted in inJourneyNow).
    assert.deepEqual(stats.totals, { qualified: 8, entered: 4, control: 4, notQualified: 1, goal: 2, controlGoal: 1, timedOut: 0, completed: 2, stopped: 0, merged: 0, inJourneyNow: 0 });
    // 2/4 = 0.5 against 1/4 = 0.25: the journey doubles the conversion rate, an uplift of 1. Yet with 4 users a
    // side: pooled 3/8, SE = sqrt(3/8 * 5/8 * (1/4 + 1/4)) = 0.34233, z = 0.25 / 0.34233 = 0.7303, p = 0.4652: chance.
    assert.deepEqual(stats.conversion, {
      target: { entered: 4, converted: 2, rate: 0.5 },
      control: { users: 4, converted: 1, rate: 0.25 },
      uplift: 1,
      significance: { z: 0.7303, pValue: 0.4652, significant: false },
    });
    assert.deepEqual(stats.nodes, [
      { nodeId: 'push-free-shipping', kind: 'send', entered: 4, sent: 4, skipped: 0, skippedBy: {}, ...send },
      { nodeId: 'wait-2h-before-sms', kind: 'delay', entered: 4, ...other, goal: 2 },
      { nodeId: 'sms-10-off', kind: 'send', entered: 2, sent: 1, skipped: 1, skippedBy: { no_phone: 1 }, ...send },
      { nodeId: 'wait-2h-before-email', kind: 'delay', entered: 2, ...other, goal: 0 },
      { nodeId: 'email-final-reminder', kind: 'send', entered: 2, sent: 2, skipped: 0, skippedBy: {}, ...send },
      { nodeId: 'done', kind: 'exit', entered: 2, ...other, goal: 0 },
    ]);
    assert.deepEqual(stats.versions, [1]);
    assert.deepEqual(stats.byVersion, { '1': { totals: stats.totals, nodes: stats.nodes } });
    await assert.rejects(journeyStats(w.store, 'nope'), (e: Error) => e instanceof NotFoundError && e.message === 'no journey "nope"');
  });

  test('explainUser: one journey or all, a control-group user, an unknown journey', async () => {
    const w = await cartWithControlGroup(store);
    const dee = await explainUser(w.store, 'dee', { journeyId: 'cart' });
    assert.deepEqual(
      dee.journeys.map((j) => [j.journeyId, j.status, j.exit?.reason]),
      [['cart', 'exited', 'completed']],
    );
    assert.deepEqual(
      dee.journeys[0]!.steps.map((s) => [s.nodeId, s.outcome, s.reason, s.at]),
      [
        ['push-free-shipping', 'sent', null, new Date(T0 + 2 * MIN).toISOString()],
        ['sms-10-off', 'skipped', 'no_phone', new Date(T0 + 2 * MIN + 2 * HOUR).toISOString()],
        ['email-final-reminder', 'sent', null, new Date(T0 + 2 * MIN + 4 * HOUR).toISOString()],
      ],
    );
    assert.deepEqual(await explainUser(w.store, 'dee'), dee, 'the only journey: the same answer without naming it');
    const bo = await explainUser(w.store, 'bo');
    assert.equal(bo.journeys[0]!.status, 'control');
    assert.ok(bo.journeys[0]!.steps.every((s) => s.outcome === 'not_reached' && s.reason === 'control_group'));
    assert.deepEqual(await explainUser(w.store, 'zed'), { userId: 'zed', journeys: [], notes: ['this user has not triggered any journey'], nextCursor: null });
    await assert.rejects(explainUser(w.store, 'dee', { journeyId: 'nope' }), (e: Error) => e instanceof NotFoundError && e.message === 'no journey "nope"');
  });
});
