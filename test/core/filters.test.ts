import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Filter } from '../../src/core/definition.ts';
import { filterProblems, matches, matchesAll } from '../../src/core/filters.ts';

const props = { price: 89.99, currency: 'EUR', name: 'Trail Running Shoes', tags: ['sale', 'running'], vip: true, at: '2026-11-02', none: null };
const f = (property: string, op: Filter['op'], value?: Filter['value']): Filter => (value === undefined ? { property, op } : { property, op, value });

test('each operator over present properties', () => {
  const cases: Array<[Filter, boolean]> = [
    [f('currency', '=', 'EUR'), true],
    [f('currency', '=', 'USD'), false],
    [f('price', '=', '89.99'), false], // no coercion
    [f('vip', '=', true), true],
    [f('currency', '!=', 'USD'), true],
    [f('price', '<', 100), true],
    [f('price', '<=', 89.99), true],
    [f('price', '>', 89.99), false],
    [f('price', '>=', 89.99), true],
    [f('price', '>', '10'), false], // number against string: false, not coerced
    [f('at', '>=', '2026-11-01'), true], // ISO dates order as strings
    [f('name', 'contains', 'Running'), true],
    [f('name', 'contains', 'running'), false], // case-sensitive
    [f('tags', 'contains', 'sale'), true],
    [f('tags', 'contains', 'golf'), false],
    [f('currency', 'in', ['EUR', 'GBP']), true],
    [f('currency', 'in', ['USD']), false],
    [f('price', 'exists'), true],
    [f('price', 'exists', false), false],
  ];
  for (const [filter, expected] of cases) assert.equal(matches(filter, props), expected, JSON.stringify(filter));
});

test('a missing (or null) property fails every operator but "!=" and "exists": false', () => {
  for (const property of ['missing', 'none']) {
    assert.equal(matches(f(property, '=', 'x'), props), false);
    assert.equal(matches(f(property, '<', 1), props), false);
    assert.equal(matches(f(property, 'in', ['x']), props), false);
    assert.equal(matches(f(property, 'contains', 'x'), props), false);
    assert.equal(matches(f(property, 'exists'), props), false);
    assert.equal(matches(f(property, '!=', 'x'), props), true);
    assert.equal(matches(f(property, 'exists', false), props), true);
  }
  assert.equal(matches(f('toString', 'exists'), props), false, 'inherited properties are not properties');
});

test('a list is ANDed; an empty or absent list matches everything', () => {
  assert.equal(matchesAll([f('currency', '=', 'EUR'), f('price', '>', 50)], props), true);
  assert.equal(matchesAll([f('currency', '=', 'EUR'), f('price', '>', 100)], props), false);
  assert.equal(matchesAll([], props), true);
  assert.equal(matchesAll(undefined, {}), true);
});

test('value shapes are checked per operator, with paths', () => {
  const problems = filterProblems([f('a', 'in', 'x'), f('b', '<', true), f('c', '=', undefined), f('d', 'exists', 'yes'), f('e', '=', ['x']), f('ok', '>=', 3)], '/nodes/2/where');
  assert.deepEqual(
    problems.map((p) => p.path),
    ['/nodes/2/where/0/value', '/nodes/2/where/1/value', '/nodes/2/where/2/value', '/nodes/2/where/3/value', '/nodes/2/where/4/value'],
  );
});
