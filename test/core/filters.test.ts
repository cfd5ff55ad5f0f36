import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Filter } from '../../src/core/definition.ts';
import { filterProblems, filterText, matches, matchesAll } from '../../src/core/filters.ts';

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

test('"!=" holds for a missing property or another value, never for an equal one', () => {
  assert.equal(matches(f('currency', '!=', 'EUR'), props), false);
  assert.equal(matches(f('currency', '!=', 'USD'), props), true);
  assert.equal(matches(f('missing', '!=', 'EUR'), props), true);
});

test('"in" needs a list: a string matches nothing (not even as a substring), and a null property is missing even for a null in the list', () => {
  assert.equal(matches(f('currency', 'in', 'EURO' as never), props), false);
  assert.equal(matches(f('none', 'in', [null] as never), props), false);
});

test('"contains" on a string property takes a string: a number is not turned into text', () => {
  const sized = { size: 'Size 42' };
  assert.equal(matches(f('size', 'contains', '42'), sized), true);
  assert.equal(matches(f('size', 'contains', 42), sized), false);
});

test('comparisons at the value itself: "<" and ">" leave it out, "<=" and ">=" take it in', () => {
  const cases: Array<[Filter, boolean]> = [
    [f('price', '<', 89.99), false],
    [f('price', '<', 90), true],
    [f('price', '<=', 89.99), true],
    [f('price', '<=', 100), true],
    [f('price', '<=', 50), false],
    [f('price', '>', 89.99), false],
    [f('price', '>', 89.98), true],
    [f('price', '>=', 89.99), true],
    [f('price', '>=', 90), false],
  ];
  for (const [filter, expected] of cases) assert.equal(matches(filter, props), expected, JSON.stringify(filter));
});

test('value shapes: each operator\'s refusal says what it takes; the shapes it takes pass', () => {
  const at = (filters: Filter[]) => filterProblems(filters, '/w').map((p) => `${p.path} ${p.message}`);
  assert.deepEqual(at([f('a', 'exists'), f('a', 'exists', true), f('a', 'exists', false)]), []);
  assert.deepEqual(at([f('a', 'exists', 'yes')]), ['/w/0/value "exists" takes no value, or true/false (false: the property is absent)']);
  assert.deepEqual(at([f('a', '!=', 'x'), f('a', 'contains', 1), f('a', '<=', 'b'), f('a', '<', 2)]), []);
  assert.deepEqual(at([f('a', '!=', ['x']), f('a', 'contains', undefined)]), [
    '/w/0/value "!=" needs a single string, number or boolean value',
    '/w/1/value "contains" needs a single string, number or boolean value',
  ]);
  assert.deepEqual(at([f('a', '<=', true)]), ['/w/0/value "<=" needs a number or string value']);
});

test('an operator the language does not have is an error, not a silent match or miss', () => {
  const like = { property: 'a', op: 'like', value: 'x' } as unknown as Filter;
  assert.throws(() => matches(like, { a: 'x' }), /unexpected value/);
  assert.throws(() => filterProblems([like], '/w'), /unexpected value/);
});

test('filterText: a filter as text, the same for the same condition and different for another', () => {
  assert.equal(filterText(f('price', '>=', 50)), '["price",">=",50]');
  assert.equal(filterText(f('vip', 'exists')), '["vip","exists",null]');
  assert.equal(filterText(f('vip', 'exists', false)), '["vip","exists",false]');
});
