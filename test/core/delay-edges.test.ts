/**
 * The delay node at its edges (docs/journeys.md, "delay" and "Publishing"): a moment reached exactly on
 * arrival, a date moved after, a user with no profile, what it says of a user waiting at it, its schema, and
 * the publish check for a send right after it inside DND hours. Expected values by hand.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Settings } from 'luxon';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import type { Effect, ProfileView } from '../../src/core/instance.ts';
import { startInstance } from '../../src/core/interpreter.ts';
import { specOf, type JourneyNode } from '../../src/core/nodes/index.ts';
import { publishChecks } from '../../src/core/publish-checks.ts';
import { compileJourney } from '../../src/core/validate.ts';
import { compile, ev, who } from './drive.ts';
import { path } from '../journeys.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T = Date.UTC(2026, 5, 10, 12); // Wednesday 10 June 2026, 12:00 UTC, 14:00 in Paris (CEST, UTC+2)

const metrics = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'count' ? [e.metric] : []));
const sentNodes = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'send' ? [e.nodeId] : []));
const withTraits = (traits: Record<string, unknown>): ProfileView => ({ userId: 'u', traits: { ...who.traits, ...traits } });

/** Signed Up -> the delay -> push -> exit, in the journey zone Europe/Paris; the delay's "missed" leads to an inbox message. */
const delayed = (delay: Record<string, unknown>, missed = false) =>
  compile(path('d', [
    { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
    { id: 'wait', kind: 'delay', ...delay } as JourneyDefinition['nodes'][number],
    { id: 'push', kind: 'send', channel: 'push', message: { title: 't', body: 'b' } },
    { id: 'out', kind: 'exit' },
    ...(missed ? [{ id: 'sorry', kind: 'send', channel: 'inbox', message: { title: 't', body: 'missed' } } as const] : []),
  ], {
    setup: { timezone: 'Europe/Paris' },
    branches: missed ? [{ from: 'wait', to: 'push' }, { from: 'wait', to: 'sorry', branch: 'missed' }, { from: 'sorry', to: 'out' }] : [],
  }));

test('a delay until 10:00 reached at 10:00 exactly goes on in the same step, without a timer', () => {
  const tenParis = Date.UTC(2026, 5, 10, 8); // 10:00 CEST
  const start = startInstance(delayed({ untilTime: '10:00' }), 'j', 1, ev('Signed Up', tenParis), { now: tenParis, profile: who });
  assert.deepEqual(sentNodes(start.effects), ['push']);
  assert.equal(start.instance.exit?.reason, 'completed');
  const later = startInstance(delayed({ untilTime: '10:00' }), 'j', 1, ev('Signed Up', tenParis + 1), { now: tenParis + 1, profile: who });
  assert.equal(later.instance.wakeAt, tenParis + DAY, 'a millisecond after 10:00: the next day\'s');
});

test('a delay until a date: the moment itself on arrival goes on at once; a millisecond before it is missed', () => {
  const j = delayed({ untilDate: { property: 'renewal_date' } }, true);
  const onTime = startInstance(j, 'j', 1, ev('Signed Up', T), { now: T, profile: withTraits({ renewal_date: T }) });
  assert.deepEqual(sentNodes(onTime.effects), ['push']);
  assert.ok(!metrics(onTime.effects).includes('node_missed'));
  const past = startInstance(j, 'j', 1, ev('Signed Up', T), { now: T, profile: withTraits({ renewal_date: T - 1 }) });
  assert.deepEqual(sentNodes(past.effects), ['sorry']);
  assert.ok(past.effects.some((e) => e.type === 'count' && e.metric === 'node_missed' && e.nodeId === 'wait'));
});

test('a delay until a date "after": whole days later on the calendar, at the time given, in the zone', () => {
  // signup 2026-06-10, 2 days after at 10:00 Paris: 12 June 10:00 CEST = 08:00 UTC.
  const start = startInstance(delayed({ untilDate: { property: 'signup', after: '2d', time: '10:00' } }), 'j', 1, ev('Signed Up', T), { now: T, profile: withTraits({ signup: '2026-06-10' }) });
  assert.equal(start.instance.wakeAt, Date.UTC(2026, 5, 12, 8));
});

test('a user with no profile: a local time is read in the journey zone, a date trait is missing', () => {
  // 14:00 in Paris on arrival: the next 10:00 Paris is Thursday 11 June, 08:00 UTC.
  const byTime = startInstance(delayed({ untilTime: '10:00' }), 'j', 1, ev('Signed Up', T), { now: T, profile: null });
  assert.equal(byTime.instance.wakeAt, Date.UTC(2026, 5, 11, 8));
  const byDate = startInstance(delayed({ untilDate: { property: 'renewal_date' } }, true), 'j', 1, ev('Signed Up', T), { now: T, profile: null });
  assert.ok(metrics(byDate.effects).includes('node_missed'));
  assert.deepEqual(sentNodes(byDate.effects), ['sorry'], 'the inbox needs no address');
});

test('a user with no profile: traits an updateProfile writes are there for the split after it', () => {
  const j = compile(path('p', [
    { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
    { id: 'tag', kind: 'updateProfile', set: { vip: true } },
    { id: 'is-vip', kind: 'split', where: [{ property: 'vip', op: '=', value: true }] },
    { id: 'vip', kind: 'send', channel: 'inbox', message: { title: 't', body: 'vip' } },
    { id: 'std', kind: 'send', channel: 'inbox', message: { title: 't', body: 'std' } },
    { id: 'out', kind: 'exit' },
  ], { branches: [{ from: 'is-vip', to: 'vip', branch: 'yes' }, { from: 'is-vip', to: 'std', branch: 'no' }, { from: 'vip', to: 'out' }, { from: 'std', to: 'out' }] }));
  const start = startInstance(j, 'j', 1, ev('Signed Up', T), { now: T, profile: null });
  assert.deepEqual(start.effects.filter((e) => e.type === 'profile'), [{ type: 'profile', nodeId: 'tag', set: { vip: true } }]);
  assert.deepEqual(sentNodes(start.effects), ['vip']);
});

test('what a delay says of a user waiting at it', () => {
  const say = (delay: Record<string, unknown>) => {
    const node = { id: 'd', kind: 'delay', ...delay } as JourneyNode;
    return specOf(node).explain?.(node);
  };
  assert.equal(say({ duration: '2h' }), 'a 2h delay');
  assert.equal(say({ untilTime: '10:00' }), 'until 10:00 local time');
  assert.equal(say({ untilTime: '10:00', days: ['mon', 'fri'] }), 'until 10:00 local time on mon, fri');
  assert.equal(say({ untilDate: { property: 'renewal_date', before: '1d' } }), 'until the date in renewal_date');
});

test("a delay's schema: no unknown field on the node or its untilDate; the date property is 1-200 characters", () => {
  const problems = (delay: Record<string, unknown>) => {
    const base = delayed({ duration: '1h' }).definition;
    const result = compileJourney({ ...base, nodes: base.nodes.map((n) => (n.id === 'wait' ? { id: 'wait', kind: 'delay', ...delay } : n)) });
    return result.ok ? [] : result.problems;
  };
  assert.deepEqual(problems({ duration: '1h', hours: 2 }), [{ path: '/nodes/1/hours', message: 'unknown field hours' }]);
  assert.deepEqual(problems({ untilDate: { property: 'p', zone: 'UTC' } }), [{ path: '/nodes/1/untilDate/zone', message: 'unknown field zone' }]);
  assert.deepEqual(problems({ untilDate: { property: '' } }), [{ path: '/nodes/1/untilDate/property', message: 'must not have fewer than 1 characters' }]);
  assert.deepEqual(problems({ untilDate: { property: 'p'.repeat(201) } }), [{ path: '/nodes/1/untilDate/property', message: 'must not have more than 200 characters' }]);
  assert.deepEqual(problems({ untilDate: { property: 'p'.repeat(200) } }), []);
  assert.deepEqual(problems({ untilTime: '24:00' }), [{ path: '/nodes/1/untilTime', message: 'must match pattern "^([01][0-9]|2[0-3]):[0-5][0-9]$"' }]);
  assert.deepEqual(problems({ untilTime: '23:59' }), []);
});

/** Entry -> the delay -> `then` -> exit, for the publish checks (UTC journey). */
function dndChecks(delay: Record<string, unknown>, dnd: Record<string, unknown> | undefined, then: Record<string, unknown> = { kind: 'send', channel: 'sms', message: { body: 'Hello' } }) {
  const compiled = compileJourney(path('c', [
    { id: 'start', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
    { id: 'later', kind: 'delay', ...delay } as JourneyDefinition['nodes'][number],
    { id: 'then', ...then } as JourneyDefinition['nodes'][number],
    { id: 'done', kind: 'exit' },
  ], { setup: { timezone: 'UTC', ...(dnd ? { dnd } : {}) } }));
  assert.ok(compiled.ok, JSON.stringify(!compiled.ok && compiled.problems));
  return publishChecks(compiled.journey);
}
const NOTHING = { errors: [], warnings: [] };

test('DND publish check: nothing to say without DND, for a date without a time, or when no send follows the delay', () => {
  assert.deepEqual(dndChecks({ untilTime: '22:00' }, undefined), NOTHING);
  assert.deepEqual(dndChecks({ untilDate: { property: 'renewal_date' } }, { start: '21:00', end: '09:00' }), NOTHING);
  // A delay ending at 22:00, inside 21:00-09:00, followed by another delay: only a send directly after is judged.
  assert.deepEqual(dndChecks({ untilTime: '22:00' }, { start: '21:00', end: '09:00' }, { kind: 'delay', duration: '1h' }), NOTHING);
});

test('DND publish check: the end times are named in order, on the DND clock whatever the server zone', () => {
  // Monday's window runs 22:00 to Tuesday 11:00; every other day's 22:00 to 09:00. A 23:00 delay ends inside
  // one every day: deferred to 11:00 (after Monday) or 09:00 (after the rest), named in time order.
  const dnd = { windows: [{ days: ['mon'], start: '22:00', end: '11:00' }, { days: ['tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '22:00', end: '09:00' }] };
  const expected = {
    errors: [],
    warnings: [{
      path: '/nodes/2',
      message: 'send "then" is scheduled inside DND hours: it comes right after delay "later", which ends at 23:00, always inside the DND hours, so it will always be deferred to when the window ends (09:00 or 11:00)',
    }],
  };
  assert.deepEqual(dndChecks({ untilTime: '23:00' }, dnd), expected);
  const zone = Settings.defaultZone;
  try {
    Settings.defaultZone = 'Asia/Kolkata'; // a server at UTC+5:30 names the same times
    assert.deepEqual(dndChecks({ untilTime: '23:00' }, dnd), expected);
  } finally {
    Settings.defaultZone = zone;
  }
});
