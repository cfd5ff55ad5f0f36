/** The branching node kinds through the pure interpreter: wait, split, abSplit; goals with filters. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import { advance, startInstance } from '../../src/core/interpreter.ts';
import { compileJourney, type CompiledJourney } from '../../src/core/validate.ts';
import { example } from '../helpers.ts';
import { compile, drive, ev, who } from './drive.ts';
import { tagVip as tagVipJourney, path } from '../journeys.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 5, 12);

/** Entry on Signed Up, a 1 h delay, then a 2 d wait for Completed Profile. */
function delayedWait(wait: Record<string, unknown> = {}): CompiledJourney {
  return compile(path('w', [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
      { id: 'pause', kind: 'delay', duration: '1h' },
      { id: 'w', kind: 'wait', event: 'Completed Profile', timeout: '2d', ...wait },
      { id: 'yes', kind: 'send', channel: 'push', message: { title: 't', body: 'yes' } },
      { id: 'late', kind: 'send', channel: 'email', message: { subject: 's', body: 'timeout' } },
      { id: 'out', kind: 'exit' },
  ], {
    branches: [
      { from: 'w', to: 'yes', branch: 'yes' },
      { from: 'w', to: 'late', branch: 'timeout' },
      { from: 'yes', to: 'out' },
    ],
  }));
}

test('wait: the event inside the window takes "yes" at once', () => {
  const journey = compile(example('onboarding'));
  const { sent, instance } = drive(journey, ev('Signed Up', T0), [ev('Completed Profile', T0 + DAY)], T0 + 10 * DAY);
  assert.deepEqual(sent, [[0, 'welcome-email'], [DAY, 'push-tip']]);
  assert.equal(instance.exit?.reason, 'completed');
});

test('wait: no event takes "timeout" exactly at the timeout', () => {
  const journey = compile(example('onboarding'));
  const { sent } = drive(journey, ev('Signed Up', T0), [], T0 + 10 * DAY);
  assert.deepEqual(sent, [[0, 'welcome-email'], [2 * DAY, 'reminder-email']]);
});

test('wait: an event at exactly the timeout instant counts as "yes"; one a millisecond later does not', () => {
  const journey = compile(example('onboarding'));
  assert.deepEqual(drive(journey, ev('Signed Up', T0), [ev('Completed Profile', T0 + 2 * DAY)], T0 + 10 * DAY).sent[1], [2 * DAY, 'push-tip']);
  // Processed before the timer fired (an engine running late), but after the window closed: ignored.
  const start = startInstance(journey, 'j', 1, ev('Signed Up', T0), { now: T0, profile: who }).instance;
  const late = advance(journey, start, { type: 'event', event: ev('Completed Profile', T0 + 2 * DAY + 1) }, { now: T0 + 2 * DAY + 1, profile: who });
  assert.deepEqual(late.effects, []);
  const fired = advance(journey, late.instance, { type: 'timer' }, { now: T0 + 2 * DAY + 5, profile: who });
  assert.ok(fired.effects.some((e) => e.type === 'send' && e.nodeId === 'reminder-email'));
});

test('wait: an event after entry but before the user reaches the wait does not count (the race)', () => {
  const journey = delayedWait();
  // At +30 min the user is still in the 1 h delay: the window is not open yet.
  const early = drive(journey, ev('Signed Up', T0), [ev('Completed Profile', T0 + 30 * MIN)], T0 + 10 * DAY);
  assert.deepEqual(early.sent, [[HOUR + 2 * DAY, 'late']]);
  // The same event arriving late (after the user reached the wait, timestamp before it): still does not count.
  const atWait = advance(journey, startInstance(journey, 'j', 1, ev('Signed Up', T0), { now: T0, profile: who }).instance, { type: 'timer' }, { now: T0 + HOUR, profile: who });
  assert.equal(atWait.instance.nodeId, 'w');
  const overtaken = advance(journey, atWait.instance, { type: 'event', event: ev('Completed Profile', T0 + 30 * MIN) }, { now: T0 + 2 * HOUR, profile: who });
  assert.deepEqual(overtaken.effects, []);
  // At the very millisecond the wait opens: it came before (events go before timers at a tie).
  assert.deepEqual(drive(journey, ev('Signed Up', T0), [ev('Completed Profile', T0 + HOUR)], T0 + 10 * DAY).sent, [[HOUR + 2 * DAY, 'late']]);
  assert.deepEqual(drive(journey, ev('Signed Up', T0), [ev('Completed Profile', T0 + HOUR + 1)], T0 + 10 * DAY).sent, [[HOUR + 1, 'yes']]);
});

test('wait: where filters and sameAs (a property of the entry event) must both match', () => {
  const journey = delayedWait({ where: [{ property: 'percent', op: '>=', value: 80 }], sameAs: ['cartId'] });
  const entry = () => ev('Signed Up', T0, { cartId: 'c1' });
  const at = T0 + 2 * HOUR;
  assert.deepEqual(drive(journey, entry(), [ev('Completed Profile', at, { cartId: 'c2', percent: 100 })], T0 + 10 * DAY).sent, [[HOUR + 2 * DAY, 'late']], 'other cart');
  assert.deepEqual(drive(journey, entry(), [ev('Completed Profile', at, { cartId: 'c1', percent: 50 })], T0 + 10 * DAY).sent, [[HOUR + 2 * DAY, 'late']], 'filter fails');
  assert.deepEqual(drive(journey, entry(), [ev('Completed Profile', at, { cartId: 'c1', percent: 90 })], T0 + 10 * DAY).sent, [[2 * HOUR, 'yes']]);
  assert.deepEqual(drive(journey, ev('Signed Up', T0), [ev('Completed Profile', at, { percent: 90 })], T0 + 10 * DAY).sent, [[HOUR + 2 * DAY, 'late']], 'entry has no cartId');
});

test('wait: a step after "yes" is measured from the event time, not from when it was processed', () => {
  const definition = example('onboarding') as JourneyDefinition;
  definition.nodes.push({ id: 'then', kind: 'delay', duration: '1h' });
  definition.edges = definition.edges.map((e) => (e.branch === 'yes' ? { ...e, to: 'then' } : e));
  definition.edges.push({ from: 'then', to: 'push-tip' });
  const journey = compile(definition);
  const start = startInstance(journey, 'j', 1, ev('Signed Up', T0), { now: T0, profile: who }).instance;
  const t = advance(journey, start, { type: 'event', event: ev('Completed Profile', T0 + DAY) }, { now: T0 + DAY + 10 * MIN, profile: who });
  assert.equal(t.instance.wakeAt, T0 + DAY + HOUR);
});

test('a goal at the same millisecond as a delay ends wins: the next message is never sent', () => {
  const journey = compile(example('abandoned-cart'));
  // Qualifies at +2 min (push), then the 2 h delay ends at +2 h 2 min: a Charged at that instant goes first.
  const { sent, instance } = drive(journey, ev('Added to Cart', T0), [ev('Charged', T0 + 2 * MIN + 2 * HOUR)], T0 + DAY);
  assert.deepEqual(sent, [[2 * MIN, 'push-free-shipping']]);
  assert.equal(instance.exit?.reason, 'goal');
  assert.equal(instance.exit?.nodeId, 'wait-2h-before-sms');
});

test('a goal wins over a wait: the same event that is a goal exits instead of taking "yes"', () => {
  const definition = example('onboarding') as JourneyDefinition;
  definition.goals = [{ id: 'profile', event: 'Completed Profile' }];
  const { sent, instance } = drive(compile(definition), ev('Signed Up', T0), [ev('Completed Profile', T0 + HOUR)], T0 + 10 * DAY);
  assert.deepEqual(sent, [[0, 'welcome-email']]);
  assert.equal(instance.exit?.reason, 'goal');
});

test('wait validation: both branches are required, unknown ones refused, filter values checked', () => {
  const definition = example('onboarding') as JourneyDefinition;
  definition.edges = definition.edges.filter((e) => e.branch !== 'timeout');
  definition.edges.push({ from: 'wait-profile', to: 'done', branch: 'next' });
  (definition.nodes[2] as { where?: unknown }).where = [{ property: 'x', op: 'in', value: 3 }];
  const result = compileJourney(definition);
  const messages = result.ok ? [] : result.problems.map((p) => `${p.path} ${p.message}`);
  for (const expected of [
    '/edges/5/branch wait node "wait-profile" has no branch "next"; its branches are "yes", "timeout"',
    '/nodes/2 node "wait-profile" has no "timeout" edge; connect it to another node or to an exit',
    '/nodes/2/where/0/value "in" needs a non-empty list of values',
  ]) {
    assert.ok(messages.includes(expected), `${expected} in ${JSON.stringify(messages, null, 1)}`);
  }
});

/** Entry, then a split on profile traits: yes -> push, no -> email. */
const splitJourney = (where: unknown) =>
  compile(path('s', [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
      { id: 'vip', kind: 'split', where: where as never },
      { id: 'p', kind: 'send', channel: 'push', message: { title: 't', body: 'vip' } },
      { id: 'e', kind: 'send', channel: 'email', message: { subject: 's', body: 'not vip' } },
      { id: 'out', kind: 'exit' },
  ], {
    branches: [
      { from: 'vip', to: 'p', branch: 'yes' },
      { from: 'vip', to: 'e', branch: 'no' },
      { from: 'p', to: 'out' },
    ],
  }));

test('split: routes on profile traits when the user reaches it; a missing profile goes down "no"', () => {
  const journey = splitJourney([{ property: 'tier', op: '=', value: 'gold' }, { property: 'orders', op: '>', value: 3 }]);
  const run = (traits: Record<string, unknown> | null) => {
    const profile = traits === null ? null : { userId: 'u', traits: { ...who.traits, ...traits } };
    return startInstance(journey, 'j', 1, ev('Signed Up', T0), { now: T0, profile }).effects.flatMap((e) => (e.type === 'send' || e.type === 'skip' ? [e.nodeId] : []));
  };
  assert.deepEqual(run({ tier: 'gold', orders: 5 }), ['p']);
  assert.deepEqual(run({ tier: 'gold', orders: 2 }), ['e']);
  assert.deepEqual(run({}), ['e']);
  assert.deepEqual(run(null), ['e']);
});

test('abSplit: stable per (journey, user, node), close to the percentages, independent of the control group', () => {
  const journey = compile(example('win-back'));
  const variantOf = (userId: string, journeyId = 'wb') => {
    const pending = startInstance(journey, journeyId, 1, { ...ev('Subscription Cancelled', T0), userId }, { now: T0, profile: { ...who, userId } }).instance;
    const t = advance(journey, pending, { type: 'timer' }, { now: T0 + DAY, profile: { ...who, userId } });
    if (t.instance.status === 'control') return 'control';
    return t.effects.flatMap((e) => (e.type === 'send' ? [e.nodeId] : []))[0];
  };
  const users = Array.from({ length: 4000 }, (_, i) => `user-${i}`);
  const counts: Record<string, number> = {};
  for (const u of users) counts[variantOf(u)!] = (counts[variantOf(u)!] ?? 0) + 1;
  assert.ok(counts.control! > 320 && counts.control! < 480, JSON.stringify(counts));
  for (const node of ['email-discount', 'email-whats-new']) assert.ok(counts[node]! > 1600 && counts[node]! < 2000, JSON.stringify(counts));
  // Known answers: control when bucketOf('wb', user) < 10, else discount when bucketOf('wb', user, 'test-offer') < 50.
  // Recorded once (see the bucketOf vectors in interpreter.test.ts); a change reassigns every running A/B test.
  const known: Array<[string, string]> = [
    ['user-0', 'email-discount'], // 54, 1
    ['user-1', 'email-whats-new'], // 73, 60
    ['user-2', 'email-whats-new'], // 16, 79
    ['user-3', 'email-discount'], // 35, 14
    ['user-7', 'email-whats-new'], // 59, 78
    ['user-5', 'email-whats-new'], // 97, 56
    ['user-8', 'control'], // 2
  ];
  for (const [userId, variant] of known) assert.equal(variantOf(userId), variant, userId);
  const moved = users.slice(0, 400).filter((u) => variantOf(u, 'wb') !== 'control' && variantOf(u, 'other') !== 'control' && variantOf(u, 'wb') !== variantOf(u, 'other'));
  assert.ok(moved.length > 100, 'another journey assigns independently');
});

test('abSplit validation: percentages must add up to 100, names are unique, every variant needs its edge', () => {
  const definition = example('win-back') as JourneyDefinition;
  const node = definition.nodes[1] as { variants: Array<{ name: string; percent: number }> };
  node.variants = [{ name: 'discount', percent: 50 }, { name: 'discount', percent: 30 }, { name: 'third', percent: 10 }];
  const result = compileJourney(definition);
  const messages = result.ok ? [] : result.problems.map((p) => `${p.path} ${p.message}`);
  for (const expected of [
    '/nodes/1/variants variant percentages add up to 90; they must add up to 100',
    '/nodes/1/variants/1/name duplicate variant name "discount"',
    '/nodes/1 node "test-offer" has no "third" edge; connect it to another node or to an exit',
    '/edges/2/branch abSplit node "test-offer" has no branch "whats-new"; its branches are "discount", "third"',
  ]) {
    assert.ok(messages.includes(expected), `${expected} in ${JSON.stringify(messages, null, 1)}`);
  }
});

/** The abandoned-cart journey with its goals replaced. */
const cartWithGoals = (goals: JourneyDefinition['goals']) => {
  const definition = example('abandoned-cart') as JourneyDefinition;
  definition.goals = goals;
  return compile(definition);
};

test('goals: where filters on the event; several goals, the first in the list that matches counts, once', () => {
  const journey = cartWithGoals([
    { id: 'big', event: 'Charged', where: [{ property: 'amount', op: '>=', value: 100 }] },
    { id: 'any', event: 'Charged', exitOnGoal: false },
    { id: 'review', event: 'Reviewed' },
  ]);
  const big = drive(journey, ev('Added to Cart', T0), [ev('Charged', T0 + HOUR, { amount: 150 })], T0 + DAY);
  assert.equal(big.instance.exit?.goalId, 'big');
  assert.deepEqual(big.sent, [[2 * MIN, 'push-free-shipping']]);

  const small = drive(journey, ev('Added to Cart', T0), [ev('Charged', T0 + HOUR, { amount: 20 }), ev('Charged', T0 + 2 * HOUR, { amount: 500 }), ev('Reviewed', T0 + 3 * HOUR)], T0 + DAY);
  assert.equal(small.log.filter(([, e]) => e.type === 'count' && e.metric === 'goal').length, 1, 'one conversion per instance: "any" counted, later goals do not');
  assert.equal(small.instance.exit?.reason, 'completed', 'the count-only goal counted first, so no later goal exits the user');
  assert.equal(small.sent.length, 3);
});

test('goals: a conversion window from entry; an event after it neither counts nor exits, one at its end counts', () => {
  const journey = cartWithGoals([{ id: 'purchase', event: 'Charged', within: '3h' }]);
  const entered = T0 + 2 * MIN; // the inaction entry qualifies when its window closes
  const late = drive(journey, ev('Added to Cart', T0), [ev('Charged', entered + 3 * HOUR + 1)], T0 + DAY);
  assert.equal(late.instance.exit?.reason, 'completed');
  assert.ok(!late.log.some(([, e]) => e.type === 'count' && e.metric === 'goal'));
  const atEnd = drive(journey, ev('Added to Cart', T0), [ev('Charged', entered + 3 * HOUR)], T0 + DAY);
  assert.equal(atEnd.instance.exit?.reason, 'goal');
  assert.deepEqual(atEnd.sent.map((s) => s[1]), ['push-free-shipping', 'sms-10-off']);
});

test('goal validation: filter values are checked with the goal path', () => {
  const result = compileJourney({ ...example('abandoned-cart'), goals: [{ id: 'g', event: 'Charged', where: [{ property: 'amount', op: '>', value: [1] }], within: '0d' }] });
  const messages = result.ok ? [] : result.problems.map((p) => p.path);
  assert.ok(messages.includes('/goals/0/within'), JSON.stringify(messages));
  const second = compileJourney({ ...example('abandoned-cart'), goals: [{ id: 'g', event: 'Charged', where: [{ property: 'amount', op: '>', value: [1] }] }] });
  assert.deepEqual(second.ok ? [] : second.problems, [{ path: '/goals/0/where/0/value', message: '">" needs a number or string value' }]);
});

const tagVip = tagVipJourney({ vip: true, tier: 'gold', trial: null }, 'tier {{ Profile.tier }}');

test('updateProfile: emits the trait patch, and later nodes of the same step see it', () => {
  const t = startInstance(compile(tagVip), 'j', 1, ev('Charged', T0), { now: T0, profile: { userId: 'u', traits: { pushToken: 'tok', trial: true } } });
  assert.deepEqual(
    t.effects.filter((e) => e.type === 'profile' || e.type === 'send'),
    [
      { type: 'profile', nodeId: 'tag', set: { vip: true, tier: 'gold', trial: null } },
      { type: 'send', sendId: t.instance.id + ':p:3', nodeId: 'p', channel: 'push' },
    ],
  );
});

test('updateProfile validation: literal values only, at least one trait', () => {
  const bad = structuredClone(tagVip);
  (bad.nodes[1] as { set: unknown }).set = { nested: { a: 1 } };
  const empty = structuredClone(tagVip);
  (empty.nodes[1] as { set: unknown }).set = {};
  for (const definition of [bad, empty]) {
    const result = compileJourney(definition);
    assert.ok(!result.ok && result.problems.some((p) => p.path.startsWith('/nodes/1/set')), JSON.stringify(result));
  }
});

test('updateProfile validation: a trait name is 1 to 200 characters, each wrong name reported at its own path', () => {
  const long = 'k'.repeat(201);
  const bad = structuredClone(tagVip);
  (bad.nodes[1] as { set: unknown }).set = { '': 1, [long]: 2, ['n'.repeat(200)]: 3 };
  const result = compileJourney(bad);
  assert.ok(!result.ok);
  assert.deepEqual(result.problems, [
    { path: '/nodes/1/set/', message: 'name must not have fewer than 1 characters' },
    { path: `/nodes/1/set/${long}`, message: 'name must not have more than 200 characters' },
  ]);
});

test('wait: the journey timeout ends a user waiting at a wait; at the same instant as the wait timeout it wins', () => {
  const definition = example('onboarding') as JourneyDefinition;
  definition.setup = { ...definition.setup, timeout: '2d' };
  const { sent, instance } = drive(compile(definition), ev('Signed Up', T0), [], T0 + 10 * DAY);
  assert.deepEqual(sent, [[0, 'welcome-email']]);
  assert.deepEqual([instance.exit?.reason, instance.exit?.nodeId, instance.exit?.at], ['timeout', 'wait-profile', T0 + 2 * DAY]);
});
