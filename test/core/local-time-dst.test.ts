/**
 * Local times on the nights daylight saving changes, resolved the same whatever moment they are reckoned from.
 * New York (EDT = UTC-4, EST = UTC-5) springs forward on 2026-03-08 (02:00 EST -> 03:00 EDT, at 07:00 UTC)
 * and falls back on 2026-11-01 (02:00 EDT -> 01:00 EST, at 06:00 UTC): 01:30 is then both 05:30 and 06:30 UTC.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstAllowedMoment } from '../../src/core/dnd.ts';
import { dateMoment, nextClockTime } from '../../src/core/local-time.ts';
import { latestRun, nextRun } from '../../src/core/schedule.ts';

const NY = 'America/New_York';
const FIRST_0130 = Date.UTC(2026, 10, 1, 5, 30); // 01:30 EDT
const SECOND_0130 = Date.UTC(2026, 10, 1, 6, 30); // 01:30 EST

test('next 01:30 on the fall-back night: the first, from the evening before as from midnight', () => {
  assert.equal(nextClockTime(Date.UTC(2026, 10, 1, 0, 0), '01:30', NY), FIRST_0130); // from Saturday 20:00 EDT
  assert.equal(nextClockTime(Date.UTC(2026, 9, 31, 14, 0), '01:30', NY), FIRST_0130); // from Saturday 10:00 EDT
  assert.equal(nextClockTime(Date.UTC(2026, 10, 1, 4, 0), '01:30', NY), FIRST_0130); // from midnight EDT
  assert.equal(nextClockTime(Date.UTC(2026, 10, 1, 0, 0), '01:30', NY, ['sun']), FIRST_0130); // 1 November is a Sunday
});

test('next 01:30 from inside the repeated hour: the clock shows 01:30 again, once', () => {
  assert.equal(nextClockTime(Date.UTC(2026, 10, 1, 5, 45), '01:30', NY), SECOND_0130); // from 01:45 EDT
  assert.equal(nextClockTime(Date.UTC(2026, 10, 1, 6, 10), '01:30', NY), SECOND_0130); // from 01:10 EST
  assert.equal(nextClockTime(Date.UTC(2026, 10, 1, 6, 31), '01:30', NY), Date.UTC(2026, 10, 2, 6, 30)); // from 01:31 EST: Monday's
});

test('a date property at 01:30 on the fall-back day is the first 01:30, from an evening date-time too', () => {
  assert.equal(dateMoment('2026-11-01', NY, { time: '01:30' }), FIRST_0130);
  assert.equal(dateMoment('2026-11-01T20:00:00', NY, { time: '01:30' }), FIRST_0130);
  assert.equal(dateMoment('2026-11-02T20:00:00', NY, { beforeMs: 86_400_000, time: '01:30' }), FIRST_0130);
});

test('a daily 01:30 schedule runs once on the fall-back night, at the first 01:30', () => {
  const daily = { type: 'recurring' as const, time: '01:30' };
  assert.equal(nextRun(daily, NY, Date.UTC(2026, 10, 1, 0, 0)), FIRST_0130);
  assert.equal(latestRun(daily, NY, Date.UTC(2026, 10, 1, 7, 0)), FIRST_0130);
  assert.equal(nextRun(daily, NY, FIRST_0130), Date.UTC(2026, 10, 2, 6, 30));
});

test('DND ending in the spring-forward gap ends when the clocks jump: 03:00 EDT, 07:00 UTC', () => {
  const window = { start: '22:00', end: '02:30' };
  assert.equal(firstAllowedMoment(Date.UTC(2026, 2, 8, 4, 0), window, NY), Date.UTC(2026, 2, 8, 7, 0)); // from 23:00 EST
  assert.equal(firstAllowedMoment(Date.UTC(2026, 2, 8, 6, 59, 59, 999), window, NY), Date.UTC(2026, 2, 8, 7, 0)); // from 01:59:59.999 EST
  assert.equal(firstAllowedMoment(Date.UTC(2026, 2, 8, 7, 0), window, NY), Date.UTC(2026, 2, 8, 7, 0)); // 03:00 EDT is outside
  // An end at 02:00, the instant of the jump itself, is the same instant.
  assert.equal(firstAllowedMoment(Date.UTC(2026, 2, 8, 6, 45), { start: '22:00', end: '02:00' }, NY), Date.UTC(2026, 2, 8, 7, 0));
  // The night after is an ordinary night: 02:30 EDT is 06:30 UTC.
  assert.equal(firstAllowedMoment(Date.UTC(2026, 2, 9, 5, 0), window, NY), Date.UTC(2026, 2, 9, 6, 30));
});

test('DND ending at 01:30 on the fall-back night: the first 01:30, or the second from inside the repeated hour', () => {
  const window = { start: '22:00', end: '01:30' };
  assert.equal(firstAllowedMoment(Date.UTC(2026, 10, 1, 3, 0), window, NY), FIRST_0130); // from 23:00 EDT Saturday
  assert.equal(firstAllowedMoment(FIRST_0130, window, NY), FIRST_0130); // the window has ended: sent at once
  assert.equal(firstAllowedMoment(Date.UTC(2026, 10, 1, 6, 15), window, NY), SECOND_0130); // 01:15 EST: inside again
});
