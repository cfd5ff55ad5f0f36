import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { TimeHeap } from '../../src/core/time-heap.ts';

test('entries come out earliest first, whatever the order of pushes and pops between them', () => {
  // Each step pushes a time or pops; the heap must give what a sorted list of the times pushed would.
  const step = fc.oneof(fc.integer({ min: -50, max: 50 }), fc.constant('pop' as const));
  fc.assert(
    fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
      const heap = new TimeHeap<{ at: number }>();
      const model: number[] = [];
      for (const s of steps) {
        if (s === 'pop') {
          model.sort((a, b) => a - b);
          assert.equal(heap.pop()?.at, model.shift());
        } else {
          heap.push({ at: s });
          model.push(s);
        }
        assert.equal(heap.size, model.length);
        assert.equal(heap.peek()?.at, model.length === 0 ? undefined : Math.min(...model));
      }
    }),
    { seed: 20261206, numRuns: 300 },
  );
});

test('an empty heap peeks and pops nothing', () => {
  const heap = new TimeHeap<{ at: number }>();
  assert.equal(heap.peek(), undefined);
  assert.equal(heap.pop(), undefined);
  assert.equal(heap.size, 0);
});
