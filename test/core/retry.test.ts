/** Backoff with full jitter, the last attempt, and Retry-After: expectations computed by hand. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RETRY, nextAttempt, parseRetryAfter } from '../../src/core/retry.ts';

const fixed = (x: number) => () => x;

test('the wait is uniform below a ceiling that doubles with each attempt', () => {
  // Ceilings 30 s, 60 s, 120 s, ... ; the wait is random * ceiling, rounded down.
  assert.deepEqual(nextAttempt(1, 1_000, DEFAULT_RETRY, fixed(0.5)), { retry: true, at: 16_000 });
  assert.deepEqual(nextAttempt(2, 1_000, DEFAULT_RETRY, fixed(0.5)), { retry: true, at: 31_000 });
  assert.deepEqual(nextAttempt(3, 1_000, DEFAULT_RETRY, fixed(0.25)), { retry: true, at: 31_000 });
  assert.deepEqual(nextAttempt(7, 0, DEFAULT_RETRY, fixed(0.999)), { retry: true, at: 1_918_080 }); // 0.999 * 1,920,000
  assert.deepEqual(nextAttempt(1, 5, DEFAULT_RETRY, fixed(0)), { retry: true, at: 5 });
});

test('the ceiling stops at the cap', () => {
  const policy = { maxAttempts: 20, baseMs: 1_000, capMs: 5_000 };
  assert.deepEqual(nextAttempt(3, 0, policy, fixed(0.5)), { retry: true, at: 2_000 }); // ceiling 4,000
  assert.deepEqual(nextAttempt(4, 0, policy, fixed(0.5)), { retry: true, at: 2_500 }); // 8,000 capped to 5,000
  assert.deepEqual(nextAttempt(19, 0, policy, fixed(0.5)), { retry: true, at: 2_500 });
});

test('the last attempt is not retried: the message is dead-lettered', () => {
  assert.deepEqual(nextAttempt(8, 1_000, DEFAULT_RETRY, fixed(0.5)), { retry: false });
  assert.deepEqual(nextAttempt(9, 1_000, DEFAULT_RETRY, fixed(0.5)), { retry: false });
  assert.deepEqual(nextAttempt(1, 1_000, { ...DEFAULT_RETRY, maxAttempts: 1 }, fixed(0.5)), { retry: false });
});

test("a provider's Retry-After wins over the jitter, up to the cap, and never beyond the last attempt", () => {
  assert.deepEqual(nextAttempt(1, 1_000, DEFAULT_RETRY, fixed(0.5), 120_000), { retry: true, at: 121_000 });
  assert.deepEqual(nextAttempt(1, 1_000, DEFAULT_RETRY, fixed(0.5), 7_200_000), { retry: true, at: 3_601_000 });
  assert.deepEqual(nextAttempt(1, 1_000, DEFAULT_RETRY, fixed(0.5), 0), { retry: true, at: 1_000 });
  assert.deepEqual(nextAttempt(8, 1_000, DEFAULT_RETRY, fixed(0.5), 1_000), { retry: false });
  assert.deepEqual(nextAttempt(1, 1_000, DEFAULT_RETRY, fixed(0.5), -5), { retry: true, at: 16_000 }, 'a negative one is ignored');
});

test('Retry-After is read as seconds or as an HTTP date', () => {
  const now = Date.UTC(2015, 9, 21, 7, 27, 0);
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter(' 0 ', now), 0);
  assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now), 60_000);
  assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', now), 0, 'a date past is now');
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter('-3', now), undefined);
  assert.equal(parseRetryAfter('1.5', now), undefined);
  assert.equal(parseRetryAfter(undefined, now), undefined);
});
