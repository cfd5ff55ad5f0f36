/** The clocks all engine time comes from (src/core/clock.ts), and the exhaustiveness guard (src/core/never.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock, VirtualClock } from '../../src/core/clock.ts';
import { assertNever } from '../../src/core/never.ts';

test('a virtual clock starts where told (0 by default), moves only when set or advanced, and never goes back', () => {
  assert.equal(new VirtualClock().now(), 0);
  const clock = new VirtualClock(1_000);
  assert.equal(clock.now(), 1_000);
  clock.advance(500);
  assert.equal(clock.now(), 1_500);
  clock.set(1_500);
  assert.equal(clock.now(), 1_500, 'setting the same moment is allowed');
  clock.set(4_000);
  assert.equal(clock.now(), 4_000);
  assert.throws(() => clock.set(3_999), { message: 'virtual clock cannot go back from 4000 to 3999' });
  assert.equal(clock.now(), 4_000, 'a refused set changes nothing');
});

test('the system clock is the wall clock', () => {
  const before = Date.now();
  const now = systemClock.now();
  assert.ok(now >= before && now <= Date.now());
});

test('assertNever throws, naming the value no case handled', () => {
  assert.throws(() => assertNever({ kind: 'new' } as never), { message: 'unexpected value: {"kind":"new"}' });
});
