/**
 * The checkpoint thread's pace (src/store/sqlite/checkpoint-pace.ts): once a second, and every 50 ms while the
 * log may reach the handover point before the copy after next. Frames counted as `wal_checkpoint` reports them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextCopyInMs } from '../../src/store/sqlite/checkpoint-pace.ts';

const pace = { intervalMs: 1_000, nearIntervalMs: 50, handoverFrames: 262_144 };

test('far from the handover point, the thread copies once a second', () => {
  // 10,000 frames in the last second: 20,000 more by the copy after next, 30,000 in all.
  assert.equal(nextCopyInMs(pace, { frames: 10_000, framesBefore: 0, elapsedMs: 1_000 }), 1_000);
  // 30,000 a second from 200,000: 260,000 by then, still short of 262,144.
  assert.equal(nextCopyInMs(pace, { frames: 200_000, framesBefore: 170_000, elapsedMs: 1_000 }), 1_000);
});

test('when the log may reach the handover point before the copy after next, every 50 ms', () => {
  // 30,000 a second from 210,000: 270,000 by then.
  assert.equal(nextCopyInMs(pace, { frames: 210_000, framesBefore: 180_000, elapsedMs: 1_000 }), 50);
});

test('the growth is a rate: after a copy 50 ms ago, the pace stays quick', () => {
  // 1,500 frames in 50 ms is 30,000 a second, as above; counted as 1,500 frames a copy it would slow down again
  // and leave the handover a second of log to copy.
  assert.equal(nextCopyInMs(pace, { frames: 211_500, framesBefore: 210_000, elapsedMs: 50 }), 50);
});

test('a log that started over, or a quiet one, is far from the handover point', () => {
  assert.equal(nextCopyInMs(pace, { frames: 5_000, framesBefore: 250_000, elapsedMs: 1_000 }), 1_000);
  assert.equal(nextCopyInMs(pace, { frames: 250_000, framesBefore: 250_000, elapsedMs: 1_000 }), 1_000);
});
