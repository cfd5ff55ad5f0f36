/**
 * The journey document's own limits (src/core/definition.ts), each refused with the path it is about: no field
 * a schema does not name, anywhere (a typo must not pass for a setting), and the sizes and values the product
 * allows, one over each limit. Every case starts from the shipped example, which is valid.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileJourney } from '../../src/core/validate.ts';
import { example } from '../helpers.ts';

/** The document as loose JSON: the tests put in what its type would refuse. */
type Doc = Record<string, any>;

/** The problems of the example changed by `change`; [] when valid. */
function problemsOf(change: (doc: Doc) => void): Array<{ path: string; message: string }> {
  const doc = structuredClone(example('abandoned-cart')) as unknown as Doc;
  change(doc);
  const result = compileJourney(doc);
  return result.ok ? [] : result.problems;
}

function refused(change: (doc: Doc) => void, path: string, message: RegExp): void {
  const problems = problemsOf(change);
  assert.ok(problems.some((p) => p.path === path && message.test(p.message)), `expected ${path} ${message} in ${JSON.stringify(problems)}`);
}

test('the example is valid to begin with', () => {
  assert.deepEqual(problemsOf(() => {}), []);
});

test('no field a schema does not name, at any level', () => {
  refused((d) => (d.colour = 'red'), '/colour', /unknown field/);
  refused((d) => (d.setup.reentryPolicy = 'never'), '/setup/reentryPolicy', /unknown field/);
  refused((d) => (d.goals[0].name = 'paid'), '/goals/0/name', /unknown field/);
  refused((d) => (d.edges[0].label = 'then'), '/edges/0/label', /unknown field/);
  refused((d) => (d.setup.dnd = { start: '22:00', end: '08:00', zone: 'UTC' }), '/setup/dnd/zone', /unknown field/);
  refused((d) => (d.setup.dnd = { start: '22:00', end: '08:00', windows: [{ days: ['sat'], start: '10:00', end: '12:00', note: 'x' }] }), '/setup/dnd/windows/0/note', /unknown field/);
});

test('sizes: name, description, goals, nodes and edges each refused one over the limit', () => {
  assert.deepEqual(problemsOf((d) => (d.name = 'n'.repeat(200))), []);
  refused((d) => (d.name = 'n'.repeat(201)), '/name', /more than 200/);
  refused((d) => (d.name = ''), '/name', /fewer than 1/);
  refused((d) => (d.description = 'd'.repeat(5001)), '/description', /more than 5000/);
  refused((d) => (d.goals = Array.from({ length: 21 }, () => d.goals[0])), '/goals', /more than 20/);
  refused((d) => (d.nodes = Array.from({ length: 501 }, (_, i) => ({ id: `n${i}`, kind: 'exit' }))), '/nodes', /more than 500/);
  refused((d) => (d.nodes = []), '/nodes', /fewer than 1/);
  refused((d) => (d.edges = Array.from({ length: 2001 }, () => d.edges[0])), '/edges', /more than 2000/);
});

test('values: branch names, re-entry, DND modes and windows, control group, flags', () => {
  refused((d) => (d.edges[0].branch = 'no way'), '/edges/0/branch', /must match/);
  refused((d) => (d.setup.reentry = 'sometimes'), '/setup/reentry', /./);
  refused((d) => (d.setup.reentryCooldown = 'a while'), '/setup/reentryCooldown', /duration/);
  refused((d) => (d.setup.dnd = { start: '22:00', end: '08:00', whenInDnd: 'later' }), '/setup/dnd/whenInDnd', /./);
  refused((d) => (d.setup.dnd = { start: '22:00', end: '08:00', windows: [] }), '/setup/dnd/windows', /fewer than 1/);
  refused((d) => (d.setup.dnd = { start: '22:00', end: '08:00', windows: Array.from({ length: 15 }, () => ({ days: ['sat'], start: '10:00', end: '12:00' })) }), '/setup/dnd/windows', /more than 14/);
  refused((d) => (d.setup.controlGroupPercent = 100), '/setup/controlGroupPercent', /must be <= 99/);
  refused((d) => (d.setup.timezone = ''), '/setup/timezone', /fewer than 1/);
  refused((d) => (d.goals[0].exitOnGoal = 'yes'), '/goals/0/exitOnGoal', /boolean/);
  refused((d) => (d.setup.ignoreFrequencyCaps = 1), '/setup/ignoreFrequencyCaps', /boolean/);
});

test('a trigger type that is no kind of trigger lists the kinds there are, not the fields of one of them', () => {
  assert.deepEqual(
    problemsOf((doc) => {
      doc.nodes[0].trigger.type = 'inactoin';
    }),
    [{ path: '/nodes/0/trigger/type', message: 'must be one of "action", "inaction", "segment", "date", "journey"' }],
  );
});

test('the shared pieces: ids, event names, clock times, weekdays, moments, zone choices, templates, filters', () => {
  refused((d) => (d.nodes[6].id = 'the end'), '/nodes/6/id', /must match pattern/);
  refused((d) => (d.nodes[6].id = ''), '/nodes/6/id', /fewer than 1/);
  refused((d) => (d.nodes[6].id = 'x'.repeat(65)), '/nodes/6/id', /more than 64/);
  refused((d) => (d.goals[0].event = ''), '/goals/0/event', /fewer than 1/);
  refused((d) => (d.nodes[0].trigger.notEvent = 'e'.repeat(201)), '/nodes/0/trigger/notEvent', /more than 200/);
  refused((d) => (d.setup.dnd = { start: '25:00', end: '08:00' }), '/setup/dnd/start', /must match pattern/);
  refused((d) => (d.setup.dnd = { start: '22:00', end: '8:00' }), '/setup/dnd/end', /must match pattern/);
  const window = (days: unknown) => (d: Doc) => (d.setup.dnd = { windows: [{ days, start: '10:00', end: '12:00' }] });
  refused(window([]), '/setup/dnd/windows/0/days', /fewer than 1/);
  refused(window(['sat', 'sat']), '/setup/dnd/windows/0/days', /duplicate/);
  refused(window(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun', 'mon']), '/setup/dnd/windows/0/days', /more than 7/);
  refused(window(['saturday']), '/setup/dnd/windows/0/days/0', /must be one of "mon", "tue", "wed", "thu", "fri", "sat", "sun"/);
  refused((d) => (d.setup.dnd = { start: '22:00', end: '08:00', timezone: 'local' }), '/setup/dnd/timezone', /must be one of "user", "journey"/);
  refused((d) => (d.setup.startAt = 'tomorrow'), '/setup/startAt', /ISO 8601 date-time/);
  refused((d) => (d.setup.endAt = '2026-12-01'), '/setup/endAt', /ISO 8601 date-time/);
  assert.deepEqual(problemsOf((d) => (d.setup.startAt = '2026-12-01T09:00:00+01:00')), []);
  refused((d) => (d.nodes[1].message.body = 'b'.repeat(100_001)), '/nodes/1/message/body', /more than 100000/);
  const filter = { property: 'price', op: '>', value: 1 };
  assert.deepEqual(problemsOf((d) => (d.goals[0].where = Array.from({ length: 50 }, () => filter))), []);
  refused((d) => (d.goals[0].where = Array.from({ length: 51 }, () => filter)), '/goals/0/where', /more than 50/);
  refused((d) => (d.nodes[0].trigger.sameAs = Array.from({ length: 11 }, (_, i) => `p${i}`)), '/nodes/0/trigger/sameAs', /more than 10/);
  refused((d) => (d.nodes[0].trigger.sameAs = ['']), '/nodes/0/trigger/sameAs/0', /fewer than 1/);
  refused((d) => (d.nodes[0].trigger.sameAs = ['p'.repeat(201)]), '/nodes/0/trigger/sameAs/0', /more than 200/);
  refused((d) => (d.nodes[6] = { id: 'done', kind: 'split', condition: { type: 'trait' } }), '/nodes/6/condition/type', /must be one of "profile", "event", "message", "all", "any", "not"/);
});
