/**
 * Wall-clock time at its edges (src/core/local-time.ts; docs/journeys.md, "delay" and "date" entries): which
 * zone a local time is read in, a clock time on a day (once, twice, or skipped), the next one with and without
 * days, offsets that are not whole days, epoch milliseconds read in the user's zone, and anniversaries at the
 * turn of a year. Every instant is worked out by hand from the zone's offset, written beside it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DateTime } from 'luxon';
import { atClockTime, clockTimeOn, dateMoment, nextAnniversary, nextClockTime, zoneFor } from '../../src/core/local-time.ts';

const HOUR = 3_600_000;
const NY = 'America/New_York';
const T = Date.UTC(2026, 5, 10, 12); // Wednesday 10 June 2026, 12:00 UTC = 14:00 in Paris (CEST, UTC+2)

test("zoneFor: the user's valid zone with 'user'; the journey's without traits, with a bad zone, or with 'journey'", () => {
  assert.equal(zoneFor({ timezone: 'Asia/Tokyo' }, 'user', 'Europe/Paris'), 'Asia/Tokyo');
  assert.equal(zoneFor(undefined, 'user', 'Europe/Paris'), 'Europe/Paris');
  assert.equal(zoneFor({ timezone: 'Not/AZone' }, 'user', 'Europe/Paris'), 'Europe/Paris');
  assert.equal(zoneFor({ timezone: 9 }, 'user', 'Europe/Paris'), 'Europe/Paris');
  assert.equal(zoneFor({ timezone: 'Asia/Tokyo' }, 'journey', 'Europe/Paris'), 'Europe/Paris');
});

test('atClockTime: the same local day at the time, still in its zone', () => {
  // T is 21:00 on 10 June in Tokyo (UTC+9): 10:00 that day is 01:00 UTC.
  const at = atClockTime(DateTime.fromMillis(T, { zone: 'Asia/Tokyo' }), '10:00');
  assert.equal(at.zoneName, 'Asia/Tokyo');
  assert.equal(at.hour, 10);
  assert.equal(at.toMillis(), Date.UTC(2026, 5, 10, 1));
});

test('clockTimeOn: once on an ordinary day, twice when clocks fall back through it, never when they jump over it', () => {
  const day = (y: number, m: number, d: number) => DateTime.fromObject({ year: y, month: m, day: d }, { zone: NY });
  // 10 June, EDT (UTC-4): 10:00 is 14:00 UTC, once.
  assert.deepEqual(clockTimeOn(day(2026, 6, 10), '10:00'), { instants: [Date.UTC(2026, 5, 10, 14)], gap: null });
  // 1 November: 01:30 EDT (05:30 UTC), then again 01:30 EST (06:30 UTC), earlier first.
  assert.deepEqual(clockTimeOn(day(2026, 11, 1), '01:30'), { instants: [Date.UTC(2026, 10, 1, 5, 30), Date.UTC(2026, 10, 1, 6, 30)], gap: null });
  // 8 March: 02:00 EST (07:00 UTC) jumps to 03:00 EDT. 02:30 read with the offset before (UTC-5) is 07:30 UTC
  // (03:30 EDT); the jump itself is at 07:00 UTC.
  assert.deepEqual(clockTimeOn(day(2026, 3, 8), '02:30'), { instants: [], gap: { shifted: Date.UTC(2026, 2, 8, 7, 30), endsAt: Date.UTC(2026, 2, 8, 7) } });
});

test('nextClockTime: an empty list of days is every day; a weekday already past this week is a week later', () => {
  // 14:00 in Paris: the next 10:00 is tomorrow's, 11 June 08:00 UTC.
  assert.equal(nextClockTime(T, '10:00', 'Europe/Paris', []), Date.UTC(2026, 5, 11, 8));
  // Wednesday 14:00, and only Wednesdays: this one's 10:00 has gone, so 17 June (seven days on).
  assert.equal(nextClockTime(T, '10:00', 'Europe/Paris', ['wed']), Date.UTC(2026, 5, 17, 8));
});

test('dateMoment: an offset that is not whole days is exact milliseconds, even across a clock change', () => {
  // 7 March 12:00 EST is 17:00 UTC. 36 h later is 9 March 05:00 UTC (01:00 EDT); New York sprang forward in between.
  assert.equal(dateMoment('2026-03-07T12:00:00', NY, { afterMs: 36 * HOUR }), Date.UTC(2026, 2, 9, 5));
  // Whole days move on the calendar: 2 days after is 9 March 12:00 EDT, 16:00 UTC.
  assert.equal(dateMoment('2026-03-07T12:00:00', NY, { afterMs: 48 * HOUR }), Date.UTC(2026, 2, 9, 16));
});

test("dateMoment: epoch milliseconds are a moment read on the user's calendar", () => {
  // 1 December 20:00 UTC is 2 December 05:00 in Tokyo: 10:00 that day is 2 December 01:00 UTC.
  assert.equal(dateMoment(Date.UTC(2026, 11, 1, 20), 'Asia/Tokyo', { time: '10:00' }), Date.UTC(2026, 11, 2, 1));
});

test('nextAnniversary: nothing for a missing or unreadable date', () => {
  for (const junk of [undefined, null, '', 'soon', {}]) assert.equal(nextAnniversary(junk, 'UTC', T), null, JSON.stringify(junk));
});

test("nextAnniversary: midnight in the user's zone; the moment itself is still this year's", () => {
  // 4 July 00:00 in Tokyo (UTC+9) is 3 July 15:00 UTC.
  assert.equal(nextAnniversary('1990-07-04', 'Asia/Tokyo', Date.UTC(2026, 5, 1)), Date.UTC(2026, 6, 3, 15));
  assert.equal(nextAnniversary('1990-07-04', 'UTC', Date.UTC(2026, 6, 4, 10), '10:00'), Date.UTC(2026, 6, 4, 10));
  assert.equal(nextAnniversary('1990-07-04', 'UTC', Date.UTC(2026, 6, 4, 10, 0, 0, 1), '10:00'), Date.UTC(2027, 6, 4, 10));
});

test("nextAnniversary: the year is the user's, not UTC's, at the turn of the year", () => {
  // 1 January 2027 02:00 UTC is still 31 December 2026, 21:00, in New York (EST, UTC-5): this year's
  // 31 December 23:00 is two hours ahead, 1 January 2027 04:00 UTC.
  assert.equal(nextAnniversary('1990-12-31', NY, Date.UTC(2027, 0, 1, 2), '23:00'), Date.UTC(2027, 0, 1, 4));
});
