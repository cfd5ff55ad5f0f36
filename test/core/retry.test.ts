/** Backoff with equal jitter, the last attempt, and Retry-After: expectations computed by hand. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RETRY, nextAttempt, parseRetryAfter } from '../../src/core/retry.ts';

const fixed = (x: number) => () => x;

test('the wait is uniform between half and all of a ceiling that doubles with each attempt', () => {
  // Ceilings 30 s, 60 s, 120 s, ... ; the wait is ceiling / 2 + random * ceiling / 2, rounded down.
  assert.deepEqual(nextAttempt(1, 1_000, DEFAULT_RETRY, fixed(0.5)), { retry: true, at: 23_500 }); // 15,000 + 7,500
  assert.deepEqual(nextAttempt(2, 1_000, DEFAULT_RETRY, fixed(0.5)), { retry: true, at: 46_000 }); // 30,000 + 15,000
  assert.deepEqual(nextAttempt(3, 1_000, DEFAULT_RETRY, fixed(0.25)), { retry: true, at: 76_000 }); // 60,000 + 15,000
  assert.deepEqual(nextAttempt(7, 0, DEFAULT_RETRY, fixed(0.999)), { retry: true, at: 1_919_040 }); // 960,000 + 0.999 * 960,000
  assert.deepEqual(nextAttempt(1, 5, DEFAULT_RETRY, fixed(0)), { retry: true, at: 15_005 });
});

test('a provider down for less than 31.75 minutes never runs a message out of attempts', () => {
  // The shortest waits (random 0) are half of 30 s, 1, 2, 4, 8, 16 and 32 min: 15 + 30 + 60 + 120 + 240 + 480 + 960 s.
  let at = 0;
  for (let attempt = 1; attempt < 8; attempt++) {
    const next = nextAttempt(attempt, at, DEFAULT_RETRY, fixed(0));
    assert.ok(next.retry);
    at = next.at;
  }
  assert.equal(at, 1_905_000, 'the 8th and last attempt is 31.75 min after the first at the soonest');
  assert.deepEqual(nextAttempt(8, at, DEFAULT_RETRY, fixed(0)), { retry: false });
});

test('the ceiling stops at the cap', () => {
  const policy = { maxAttempts: 20, baseMs: 1_000, capMs: 5_000 };
  assert.deepEqual(nextAttempt(3, 0, policy, fixed(0.5)), { retry: true, at: 3_000 }); // ceiling 4,000: 2,000 + 1,000
  assert.deepEqual(nextAttempt(4, 0, policy, fixed(0.5)), { retry: true, at: 3_750 }); // 8,000 capped to 5,000: 2,500 + 1,250
  assert.deepEqual(nextAttempt(19, 0, policy, fixed(0.5)), { retry: true, at: 3_750 });
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
  assert.deepEqual(nextAttempt(1, 1_000, DEFAULT_RETRY, fixed(0.5), -5), { retry: true, at: 23_500 }, 'a negative one is ignored');
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

test('a Retry-After that is not a finite number is ignored: the jitter decides', () => {
  // Attempt 1: ceiling 30,000, wait 15,000 + 0.5 x 15,000 = 22,500.
  assert.deepEqual(nextAttempt(1, 1_000, DEFAULT_RETRY, fixed(0.5), Number.POSITIVE_INFINITY), { retry: true, at: 23_500 });
  assert.deepEqual(nextAttempt(1, 1_000, DEFAULT_RETRY, fixed(0.5), Number.NaN), { retry: true, at: 23_500 });
});

test('no Retry-After header at all (null from a missing header) is no delay given', () => {
  assert.equal(parseRetryAfter(null, 0), undefined);
});
