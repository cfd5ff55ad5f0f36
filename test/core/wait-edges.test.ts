/**
 * The wait node and updateProfile at their edges (docs/journeys.md, "wait" and "updateProfile"): the window's
 * opening instant for an event that arrives late, only the waited-for event taking "yes", sameAs with a null
 * entry property, what a wait watches and says, and both kinds' schemas. Expected values by hand.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Effect } from '../../src/core/instance.ts';
import { advance, startInstance } from '../../src/core/interpreter.ts';
import { specOf, type JourneyNode } from '../../src/core/nodes/index.ts';
import { sharesWithEntry } from '../../src/core/nodes/wait.ts';
import { compileJourney } from '../../src/core/validate.ts';
import { compile, ev, who } from './drive.ts';
import { path } from '../journeys.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T = Date.UTC(2026, 5, 10, 12);

const sentNodes = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'send' ? [e.nodeId] : []));

/** Signed Up -> 1 h -> wait 2 d for Completed Profile (percent >= 80) -> yes: push, timeout: email. */
const WAIT: JourneyNode = { id: 'w', kind: 'wait', event: 'Completed Profile', timeout: '2d', where: [{ property: 'percent', op: '>=', value: 80 }] };
const journey = () =>
  compile(path('w', [
    { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
    { id: 'pause', kind: 'delay', duration: '1h' },
    WAIT,
    { id: 'yes', kind: 'send', channel: 'push', message: { title: 't', body: 'yes' } },
    { id: 'out', kind: 'exit' },
    { id: 'late', kind: 'send', channel: 'email', message: { subject: 's', body: 'timeout' } },
  ], { branches: [{ from: 'w', to: 'yes', branch: 'yes' }, { from: 'w', to: 'late', branch: 'timeout' }, { from: 'late', to: 'out' }] }));

/** The instance waiting at "w" since T + 1 h (the delay's timer fired on time). */
function atWait() {
  const j = journey();
  const started = startInstance(j, 'j', 1, ev('Signed Up', T), { now: T, profile: who }).instance;
  const waiting = advance(j, started, { type: 'timer' }, { now: T + HOUR, profile: who }).instance;
  assert.equal(waiting.nodeId, 'w');
  assert.equal(waiting.nodeUntil, T + HOUR + 2 * DAY);
  return { j, waiting };
}

test('wait: an event from the very millisecond the user reached it does not count, even when it arrives after', () => {
  const { j, waiting } = atWait();
  const same = advance(j, waiting, { type: 'event', event: ev('Completed Profile', T + HOUR, { percent: 90 }) }, { now: T + HOUR + 5, profile: who });
  assert.deepEqual(same.effects, []);
  assert.equal(same.instance.nodeId, 'w');
  const next = advance(j, waiting, { type: 'event', event: ev('Completed Profile', T + HOUR + 1, { percent: 90 }) }, { now: T + HOUR + 5, profile: who });
  assert.deepEqual(sentNodes(next.effects), ['yes']);
});

test('wait: only the event it waits for takes "yes", whatever properties another event has', () => {
  const { j, waiting } = atWait();
  const other = advance(j, waiting, { type: 'event', event: ev('Viewed Product', T + 2 * HOUR, { percent: 90 }) }, { now: T + 2 * HOUR, profile: who });
  assert.deepEqual(other.effects, []);
  assert.equal(other.instance.nodeUntil, T + HOUR + 2 * DAY);
});

test('sameAs: a property the entry event has as null matches nothing, like a missing one', () => {
  const event = ev('Charged', T, { cartId: null });
  assert.equal(sharesWithEntry(['cartId'], event, { cartId: null }), false);
  assert.equal(sharesWithEntry(['cartId'], ev('Charged', T, { cartId: 'c1' }), { cartId: 'c1' }), true);
  assert.equal(sharesWithEntry(['cartId'], ev('Charged', T, { cartId: 'c1' }), {}), false);
});

test('what a wait watches (its event, for the engine to route) and says of a user at it', () => {
  const spec = specOf(WAIT);
  assert.deepEqual(spec.watches?.(WAIT), ['Completed Profile']);
  assert.equal(spec.explain?.(WAIT), 'waiting for "Completed Profile", at most 2d');
});

const problemsWith = (node: Record<string, unknown>) => {
  const definition = journey().definition;
  const result = compileJourney({ ...definition, nodes: definition.nodes.map((n) => (n.id === node.id ? node : n)) });
  return result.ok ? [] : result.problems.map(({ path: at, message }) => `${at} ${message}`);
};

test('no unknown field on a wait or an updateProfile', () => {
  assert.deepEqual(problemsWith({ ...WAIT, within: '1d' }), ['/nodes/2/within unknown field within']);
  assert.deepEqual(problemsWith({ id: 'pause', kind: 'updateProfile', set: { vip: true }, merge: true }), ['/nodes/1/merge unknown field merge']);
});

test('updateProfile: a text value is at most 10,000 characters', () => {
  assert.deepEqual(problemsWith({ id: 'pause', kind: 'updateProfile', set: { note: 'n'.repeat(10_000) } }), []);
  assert.deepEqual(problemsWith({ id: 'pause', kind: 'updateProfile', set: { note: 'n'.repeat(10_001) } }), ['/nodes/1/set/note must not have more than 10000 characters']);
});
