/**
 * The edges of do-not-disturb windows (src/core/dnd.ts), worked out by hand in UTC on the week of Monday
 * 1 June 2026: a window covers its start minute and not its end minute; an empty window covers nothing;
 * back-to-back windows are left in hops, overlapping ones at the latest end; a window's days are the days it
 * starts on; and windows covering the whole week stop after 16 hops rather than loop.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstAllowedMoment, type DndWindow } from '../../src/core/dnd.ts';

const at = (day: number, hour: number, minute = 0, ms = 0) => Date.UTC(2026, 5, day, hour, minute, 0, ms); // June: 1st a Monday
const allowed = (moment: number, windows: DndWindow | DndWindow[]) => firstAllowedMoment(moment, windows, 'UTC');

test('overnight: covered from its start minute to just before its end minute', () => {
  const night = { start: '22:00', end: '08:00' };
  assert.equal(allowed(at(1, 21, 59, 59_999), night), at(1, 21, 59, 59_999));
  assert.equal(allowed(at(1, 22), night), at(2, 8));
  assert.equal(allowed(at(2, 7, 59), night), at(2, 8));
  assert.equal(allowed(at(2, 8), night), at(2, 8), 'the end minute is free');
});

test('within a day: the same edges; an empty window covers nothing', () => {
  const lunch = { start: '12:00', end: '13:00' };
  assert.equal(allowed(at(1, 11, 59), lunch), at(1, 11, 59));
  assert.equal(allowed(at(1, 12), lunch), at(1, 13));
  assert.equal(allowed(at(1, 12, 59), lunch), at(1, 13));
  assert.equal(allowed(at(1, 13), lunch), at(1, 13));
  assert.equal(allowed(at(1, 10), { start: '10:00', end: '10:00' }), at(1, 10));
});

test('back to back windows are left one after the other; overlapping ones at the latest end', () => {
  assert.equal(allowed(at(1, 9, 30), [{ start: '09:00', end: '10:00' }, { start: '10:00', end: '11:00' }]), at(1, 11));
  assert.equal(allowed(at(1, 9, 30), [{ start: '11:00', end: '12:00' }, { start: '09:00', end: '10:00' }, { start: '10:00', end: '11:00' }]), at(1, 12));
  assert.equal(allowed(at(1, 10, 15), [{ start: '09:00', end: '11:00' }, { start: '10:00', end: '10:30' }]), at(1, 11));
  assert.equal(allowed(at(1, 10, 15), [{ start: '10:00', end: '10:30' }, { start: '09:00', end: '11:00' }]), at(1, 11), 'whatever the order');
});

test("a window's days are the days it starts on; none or an empty list is every day", () => {
  const fridayNight = { start: '22:00', end: '08:00', days: ['fri' as const] };
  assert.equal(allowed(at(5, 23), fridayNight), at(6, 8), 'Friday night');
  assert.equal(allowed(at(6, 7), fridayNight), at(6, 8), 'Saturday morning is still Friday\'s window');
  assert.equal(allowed(at(6, 23), fridayNight), at(6, 23), 'Saturday night is not');
  assert.equal(allowed(at(4, 23), fridayNight), at(4, 23), 'nor Thursday night');
  assert.equal(allowed(at(5, 7), fridayNight), at(5, 7), 'nor Friday morning (Thursday\'s night)');
  const mondayLunch = { start: '12:00', end: '13:00', days: ['mon' as const] };
  assert.equal(allowed(at(1, 12, 30), mondayLunch), at(1, 13));
  assert.equal(allowed(at(2, 12, 30), mondayLunch), at(2, 12, 30));
  assert.equal(allowed(at(2, 12, 30), { start: '12:00', end: '13:00', days: [] }), at(2, 13));
});

test('windows that cover the whole week end after 16 hops, never loop', () => {
  // 00:00-12:00 and 12:00-00:00: from Monday 06:00 the first hop reaches Monday 12:00, each later one 12 h on.
  const always = [{ start: '00:00', end: '12:00' }, { start: '12:00', end: '00:00' }];
  assert.equal(allowed(at(1, 6), always), at(1, 12) + 15 * 12 * 3_600_000);
  assert.equal(allowed(at(1, 6), always), at(9, 0));
});

test('of the windows covering a moment, the latest end is taken in one hop: a chain of overlaps ends within the 16 hops', () => {
  // Each hour from 00:00 to 09:00 has a 40-minute window (listed first) and an hour-long one. Taking the latest
  // end moves an hour a hop and leaves the chain at 10:00 in 10 hops; taking the first listed would stop at
  // each hour's 40th minute too, 20 hops, and give up after 16 still inside a window.
  const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  const short = Array.from({ length: 10 }, (_, k) => ({ start: hhmm(60 * k), end: hhmm(60 * k + 40) }));
  const long = Array.from({ length: 10 }, (_, k) => ({ start: hhmm(60 * k), end: hhmm(60 * k + 60) }));
  assert.equal(allowed(at(1, 0, 10), [...short, ...long]), at(1, 10));
});
