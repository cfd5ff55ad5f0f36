/**
 * The branching and exit node kinds' own rules (docs/journeys.md, "abSplit", "split", "exit"): their schema
 * limits one over each side, no unknown field, the checks' paths, and an A/B variant's bucket range at its
 * edges. Each refusal is the exact problem a save would answer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileDefinition, dndWindows } from '../../src/core/compile.ts';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import { pickVariant } from '../../src/core/nodes/ab-split.ts';
import { compileJourney } from '../../src/core/validate.ts';

const ENTRY = { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'A' } };
const problemsOf = (definition: unknown) => {
  const result = compileJourney(definition);
  return result.ok ? [] : result.problems.map(({ path, message }) => `${path} ${message}`);
};

/** Entry -> an abSplit with these variants (and extra fields) -> one exit for every variant. */
const ab = (variants: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) => ({
  name: 'ab',
  nodes: [ENTRY, { id: 'ab', kind: 'abSplit', variants, ...extra }, { id: 'out', kind: 'exit' }],
  edges: [{ from: 'in', to: 'ab' }, ...variants.map((v) => ({ from: 'ab', to: 'out', branch: v.name }))],
});

test('pickVariant: variants own consecutive bucket ranges, each ending just below its running total', () => {
  const half = [{ name: 'a', percent: 50 }, { name: 'b', percent: 50 }];
  assert.equal(pickVariant(half, 0), 'a');
  assert.equal(pickVariant(half, 49), 'a');
  assert.equal(pickVariant(half, 50), 'b'); // 50 is not below a's total of 50
  assert.equal(pickVariant(half, 99), 'b');
  const thirds = [{ name: 'x', percent: 33 }, { name: 'y', percent: 33 }, { name: 'z', percent: 34 }];
  assert.deepEqual([32, 33, 65, 66].map((b) => pickVariant(thirds, b)), ['x', 'y', 'y', 'z']); // totals 33, 66, 100
});

test('abSplit: 2 to 7 variants, each 1-100 percent', () => {
  assert.deepEqual(problemsOf(ab([{ name: 'a', percent: 100 }])), ['/nodes/1/variants must not have fewer than 2 items']);
  const eight = Array.from({ length: 8 }, (_, i) => ({ name: `v${i}`, percent: i < 4 ? 12 : 13 })); // 4 x 12 + 4 x 13 = 100
  assert.deepEqual(problemsOf(ab(eight)), ['/nodes/1/variants must not have more than 7 items']);
  const seven = [14, 14, 14, 14, 14, 15, 15].map((percent, i) => ({ name: `v${i}`, percent })); // 5 x 14 + 2 x 15 = 100
  assert.deepEqual(problemsOf(ab(seven)), []);
  assert.deepEqual(problemsOf(ab([{ name: 'a', percent: 0 }, { name: 'b', percent: 100 }])), ['/nodes/1/variants/0/percent must be >= 1']);
  assert.deepEqual(problemsOf(ab([{ name: 'a', percent: 101 }, { name: 'b', percent: 1 }])), ['/nodes/1/variants/0/percent must be <= 100']);
});

test("abSplit: a variant's name is 1-64 characters of A-Z a-z 0-9 _ -, refused on the variant as well as on its edge", () => {
  assert.deepEqual(problemsOf(ab([{ name: 'a b', percent: 50 }, { name: 'b', percent: 50 }])), [
    '/edges/1/branch must match pattern "^[A-Za-z0-9_-]+$"',
    '/nodes/1/variants/0/name must match pattern "^[A-Za-z0-9_-]+$"',
  ]);
  assert.deepEqual(problemsOf(ab([{ name: 'a'.repeat(65), percent: 50 }, { name: 'b', percent: 50 }])), [
    '/edges/1/branch must not have more than 64 characters',
    '/nodes/1/variants/0/name must not have more than 64 characters',
  ]);
  assert.deepEqual(problemsOf(ab([{ name: 'a'.repeat(64), percent: 50 }, { name: 'b', percent: 50 }])), []);
});

test('no unknown field on an abSplit, its variants, a split or an exit', () => {
  const half = [{ name: 'a', percent: 50 }, { name: 'b', percent: 50 }];
  assert.deepEqual(problemsOf(ab(half, { colour: 'red' })), ['/nodes/1/colour unknown field colour']);
  assert.deepEqual(problemsOf(ab([{ ...half[0], colour: 'red' }, half[1]!])), ['/nodes/1/variants/0/colour unknown field colour']);
  assert.deepEqual(problemsOf(split({ where: [{ property: 'vip', op: 'exists' }], colour: 'red' })), ['/nodes/2/colour unknown field colour']);
  assert.deepEqual(problemsOf({ name: 'x', nodes: [ENTRY, { id: 'out', kind: 'exit', next: 'in' }], edges: [{ from: 'in', to: 'out' }] }), ['/nodes/1/next unknown field next']);
});

/** Entry -> push "p" -> a split with these fields -> exit on both branches. */
const split = (fields: Record<string, unknown>) => ({
  name: 's',
  nodes: [ENTRY, { id: 'p', kind: 'send', channel: 'push', message: { title: 't', body: 'b' } }, { id: 'sp', kind: 'split', ...fields }, { id: 'out', kind: 'exit' }],
  edges: [{ from: 'in', to: 'p' }, { from: 'p', to: 'sp' }, { from: 'sp', to: 'out', branch: 'yes' }, { from: 'sp', to: 'out', branch: 'no' }],
});

test("split: 1 to 50 profile filters, each filter's value checked at its path", () => {
  const filter = { property: 'vip', op: 'exists' };
  assert.deepEqual(problemsOf(split({ where: [] })), ['/nodes/2/where must not have fewer than 1 items']);
  assert.deepEqual(problemsOf(split({ where: Array.from({ length: 51 }, () => filter) })), ['/nodes/2/where must not have more than 50 items']);
  assert.deepEqual(problemsOf(split({ where: Array.from({ length: 50 }, () => filter) })), []);
  assert.deepEqual(problemsOf(split({ where: [filter, { property: 'plan', op: 'in', value: [] }] })), ['/nodes/2/where/1/value "in" needs a non-empty list of values']);
});

test("split: a condition's own checks at its path; message outcomes only of this journey's send nodes, once the condition is sound", () => {
  const never = { type: 'event', event: 'Opened', count: { op: '<', value: 0 } };
  assert.deepEqual(problemsOf(split({ condition: never })), ['/nodes/2/condition/count fewer than 0 times never holds']);
  assert.deepEqual(problemsOf(split({ condition: { type: 'message', node: 'out', outcome: 'sent' } })), ['/nodes/2/condition/node "out" is not a send node of this journey']);
  assert.deepEqual(problemsOf(split({ condition: { type: 'message', node: 'p', outcome: 'sent' } })), []);
  // An unsound condition reports its own problem only: what its message leaves name is not looked at yet.
  assert.deepEqual(problemsOf(split({ condition: { type: 'all', of: [never, { type: 'message', node: 'out', outcome: 'sent' }] } })), ['/nodes/2/condition/of/0/count fewer than 0 times never holds']);
});

test('dndWindows: start and end make an every-day window only when both are given; per-weekday windows follow', () => {
  const weekend = { days: ['sat' as const], start: '10:00', end: '12:00' };
  assert.deepEqual(dndWindows({ start: '21:00', end: '09:00', windows: [weekend] }), [{ start: '21:00', end: '09:00' }, weekend]);
  assert.deepEqual(dndWindows({ windows: [weekend] }), [weekend]);
  assert.deepEqual(dndWindows({ start: '21:00', windows: [weekend] } as never), [weekend]);
  assert.deepEqual(dndWindows({ end: '09:00', windows: [weekend] } as never), [weekend]);
});

test('the entry node need not come first in the list; a definition with none cannot be compiled', () => {
  const definition = { name: 'x', nodes: [{ id: 'out', kind: 'exit' }, ENTRY], edges: [{ from: 'in', to: 'out' }] };
  const compiled = compileJourney(definition);
  assert.ok(compiled.ok);
  assert.equal(compiled.journey.entry.id, 'in');
  assert.throws(() => compileDefinition({ name: 'x', nodes: [{ id: 'out', kind: 'exit' }], edges: [] } as unknown as JourneyDefinition), /a journey needs an entry node/);
});
