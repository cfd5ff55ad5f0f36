/**
 * The interpreter at its edges (docs/journeys.md, "Time, ties and late events", "Goals", "Control group"):
 * wake-ups before their moment, events older than the pass, events for a pass that has ended, an inaction
 * window's events, goals at the end of `within`, the control group's watch, and what each step counts.
 * Expected values are worked out by hand; the arithmetic is in the comments.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketOf } from '../../src/core/bucket.ts';
import type { Effect, Input, Instance, JourneyEvent } from '../../src/core/instance.ts';
import { advance, startInstance } from '../../src/core/interpreter.ts';
import { compile, ev, who } from './drive.ts';
import { path } from '../journeys.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MIN = 60_000;
const T = Date.UTC(2026, 5, 10, 12); // Wednesday 10 June 2026, 12:00 UTC

const PUSH = { id: 'push', kind: 'send', channel: 'push', message: { title: 't', body: 'b' } } as const;
const metrics = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'count' ? [e.metric] : []));
const sentNodes = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'send' ? [e.nodeId] : []));
const timer = (j: ReturnType<typeof compile>, i: Instance, now: number) => advance(j, i, { type: 'timer' }, { now, profile: who });
const event = (j: ReturnType<typeof compile>, i: Instance, e: JourneyEvent, now = e.timestamp) => advance(j, i, { type: 'event', event: e }, { now, profile: who });

/** Signed Up -> a 1 h delay -> push -> exit; goal "bought" on Charged (exits). */
const delayed = (more: Record<string, unknown> = {}) =>
  compile(path('d', [{ id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } }, { id: 'pause', kind: 'delay', duration: '1h' }, PUSH, { id: 'out', kind: 'exit' }], { goals: [{ id: 'bought', event: 'Charged' }], ...more }));

test('a wake-up before the moment a delay ends does nothing; at the moment, the user goes on', () => {
  const j = delayed();
  const start = startInstance(j, 'j', 1, ev('Signed Up', T), { now: T, profile: who }).instance;
  assert.equal(start.nodeUntil, T + HOUR);
  const early = timer(j, start, T + HOUR - 1);
  assert.deepEqual(early.effects, []);
  assert.deepEqual(early.instance, start, 'unchanged');
  const due = timer(j, start, T + HOUR);
  assert.deepEqual(sentNodes(due.effects), ['push']);
  assert.equal(due.instance.exit?.reason, 'completed');
});

test('an event older than the pass is ignored; one at its very first millisecond counts', () => {
  const j = delayed();
  const start = startInstance(j, 'j', 1, ev('Signed Up', T), { now: T, profile: who }).instance;
  const older = event(j, start, ev('Charged', T - 1), T + 1);
  assert.deepEqual(older.effects, []);
  assert.equal(older.instance.status, 'active');
  const same = event(j, start, ev('Charged', T));
  assert.equal(same.instance.exit?.reason, 'goal');
  assert.equal(same.instance.exit?.goalId, 'bought');
  assert.equal(same.instance.convertedAt, T);
});

test('a pass that has ended takes no more events: a goal after completing neither counts nor changes the exit', () => {
  const j = compile(path('c', [{ id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } }, PUSH, { id: 'out', kind: 'exit' }], { goals: [{ id: 'bought', event: 'Charged' }] }));
  const done = startInstance(j, 'j', 1, ev('Signed Up', T), { now: T, profile: who }).instance;
  assert.deepEqual(done.exit, { reason: 'completed', at: T, nodeId: 'out' });
  const after = event(j, done, ev('Charged', T + 1));
  assert.deepEqual(after.effects, []);
  assert.deepEqual(after.instance.exit, { reason: 'completed', at: T, nodeId: 'out' });
  assert.equal(after.instance.convertedAt, null);
});

/** Added to Cart, qualifying 2 min later unless a Charged with amount > 0 comes first; then a push. */
const cart = (goals: unknown[]) =>
  compile(path('cart', [
    { id: 'in', kind: 'entry', trigger: { type: 'inaction', event: 'Added to Cart', notEvent: 'Charged', notWhere: [{ property: 'amount', op: '>', value: 0 }], within: '2m' } },
    PUSH,
    { id: 'out', kind: 'exit' },
  ], { goals: goals as never }));

test('inaction: inside the window only notEvent matching notWhere breaks it, up to the window end included', () => {
  const j = cart([]);
  const pending = startInstance(j, 'j', 1, ev('Added to Cart', T), { now: T, profile: who }).instance;
  assert.equal(pending.status, 'pending');
  for (const other of [ev('Viewed Product', T + MIN, { amount: 5 }), ev('Charged', T + MIN, { amount: 0 }), ev('Charged', T + MIN)]) {
    const t = event(j, pending, other);
    assert.deepEqual(t.effects, [], `${other.name} ${JSON.stringify(other.properties)}`);
    assert.equal(t.instance.status, 'pending');
    assert.equal(t.instance.wakeAt, T + 2 * MIN);
  }
  // The window is T to T + 2 min, its end included: a paid charge at that very millisecond breaks it.
  const broken = event(j, pending, ev('Charged', T + 2 * MIN, { amount: 5 }));
  assert.deepEqual(broken.effects, [{ type: 'count', metric: 'not_qualified' }]);
  assert.deepEqual(broken.instance.exit, { reason: 'not_qualified', at: T + 2 * MIN, nodeId: 'in' });
  assert.equal(broken.instance.wakeAt, null);
});

test('inaction, the window closed but the engine behind: an event that is no goal waits for the timer', () => {
  const j = cart([{ id: 'bought', event: 'Charged' }]);
  const pending = startInstance(j, 'j', 1, ev('Added to Cart', T), { now: T, profile: who }).instance;
  const viewed = event(j, pending, ev('Viewed Product', T + 3 * MIN));
  assert.deepEqual(viewed.effects, []);
  assert.equal(viewed.instance.status, 'pending');
  assert.equal(viewed.instance.enteredAt, null);
});

test('inaction, the window closed but the engine behind: a goal event enters and converts the user on the first goal it meets', () => {
  // The first goal asks for amount >= 100; a charge of 5 meets only the second.
  const j = cart([{ id: 'big', event: 'Charged', where: [{ property: 'amount', op: '>=', value: 100 }] }, { id: 'any', event: 'Charged' }]);
  const pending = startInstance(j, 'j', 1, ev('Added to Cart', T), { now: T, profile: who }).instance;
  const late = event(j, pending, ev('Charged', T + 3 * MIN, { amount: 5 }));
  assert.equal(late.instance.enteredAt, T + 2 * MIN, 'entered when the window closed');
  assert.equal(late.instance.exit?.goalId, 'any');
  assert.deepEqual(metrics(late.effects), ['qualified', 'entered', 'goal', 'node_goal']);
  assert.deepEqual(sentNodes(late.effects), [], 'no message to a user who has converted');
});

test('inaction, the window closed but the engine behind: a count-only goal counts and the path goes on', () => {
  const j = cart([{ id: 'seen', event: 'Charged', exitOnGoal: false }]);
  const pending = startInstance(j, 'j', 1, ev('Added to Cart', T), { now: T, profile: who }).instance;
  const late = event(j, pending, ev('Charged', T + 3 * MIN));
  assert.deepEqual(metrics(late.effects), ['qualified', 'entered', 'goal', 'node_goal', 'node_entered', 'node_entered', 'completed']);
  assert.deepEqual(sentNodes(late.effects), ['push']);
  assert.equal(late.instance.convertedAt, T + 3 * MIN);
  assert.equal(late.instance.exit?.reason, 'completed');
});

test('goal within: an event at the end instant converts; a millisecond later it neither counts nor exits', () => {
  // Entered at T; within 1h: the window ends at T + 3,600,000 ms, included. The delay here is 2 h.
  const j = compile(path('g', [{ id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } }, { id: 'pause', kind: 'delay', duration: '2h' }, PUSH, { id: 'out', kind: 'exit' }], {
    goals: [{ id: 'quick', event: 'Charged', within: '1h' }],
  }));
  const start = startInstance(j, 'j', 1, ev('Signed Up', T), { now: T, profile: who }).instance;
  const atEnd = event(j, start, ev('Charged', T + HOUR));
  assert.equal(atEnd.instance.exit?.goalId, 'quick');
  const after = event(j, start, ev('Charged', T + HOUR + 1));
  assert.deepEqual(after.effects, []);
  assert.equal(after.instance.convertedAt, null);
  assert.deepEqual(sentNodes(timer(j, after.instance, T + 2 * HOUR).effects), ['push'], 'the user stayed and got the push');
});

// Control group: bucketOf('quiet', 'user-5') is 4, a known-answer vector of interpreter.test.ts.
const heldOut = (setup: Record<string, unknown>) => delayed({ setup });
const user5 = (name: string, timestamp: number): JourneyEvent => ({ ...ev(name, timestamp), userId: 'user-5' });

test('the control group is the buckets below the percent: bucket 4 is held out at 5%, not at 4%', () => {
  assert.equal(bucketOf('quiet', 'user-5'), 4);
  const at4 = startInstance(heldOut({ controlGroupPercent: 4 }), 'quiet', 1, user5('Signed Up', T), { now: T, profile: who });
  assert.equal(at4.instance.status, 'active');
  assert.deepEqual(metrics(at4.effects), ['qualified', 'entered', 'node_entered']);
  const at5 = startInstance(heldOut({ controlGroupPercent: 5 }), 'quiet', 1, user5('Signed Up', T), { now: T, profile: who });
  assert.equal(at5.instance.status, 'control');
  assert.deepEqual(metrics(at5.effects), ['qualified', 'control']);
  assert.equal(at5.instance.nodeId, null);
});

test('control without a journey timeout: watched for conversions exactly 30 days, 2,592,000,000 ms, then out', () => {
  const j = heldOut({ controlGroupPercent: 10 });
  const end = T + 30 * 86_400_000; // T + 2,592,000,000
  const held = startInstance(j, 'quiet', 1, user5('Signed Up', T), { now: T, profile: who }).instance;
  assert.equal(held.timeoutAt, end);
  assert.equal(held.wakeAt, end);
  assert.deepEqual(timer(j, held, end - 1).effects, []);
  const out = timer(j, held, end);
  assert.deepEqual(out.effects, [{ type: 'count', metric: 'timed_out' }]);
  assert.deepEqual(out.instance.exit, { reason: 'timeout', at: end, nodeId: null });
  // A conversion at the last instant is processed before the timer due then, and counts.
  const converted = event(j, held, user5('Charged', end));
  assert.deepEqual(converted.effects, [{ type: 'count', metric: 'control_goal' }]);
  assert.equal(converted.instance.exit?.reason, 'goal');
});

test('control with a journey timeout: watched until that timeout', () => {
  const held = startInstance(heldOut({ controlGroupPercent: 10, timeout: '2d' }), 'quiet', 1, user5('Signed Up', T), { now: T, profile: who }).instance;
  assert.equal(held.timeoutAt, T + 2 * DAY); // T + 172,800,000
  assert.equal(held.wakeAt, T + 2 * DAY);
});

test('what a step counts names the node it is about: node_entered for each node after the entry, then completed', () => {
  const j = compile(path('c', [{ id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } }, PUSH, { id: 'out', kind: 'exit' }]));
  const start = startInstance(j, 'j', 1, { ...ev('Signed Up', T), messageId: 'sign-1' }, { now: T, profile: who });
  assert.deepEqual(start.effects, [
    { type: 'count', metric: 'qualified' },
    { type: 'count', metric: 'entered' },
    { type: 'count', metric: 'node_entered', nodeId: 'push' },
    { type: 'send', sendId: 'j:0mq80o000:sign-1:push:1', nodeId: 'push', channel: 'push' }, // instance j:<T in base 36>:sign-1, node push, step 1
    { type: 'count', metric: 'node_entered', nodeId: 'out' },
    { type: 'count', metric: 'completed' },
  ]);
});

test('a user moved onto a version where the node they wait at is now an exit completes when the wait ends', () => {
  const v1 = delayed();
  const v2 = compile({ name: 'd', nodes: [{ id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } }, { id: 'pause', kind: 'exit' }], edges: [{ from: 'in', to: 'pause' }] });
  const waiting = startInstance(v1, 'j', 1, ev('Signed Up', T), { now: T, profile: who }).instance;
  const ended = timer(v2, waiting, T + HOUR);
  assert.deepEqual(ended.effects, [{ type: 'count', metric: 'completed' }]);
  assert.deepEqual(ended.instance.exit, { reason: 'completed', at: T + HOUR, nodeId: 'pause' });
});

test('an input of an unknown type, or an instance in an unknown state, is refused rather than passed over', () => {
  const j = delayed();
  const start = startInstance(j, 'j', 1, ev('Signed Up', T), { now: T, profile: who }).instance;
  assert.throws(() => advance(j, start, { type: 'tick' } as unknown as Input, { now: T, profile: who }), /unexpected value/);
  assert.throws(() => timer(j, { ...start, status: 'paused' as never, nodeUntil: null }, T), /unexpected value/);
});
