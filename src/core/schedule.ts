/**
 * When a scheduled entry runs: on chosen dates, or every day (or chosen weekdays) at a local time in the
 * journey's zone. Pure: given `now`, the latest run that is due and the next one to come.
 */
import { DateTime } from 'luxon';
import { atClockTime, weekdayOf, type Weekday } from './local-time.ts';

export type Schedule = { type: 'dates'; at: readonly string[] } | { type: 'recurring'; time: string; days?: readonly Weekday[] };

/** The latest scheduled moment at or before `now`, or null if none has come yet. */
export function latestRun(schedule: Schedule, zone: string, now: number): number | null {
  if (schedule.type === 'dates') {
    const past = schedule.at.map((a) => Date.parse(a)).filter((t) => t <= now);
    return past.length === 0 ? null : Math.max(...past);
  }
  const today = DateTime.fromMillis(now, { zone });
  for (let back = 0; back <= 7; back++) {
    const day = today.minus({ days: back });
    if (!onDay(schedule.days, day)) continue;
    const at = atClockTime(day, schedule.time).toMillis();
    if (at <= now) return at;
  }
  return null;
}

/** The first scheduled moment strictly after `now`, or null if the schedule has no more. */
export function nextRun(schedule: Schedule, zone: string, now: number): number | null {
  if (schedule.type === 'dates') {
    const future = schedule.at.map((a) => Date.parse(a)).filter((t) => t > now);
    return future.length === 0 ? null : Math.min(...future);
  }
  const today = DateTime.fromMillis(now, { zone });
  for (let ahead = 0; ahead <= 8; ahead++) {
    const day = today.plus({ days: ahead });
    if (!onDay(schedule.days, day)) continue;
    const at = atClockTime(day, schedule.time).toMillis();
    if (at > now) return at;
  }
  return null;
}

function onDay(days: readonly Weekday[] | undefined, day: DateTime): boolean {
  return days === undefined || days.length === 0 || days.includes(weekdayOf(day));
}
