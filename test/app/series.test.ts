import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketStarts } from '../../src/app/series.ts';

const HOUR = 3_600_000;
const utc = (...parts: [number, number, number, number?, number?]) => Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3] ?? 0, parts[4] ?? 0);

test('day buckets in UTC: the last N days, today last, then the end of today', () => {
  assert.deepEqual(bucketStarts(utc(2026, 11, 2, 12), 2, 'day', 'UTC'), [utc(2026, 11, 1), utc(2026, 11, 2), utc(2026, 11, 3)]);
});

test('day buckets in Paris around the autumn clock change: local midnights, a day of 25 hours', () => {
  // Summer time (+02:00) ends on Sunday 25 October 2026 at 03:00 local: 24 Oct starts at 22:00Z on the 23rd,
  // 25 Oct at 22:00Z on the 24th, 26 Oct (winter, +01:00) at 23:00Z on the 25th.
  const starts = bucketStarts(utc(2026, 10, 26, 12), 3, 'day', 'Europe/Paris');
  assert.deepEqual(starts, [utc(2026, 10, 23, 22), utc(2026, 10, 24, 22), utc(2026, 10, 25, 23), utc(2026, 10, 26, 23)]);
  assert.equal(starts[2]! - starts[1]!, 25 * HOUR);
});

test('day buckets in Paris around the spring clock change: a day of 23 hours', () => {
  // Summer time starts on Sunday 29 March 2026 at 02:00 local: 29 Mar starts at 23:00Z on the 28th, 30 Mar at 22:00Z on the 29th.
  const starts = bucketStarts(utc(2026, 3, 30, 12), 2, 'day', 'Europe/Paris');
  assert.deepEqual(starts, [utc(2026, 3, 28, 23), utc(2026, 3, 29, 22), utc(2026, 3, 30, 22)]);
  assert.equal(starts[1]! - starts[0]!, 23 * HOUR);
});

test('hour buckets across the repeated hour: every hour once, 02:00 twice on the local clock', () => {
  // 02:30Z on 25 October is 03:30 local winter time, an hour after the clocks went back: the current hour
  // started at 02:00Z, so the 24 buckets run from 03:00Z the day before to 03:00Z.
  const starts = bucketStarts(utc(2026, 10, 25, 2, 30), 1, 'hour', 'Europe/Paris');
  assert.equal(starts.length, 25);
  assert.equal(starts[0], utc(2026, 10, 24, 3));
  assert.equal(starts.at(-1), utc(2026, 10, 25, 3));
  assert.ok(starts.every((s, i) => i === 0 || s - starts[i - 1]! === HOUR));
});

test('hour buckets where the offset is not a whole hour: they start at half past, UTC', () => {
  // India is +05:30: 12:00Z is 17:30 local, whose hour started at 17:00 local = 11:30Z.
  const starts = bucketStarts(utc(2026, 11, 2, 12), 1, 'hour', 'Asia/Kolkata');
  assert.equal(starts.at(-2), utc(2026, 11, 2, 11, 30));
  assert.equal(starts.at(-1), utc(2026, 11, 2, 12, 30));
  assert.equal(starts[0], utc(2026, 11, 1, 12, 30));
});
