import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainView } from '../../src/app/explain.ts';
import { statsView } from '../../src/app/stats.ts';
import type { StatsView } from '../../src/app/views.ts';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import type { Instance } from '../../src/core/instance.ts';
import type { JourneyVersion, StatRow } from '../../src/store/store.ts';
import { T0, example } from '../helpers.ts';

const cart = example('abandoned-cart');

test('stats: totals across versions, conversion against the control group, nodes in the newest order', () => {
  const v2: JourneyDefinition = { ...cart, nodes: cart.nodes.filter((n) => n.id !== 'sms-10-off') }; // v2 drops the SMS
  const versions: JourneyVersion[] = [
    { journeyId: 'cart', version: 2, definition: v2, publishedAt: T0 + 1 },
    { journeyId: 'cart', version: 1, definition: cart, publishedAt: T0 },
  ];
  const row = (version: number, nodeId: string, metric: string, count: number): StatRow => ({ version, nodeId, metric, count });
  const rows = [
    row(1, '', 'qualified', 10),
    row(1, '', 'entered', 8),
    row(1, '', 'control', 2),
    row(1, '', 'goal', 2),
    row(1, '', 'control_goal', 1),
    row(1, 'sms-10-off', 'node_sent', 3),
    row(1, 'push-free-shipping', 'node_entered', 8),
    row(2, '', 'qualified', 10),
    row(2, '', 'entered', 12),
    row(2, '', 'goal', 4),
    row(2, '', 'control', 2),
    row(2, '', 'timed_out', 5),
    row(2, 'push-free-shipping', 'node_entered', 12),
    row(2, 'push-free-shipping', 'node_failed', 1),
    row(1, 'push-free-shipping', 'node_opened', 5),
    row(2, 'push-free-shipping', 'node_opened', 2),
    row(2, 'push-free-shipping', 'node_clicked', 1),
    row(2, 'wait-2h-before-sms', 'node_goal', 4),
    row(2, '', 'some_future_metric', 9),
  ];
  // Who is where now: 3 at the SMS delay (2 on v1, 1 on v2), 1 at the push of v2.
  const waiting = [
    { version: 1, nodeId: 'wait-2h-before-sms', count: 2 },
    { version: 2, nodeId: 'wait-2h-before-sms', count: 1 },
    { version: 2, nodeId: 'push-free-shipping', count: 1 },
  ];
  const view = statsView('cart', rows, versions, cart, waiting);
  assert.deepEqual(view.versions, [1, 2]);
  assert.deepEqual(view.totals, { qualified: 20, entered: 20, control: 4, notQualified: 0, goal: 6, controlGoal: 1, timedOut: 5, completed: 0, stopped: 0, merged: 0, inJourneyNow: 4 });
  // target 6/20 = 0.3, control 1/4 = 0.25: the journey converts 20% better than leaving users alone. But 4 control
  // users say little: pooled 7/24, SE = sqrt(7/24 * 17/24 * (1/20 + 1/4)) = 0.24896, z = 0.05 / 0.24896 = 0.2008,
  // p = 2 * (1 - 0.57958) = 0.8408 (table): well within chance.
  assert.deepEqual(view.conversion, {
    target: { entered: 20, converted: 6, rate: 0.3 },
    control: { users: 4, converted: 1, rate: 0.25 },
    uplift: 0.2,
    significance: { z: 0.2008, pValue: 0.8408, significant: false },
  });
  assert.deepEqual(
    view.nodes.map((n) => n.nodeId),
    ['push-free-shipping', 'wait-2h-before-sms', 'wait-2h-before-email', 'email-final-reminder', 'done', 'sms-10-off'],
  );
  assert.deepEqual(view.nodes[0], { nodeId: 'push-free-shipping', kind: 'send', entered: 20, sent: 0, failed: 1, skipped: 0, skippedBy: {}, opened: 7, clicked: 1, missed: 0, goal: 0, waiting: 1 });
  assert.deepEqual(view.nodes.at(-1), { nodeId: 'sms-10-off', kind: 'send', entered: 0, sent: 3, failed: 0, skipped: 0, skippedBy: {}, opened: 0, clicked: 0, missed: 0, goal: 0, waiting: 0 });
  assert.equal(view.nodes[1]!.waiting, 3);
  assert.equal(view.byVersion['1']!.totals.entered, 8);
  assert.deepEqual([view.byVersion['1']!.totals.inJourneyNow, view.byVersion['2']!.totals.inJourneyNow], [2, 2]);
  assert.equal(view.byVersion['2']!.nodes.find((n) => n.nodeId === 'wait-2h-before-sms')!.goal, 4);
  assert.equal(view.byVersion['2']!.nodes.find((n) => n.nodeId === 'wait-2h-before-sms')!.waiting, 1);
  assert.ok(!view.byVersion['2']!.nodes.some((n) => n.nodeId === 'sms-10-off'), 'v2 has no SMS node');
});

test('stats: skips by reason, summed over versions, beside the skip total (older skips have no reason)', () => {
  const versions: JourneyVersion[] = [{ journeyId: 'cart', version: 1, definition: cart, publishedAt: T0 }];
  const row = (version: number, nodeId: string, metric: string, count: number): StatRow => ({ version, nodeId, metric, count });
  const rows = [
    row(1, 'sms-10-off', 'node_skipped', 7),
    row(1, 'sms-10-off', 'node_skipped:no_phone', 3),
    row(1, 'sms-10-off', 'node_skipped:dnd', 2),
    row(2, 'sms-10-off', 'node_skipped', 4),
    row(2, 'sms-10-off', 'node_skipped:no_phone', 4),
  ];
  const sms = (nodes: StatsView['nodes']) => nodes.find((n) => n.nodeId === 'sms-10-off');
  const view = statsView('cart', rows, versions, cart);
  // 7 + 4 skips, 9 of them with a reason: dnd 2, no_phone 3 + 4 (sorted by reason).
  assert.deepEqual(sms(view.nodes), { nodeId: 'sms-10-off', kind: 'send', entered: 0, sent: 0, failed: 0, skipped: 11, skippedBy: { dnd: 2, no_phone: 7 }, opened: 0, clicked: 0, missed: 0, goal: 0, waiting: 0 });
  assert.deepEqual(Object.keys(sms(view.nodes)!.skippedBy), ['dnd', 'no_phone']);
  assert.deepEqual(sms(view.byVersion['2']!.nodes)!.skippedBy, { no_phone: 4 });
});

function instance(over: Partial<Instance>): Instance {
  return {
    id: 'cart:m1',
    journeyId: 'cart',
    version: 1,
    userId: 'ana',
    status: 'active',
    nodeId: null,
    wakeAt: null,
    createdAt: T0,
    enteredAt: T0 + 120_000,
    step: 0,
    entryEvent: { messageId: 'm1', name: 'Added to Cart', timestamp: T0, properties: {} },
    nodeUntil: null,
    timeoutAt: null,
    convertedAt: null,
    exit: null,
    ...over,
  };
}

function explainOne(i: Instance) {
  const result = explainView({ userId: 'ana', instances: [i], definitionOf: () => cart, messages: [] });
  return result.journeys[0]!;
}

test('explain: a user still in the journey, one waiting to qualify, and a control-group user', () => {
  const waiting = explainOne(instance({ nodeId: 'wait-2h-before-sms', nodeUntil: T0 + 2 * 3_600_000 }));
  assert.deepEqual(
    waiting.steps.map((s) => [s.nodeId, s.outcome, s.reason]),
    [
      ['push-free-shipping', 'not_reached', null], // passed, yet no message recorded: said so, not hidden
      ['sms-10-off', 'pending', 'waiting'],
      ['email-final-reminder', 'pending', 'waiting'],
    ],
  );
  assert.equal(waiting.steps[1]!.detail, 'not yet: the user is waiting at delay node "wait-2h-before-sms" (a 2h delay) until 2026-11-02T17:00:00.000Z');
  assert.match(waiting.summary, /now at delay node "wait-2h-before-sms"/);

  const deferred = explainOne(instance({ nodeId: 'sms-10-off', nodeUntil: T0 + 3_600_000 }));
  assert.deepEqual([deferred.steps[1]!.outcome, deferred.steps[1]!.reason], ['pending', 'dnd_deferred']);

  const pending = explainOne(instance({ status: 'pending', enteredAt: null, nodeId: 'cart-abandoned', nodeUntil: T0 + 120_000 }));
  assert.ok(pending.steps.every((s) => s.outcome === 'pending' && s.reason === 'not_yet_qualified'));
  assert.equal(pending.summary, 'waiting to qualify: enters at 2026-11-02T15:02:00.000Z unless "Charged" comes first');

  const control = explainOne(instance({ status: 'control', timeoutAt: T0 + 86_400_000 }));
  assert.ok(control.steps.every((s) => s.outcome === 'not_reached' && s.reason === 'control_group'));
  const controlLeft = explainOne(instance({ status: 'exited', exit: { reason: 'goal', at: T0 + 5, nodeId: null, goalId: 'purchase' } }));
  assert.ok(controlLeft.steps.every((s) => s.reason === 'control_group'), 'a converted control user still got nothing because of the control group');
  assert.match(controlLeft.summary, /as a control-group user/);
});
