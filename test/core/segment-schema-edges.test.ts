/**
 * The limits of the segment condition language's schema (src/core/segment-schema.ts), each one over and at the
 * edge, through conditionSchemaProblems: what the API, the journey document and the CLI all answer with.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conditionSchemaProblems, MAX_GROUP_DEPTH } from '../../src/core/segment-schema.ts';

const vip = { type: 'profile', where: [{ property: 'vip', op: '=', value: true }] };
const profileWhere = (filter: Record<string, unknown>) => ({ type: 'profile', where: [filter] });
const paths = (value: unknown) => conditionSchemaProblems(value).map((p) => p.path);

test('a filter: a property of 1 to 200 characters, string values up to 1,000, lists up to 1,000, and no other field', () => {
  assert.deepEqual(conditionSchemaProblems(profileWhere({ property: 'p'.repeat(200), op: '=', value: 'v'.repeat(1000) })), []);
  assert.deepEqual(paths(profileWhere({ property: '', op: 'exists' })), ['/where/0/property']);
  assert.deepEqual(paths(profileWhere({ property: 'p'.repeat(201), op: 'exists' })), ['/where/0/property']);
  assert.deepEqual(paths(profileWhere({ property: 'p', op: '=', value: 'v'.repeat(1001) })), ['/where/0/value']);
  assert.deepEqual(conditionSchemaProblems(profileWhere({ property: 'p', op: 'in', value: Array.from({ length: 1000 }, (_, i) => i) })), []);
  assert.deepEqual(paths(profileWhere({ property: 'p', op: 'in', value: Array.from({ length: 1001 }, (_, i) => i) })), ['/where/0/value']);
  assert.deepEqual(conditionSchemaProblems(profileWhere({ property: 'p', op: '=', value: 1, note: 'x' })), [{ path: '/where/0/note', message: 'unknown field note' }]);
});

test('leaves take no field they do not name: profile, event, its count, message', () => {
  assert.deepEqual(conditionSchemaProblems({ ...vip, since: '1d' }), [{ path: '/since', message: 'unknown field since' }]);
  assert.deepEqual(conditionSchemaProblems({ type: 'event', event: 'Charged', count: { op: '>=', value: 2, per: 'day' } }), [{ path: '/count/per', message: 'unknown field per' }]);
  assert.deepEqual(conditionSchemaProblems({ type: 'message', node: 'push', outcome: 'sent', channel: 'push' }), [{ path: '/channel', message: 'unknown field channel' }]);
});

test("a message condition's node is a node id: 1 to 64 letters, digits, _ and -", () => {
  assert.deepEqual(conditionSchemaProblems({ type: 'message', node: 'n'.repeat(64), outcome: 'sent' }), []);
  assert.deepEqual(paths({ type: 'message', node: 'push 1', outcome: 'sent' }), ['/node']);
  assert.deepEqual(paths({ type: 'message', node: '', outcome: 'sent' }), ['/node', '/node'], 'too short, and no match for the pattern');
  assert.deepEqual(paths({ type: 'message', node: 'n'.repeat(65), outcome: 'sent' }), ['/node']);
});

test('a group with fields besides type and of names them all, in one problem', () => {
  assert.deepEqual(conditionSchemaProblems({ type: 'not', of: vip, label: 'x' }), [{ path: '', message: 'unknown field label' }]);
  assert.deepEqual(conditionSchemaProblems({ type: 'all', of: [vip], label: 'x', weight: 2 }), [{ path: '', message: 'unknown field label, weight' }]);
});

test('an "all" or "any" group takes 1 to 50 conditions', () => {
  assert.deepEqual(conditionSchemaProblems({ type: 'any', of: Array.from({ length: 50 }, () => vip) }), []);
  assert.deepEqual(conditionSchemaProblems({ type: 'any', of: Array.from({ length: 51 }, () => vip) }), [{ path: '/of', message: 'an "any" group needs 1 to 50 conditions' }]);
  assert.deepEqual(conditionSchemaProblems({ type: 'all', of: [] }), [{ path: '/of', message: 'an "all" group needs 1 to 50 conditions' }]);
});

test(`"not" counts toward the ${MAX_GROUP_DEPTH} levels of groups like "all" and "any"`, () => {
  const nots = (levels: number): unknown => (levels === 0 ? vip : { type: 'not', of: nots(levels - 1) });
  assert.deepEqual(conditionSchemaProblems(nots(MAX_GROUP_DEPTH)), []);
  assert.deepEqual(conditionSchemaProblems(nots(MAX_GROUP_DEPTH + 1)), [{ path: '/of/of/of/of', message: `groups (all, any, not) nest at most ${MAX_GROUP_DEPTH} deep` }]);
});
