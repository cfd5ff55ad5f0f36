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
