/** How a profile patch merges into the traits (src/core/traits.ts): what updateProfile nodes and simulate do, as the stores do. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeTraits } from '../../src/core/traits.ts';

test('a patch sets the keys it names and removes those it sets to null; the traits given are left as they were', () => {
  const traits = { name: 'Ana', coupon: 'CART10', tier: 'silver' };
  const merged = mergeTraits(traits, { coupon: null, tier: 'gold', vip: true, missing: null });
  assert.deepEqual(merged, { name: 'Ana', tier: 'gold', vip: true });
  assert.equal('coupon' in merged, false);
  assert.equal('missing' in merged, false, 'null for a key that was never set adds nothing');
  assert.deepEqual(traits, { name: 'Ana', coupon: 'CART10', tier: 'silver' });
});

test('false, 0 and "" are values, not removals', () => {
  assert.deepEqual(mergeTraits({ a: 1, b: 2, c: 3 }, { a: false, b: 0, c: '' }), { a: false, b: 0, c: '' });
});
