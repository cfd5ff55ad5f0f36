/**
 * The entry node's own checks (src/core/nodes/entry.ts), each with its path: the filters of an action or
 * inaction trigger (`where`, and an inaction's `notWhere`), a segment trigger's condition, and a date trigger
 * given both "before" and "after". A good trigger of each type passes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileJourney } from '../../src/core/validate.ts';
import { example } from '../helpers.ts';

/** The problems of a shipped example whose entry trigger is replaced. */
function problemsWith(name: string, trigger: Record<string, unknown>): Array<{ path: string; message: string }> {
  const doc = structuredClone(example(name)) as { nodes: Array<{ kind: string; trigger?: unknown }> };
  doc.nodes.find((n) => n.kind === 'entry')!.trigger = trigger;
  const result = compileJourney(doc);
  return result.ok ? [] : result.problems.map(({ path, message }) => ({ path, message }));
}

const BAD_IN = { property: 'sku', op: 'in', value: [] };
const BAD_EQ = { property: 'sku', op: '=', value: ['a', 'b'] };

test('action: its filters are checked', () => {
  assert.deepEqual(problemsWith('onboarding', { type: 'action', event: 'Signed Up', where: [{ property: 'plan', op: '=', value: 'pro' }] }), []);
  assert.deepEqual(problemsWith('onboarding', { type: 'action', event: 'Signed Up', where: [BAD_IN] }), [
    { path: '/nodes/0/trigger/where/0/value', message: '"in" needs a non-empty list of values' },
  ]);
});

test('inaction: where and notWhere are checked, each at its own path', () => {
  const base = { type: 'inaction', event: 'Added to Cart', notEvent: 'Charged', within: '2m' };
  assert.deepEqual(problemsWith('abandoned-cart', base), []);
  assert.deepEqual(problemsWith('abandoned-cart', { ...base, where: [BAD_EQ], notWhere: [BAD_IN] }), [
    { path: '/nodes/0/trigger/where/0/value', message: '"=" needs a single string, number or boolean value' },
    { path: '/nodes/0/trigger/notWhere/0/value', message: '"in" needs a non-empty list of values' },
  ]);
});

test("segment: the condition's own checks", () => {
  const doc = example('weekly-reengagement') as { nodes: Array<{ kind: string; trigger?: Record<string, unknown> }> };
  const trigger = doc.nodes.find((n) => n.kind === 'entry')!.trigger!;
  assert.deepEqual(problemsWith('weekly-reengagement', trigger), []);
  const problems = problemsWith('weekly-reengagement', { ...trigger, segment: { type: 'all', of: [] } });
  assert.equal(problems.length, 1, JSON.stringify(problems));
  assert.match(problems[0]!.path, /^\/nodes\/\d+\/trigger\/segment/);
});

test('date: "before" or "after", not both', () => {
  const base = { type: 'date', property: 'renewal_date', time: '10:00', timezone: 'user' };
  assert.deepEqual(problemsWith('renewal-reminder', { ...base, before: '3d' }), []);
  assert.deepEqual(problemsWith('renewal-reminder', { ...base, after: '3d' }), []);
  assert.deepEqual(problemsWith('renewal-reminder', { ...base, before: '3d', after: '1d' }), [{ path: '/nodes/0/trigger', message: 'give "before" or "after", not both' }]);
});
