/** Scheduled entries: which run is due and which comes next, in the journey's zone. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { latestRun, nextRun } from '../../src/core/schedule.ts';

test('dates: the latest at or before now, the next strictly after', () => {
  const schedule = { type: 'dates' as const, at: ['2026-12-01T09:00:00Z', '2026-12-24T09:00:00Z'] };
  assert.equal(latestRun(schedule, 'UTC', Date.UTC(2026, 10, 30)), null);
  assert.equal(nextRun(schedule, 'UTC', Date.UTC(2026, 10, 30)), Date.UTC(2026, 11, 1, 9));
  assert.equal(latestRun(schedule, 'UTC', Date.UTC(2026, 11, 1, 9)), Date.UTC(2026, 11, 1, 9));
  assert.equal(nextRun(schedule, 'UTC', Date.UTC(2026, 11, 1, 9)), Date.UTC(2026, 11, 24, 9));
  assert.equal(nextRun(schedule, 'UTC', Date.UTC(2026, 11, 25)), null);
  assert.equal(latestRun(schedule, 'UTC', Date.UTC(2027, 0, 1)), Date.UTC(2026, 11, 24, 9));
});

test('recurring: every day at 09:00 in the journey zone, across a daylight-saving change', () => {
  const daily = { type: 'recurring' as const, time: '09:00' };
  const paris = 'Europe/Paris';
  assert.equal(latestRun(daily, paris, Date.UTC(2026, 5, 10, 6, 59)), Date.UTC(2026, 5, 9, 7, 0));
  assert.equal(latestRun(daily, paris, Date.UTC(2026, 5, 10, 7, 0)), Date.UTC(2026, 5, 10, 7, 0));
  assert.equal(nextRun(daily, paris, Date.UTC(2026, 5, 10, 7, 0)), Date.UTC(2026, 5, 11, 7, 0));
  // Paris moves to winter time on 2026-10-25: 09:00 is 07:00 UTC before and 08:00 UTC after.
  assert.equal(nextRun(daily, paris, Date.UTC(2026, 9, 24, 8)), Date.UTC(2026, 9, 25, 8, 0));
});

test('recurring on weekdays only: Friday evening to Monday morning', () => {
  const weekdays = { type: 'recurring' as const, time: '09:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const };
  const schedule = { ...weekdays, days: [...weekdays.days] };
  const saturday = Date.UTC(2026, 5, 13, 12);
  assert.equal(latestRun(schedule, 'UTC', saturday), Date.UTC(2026, 5, 12, 9));
  assert.equal(nextRun(schedule, 'UTC', saturday), Date.UTC(2026, 5, 15, 9));
});

test('recurring on one weekday: the latest run may be a full week back', () => {
  // Wednesday 10 June 2026, 08:00 UTC: this Wednesday's 09:00 has not come, so the latest is 3 June's.
  const wednesdays = { type: 'recurring' as const, time: '09:00', days: ['wed' as const] };
  assert.equal(latestRun(wednesdays, 'UTC', Date.UTC(2026, 5, 10, 8)), Date.UTC(2026, 5, 3, 9));
  assert.equal(nextRun(wednesdays, 'UTC', Date.UTC(2026, 5, 10, 9)), Date.UTC(2026, 5, 17, 9), 'strictly after: next week\'s');
});

test('recurring with an empty list of days runs every day', () => {
  const everyDay = { type: 'recurring' as const, time: '09:00', days: [] };
  assert.equal(latestRun(everyDay, 'UTC', Date.UTC(2026, 5, 13, 12)), Date.UTC(2026, 5, 13, 9)); // a Saturday
  assert.equal(nextRun(everyDay, 'UTC', Date.UTC(2026, 5, 13, 12)), Date.UTC(2026, 5, 14, 9));
});
