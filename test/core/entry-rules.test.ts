/**
 * Who starts a pass, and when they enter (docs/journeys.md, "Setup" and "entry"): the entry event's name and
 * filters, re-entry "never" and "afterExit" with its cool-down, and a scheduled entry found ahead of its moment.
 * Every expected value is worked out by hand from the setup.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Effect } from '../../src/core/instance.ts';
import { advance, shouldStart, startInstance } from '../../src/core/interpreter.ts';
import { compile, ev, who } from './drive.ts';
import { path } from '../journeys.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T = Date.UTC(2026, 5, 10, 12); // Wednesday 10 June 2026, 12:00 UTC
const FRESH = { live: false, everEntered: false };

/** Entry -> push -> exit, with the given trigger and setup. */
const journey = (trigger: unknown = { type: 'action', event: 'Signed Up' }, setup: Record<string, unknown> = {}) =>
  compile(path('e', [
    { id: 'in', kind: 'entry', trigger: trigger as never },
    { id: 'push', kind: 'send', channel: 'push', message: { title: 't', body: 'b' } },
    { id: 'out', kind: 'exit' },
  ], { setup }));

const DATE_TRIGGER = { type: 'date', property: 'renewal_date', before: '3d', time: '10:00' };
const enter = (timestamp: number, properties: Record<string, unknown>) => ev('$enter', timestamp, { journeyId: 'j', runAt: timestamp, ...properties });
const metrics = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'count' ? [e.metric] : []));
const sentNodes = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'send' ? [e.nodeId] : []));

test('an action trigger starts only on its own event name', () => {
  const j = journey();
  assert.equal(shouldStart(j, ev('Signed Up', T), FRESH), true);
  assert.equal(shouldStart(j, ev('Signed In', T), FRESH), false);
  assert.equal(shouldStart(j, ev('$enter', T), FRESH), false, 'the internal entry event is for scheduled entries only');
});

test("an inaction trigger starts on its entry event (not notEvent), and only when the event matches its where", () => {
  const j = journey({ type: 'inaction', event: 'Added to Cart', notEvent: 'Charged', within: '2m', where: [{ property: 'value', op: '>=', value: 50 }] });
  assert.equal(shouldStart(j, ev('Added to Cart', T, { value: 50 }), FRESH), true, '50 >= 50');
  assert.equal(shouldStart(j, ev('Added to Cart', T, { value: 49 }), FRESH), false, '49 < 50');
  assert.equal(shouldStart(j, ev('Charged', T, { value: 50 }), FRESH), false, 'the negative event starts nothing');
  assert.equal(j.entry.event, 'Added to Cart');
});

test('scheduled and journey triggers start on the internal "$enter" event, never on a named event', () => {
  for (const trigger of [DATE_TRIGGER, { type: 'journey', journeyId: 'other', nodeId: 'x' }]) {
    const j = journey(trigger);
    assert.equal(j.entry.event, '$enter', trigger.type);
    assert.equal(shouldStart(j, enter(T, { at: T }), FRESH), true, trigger.type);
    assert.equal(shouldStart(j, ev('Signed Up', T), FRESH), false, trigger.type);
  }
});

test('re-entry "never" (the default): a user who entered once never starts again, however long after leaving', () => {
  const left = T - 365 * DAY;
  const entered = { live: false, everEntered: true, lastExitAt: left };
  assert.equal(shouldStart(journey(), ev('Signed Up', T), entered), false);
  assert.equal(shouldStart(journey(undefined, { reentry: 'never' }), ev('Signed Up', T), entered), false);
  assert.equal(shouldStart(journey(undefined, { reentry: 'afterExit' }), ev('Signed Up', T), entered), true, 'afterExit lets them in again');
  // A user whose inaction window was broken never entered: they may start again under "never" too.
  assert.equal(shouldStart(journey(), ev('Signed Up', T), { live: false, everEntered: false, lastExitAt: left }), true);
});

test('"afterExit" without a cool-down: again at once, judged only on whether a pass is live', () => {
  const j = journey(undefined, { reentry: 'afterExit' });
  const left = T;
  // An entry event timestamped one millisecond before the last exit (it arrived late) still starts a pass:
  // only a cool-down looks at the time since leaving.
  assert.equal(shouldStart(j, ev('Signed Up', left - 1), { live: false, everEntered: true, lastExitAt: left }), true);
  assert.equal(shouldStart(j, ev('Signed Up', left), { live: false, everEntered: true, lastExitAt: left }), true);
  assert.equal(shouldStart(j, ev('Signed Up', left + DAY), { live: true, everEntered: true, lastExitAt: left }), false, 'never two live passes');
});

test('a cool-down holds back only a user whose last exit is known', () => {
  // 30000d = 30000 x 86,400,000 = 2,592,000,000,000 ms, more than T (about 1.78e12 ms since 1970): were a
  // missing last exit read as 1970, T would fall inside the cool-down.
  const j = journey(undefined, { reentry: 'afterExit', reentryCooldown: '30000d' });
  assert.equal(shouldStart(j, ev('Signed Up', T), { live: false, everEntered: true, lastExitAt: null }), true);
  assert.equal(shouldStart(j, ev('Signed Up', T), { live: false, everEntered: true }), true);
  assert.equal(shouldStart(j, ev('Signed Up', T), { live: false, everEntered: true, lastExitAt: T - DAY }), false);
});

test('a cool-down ends exactly its duration after the last exit', () => {
  const j = journey(undefined, { reentry: 'afterExit', reentryCooldown: '1d' });
  const left = T;
  const history = { live: false, everEntered: true, lastExitAt: left };
  assert.equal(shouldStart(j, ev('Signed Up', left + DAY - 1), history), false);
  assert.equal(shouldStart(j, ev('Signed Up', left + DAY), history), true);
  assert.equal(shouldStart(j, ev('Signed Up', left + DAY + 1), history), true);
});

test('a date entry found ahead of its moment waits, pending, and enters at the moment', () => {
  const j = journey(DATE_TRIGGER);
  const at = T + 5 * HOUR;
  const start = startInstance(j, 'j', 1, enter(T, { at }), { now: T, profile: who });
  assert.equal(start.instance.status, 'pending');
  assert.equal(start.instance.nodeUntil, at);
  assert.equal(start.instance.wakeAt, at);
  assert.equal(start.instance.enteredAt, null);
  assert.deepEqual(start.effects, []);
  const early = advance(j, start.instance, { type: 'timer' }, { now: at - 1, profile: who });
  assert.deepEqual(early.effects, [], 'one millisecond early: nothing is due');
  assert.equal(early.instance.status, 'pending');
  const due = advance(j, start.instance, { type: 'timer' }, { now: at, profile: who });
  assert.equal(due.instance.enteredAt, at);
  assert.deepEqual(metrics(due.effects), ['qualified', 'entered', 'node_entered', 'node_entered', 'completed']);
  assert.deepEqual(sentNodes(due.effects), ['push']);
});

test('a date entry at or past its moment enters at once, when processed', () => {
  const j = journey(DATE_TRIGGER);
  for (const at of [T, T - 1, T - DAY]) {
    const start = startInstance(j, 'j', 1, enter(T, { at }), { now: T, profile: who });
    assert.equal(start.instance.status, 'exited', `at = T${at - T}`);
    assert.equal(start.instance.enteredAt, T);
    assert.deepEqual(sentNodes(start.effects), ['push']);
  }
});

test('a date entry whose moment is missing or unreadable enters at once rather than waiting forever', () => {
  const j = journey(DATE_TRIGGER);
  for (const at of [undefined, Number.POSITIVE_INFINITY, Number.NaN, new Date(T + DAY).toISOString()]) {
    const start = startInstance(j, 'j', 1, enter(T, at === undefined ? {} : { at }), { now: T, profile: who });
    assert.equal(start.instance.status, 'exited', String(at));
    assert.equal(start.instance.wakeAt, null);
    assert.deepEqual(sentNodes(start.effects), ['push'], String(at));
  }
});

test('an action entry enters when its event is processed: an "at" property of the event means nothing to it', () => {
  const j = journey();
  const start = startInstance(j, 'j', 1, ev('Signed Up', T, { at: T + 5 * HOUR }), { now: T, profile: who });
  assert.equal(start.instance.enteredAt, T);
  assert.deepEqual(sentNodes(start.effects), ['push']);
});
