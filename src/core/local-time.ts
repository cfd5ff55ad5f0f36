/**
 * Wall-clock time in a user's zone: the next 10:00 local, a date property as a moment. Pure functions over
 * epoch milliseconds; luxon does the calendar, and clockTimeOn resolves times that daylight saving skips or repeats.
 *
 * Daylight saving: a local time that does not exist that day (02:30 when clocks jump from 02:00 to 03:00)
 * moves forward by the gap (03:30); a local time that happens twice (01:30 when clocks fall back) is its
 * first occurrence, whatever the time of day it is reckoned from (a "next 01:30" waits for the second only
 * from inside the repeated hour, once the first has gone). Both are what a person reading the clock would expect.
 */
import { DateTime } from 'luxon';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const CLOCK_TIME_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$';

export function minutesOf(clockTime: string): number {
  const [h, m] = clockTime.split(':').map(Number);
  return h! * 60 + m!;
}

const zoneValidity = new Map<string, boolean>();

/** Memoized: it is asked once per user on hot paths, and there are only so many zone names. */
export function isValidTimeZone(zone: string): boolean {
  let valid = zoneValidity.get(zone);
  if (valid === undefined) {
    valid = DateTime.now().setZone(zone).isValid;
    if (zoneValidity.size > 10_000) zoneValidity.clear(); // junk names cannot grow it without bound
    zoneValidity.set(zone, valid);
  }
  return valid;
}

/**
 * The zone a local time is read in: with 'user', the profile's `timezone` trait when it is a valid IANA name;
 * otherwise (and with 'journey') the journey's own.
 */
export function zoneFor(traits: Record<string, unknown> | undefined, choice: 'user' | 'journey', journeyZone: string): string {
  const zone = traits?.timezone;
  return choice === 'user' && typeof zone === 'string' && isValidTimeZone(zone) ? zone : journeyZone;
}

/** luxon numbers weekdays 1 (Monday) to 7 (Sunday). */
export function weekdayOf(local: DateTime): Weekday {
  return WEEKDAYS[local.weekday - 1]!;
}

/** The local day of `local` at `clockTime`, resolved through daylight-saving gaps and overlaps as above. */
export function atClockTime(local: DateTime, clockTime: string): DateTime {
  const on = clockTimeOn(local, clockTime);
  return DateTime.fromMillis(on.instants[0] ?? on.gap!.shifted, { zone: local.zone });
}

export interface ClockTimeOnDay {
  /** When the clock shows the time that day: once, twice when clocks fall back through it (earlier first), or never. */
  instants: number[];
  /**
   * When the clocks jump over it: `shifted` is the time moved forward by the gap (02:30 -> 03:30), `endsAt` the
   * instant the clocks jump, the first at which they show a later time than it (03:00).
   */
  gap: { shifted: number; endsAt: number } | null;
}

const DAY_MS = 86_400_000;

/**
 * Every instant of `local`'s calendar day at which the clock in its zone shows `clockTime`. Worked out from the
 * zone's offsets a day either side rather than left to luxon, whose pick between the two passes of a repeated
 * time depends on the offset of the DateTime it starts from (so the evening before and midnight disagreed).
 */
export function clockTimeOn(local: DateTime, clockTime: string): ClockTimeOnDay {
  const minutes = minutesOf(clockTime);
  const wall = Date.UTC(local.year, local.month - 1, local.day, Math.floor(minutes / 60), minutes % 60);
  const zone = local.zone;
  const before = zone.offset(wall - DAY_MS);
  const after = zone.offset(wall + DAY_MS);
  const instants = [...new Set([before, after])]
    .map((offset) => ({ offset, at: wall - offset * 60_000 }))
    .filter(({ offset, at }) => zone.offset(at) === offset)
    .map(({ at }) => at)
    .sort((a, b) => a - b);
  if (instants.length > 0) return { instants, gap: null };
  // Skipped: the clocks jump from `before` to `after` somewhere between these two readings of the wall time.
  let lo = wall - after * 60_000;
  let hi = wall - before * 60_000;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (zone.offset(mid) === before) lo = mid;
    else hi = mid;
  }
  return { instants, gap: { shifted: wall - before * 60_000, endsAt: hi } };
}

/**
 * The first moment at or after `from` when the local clock in `zone` shows `clockTime`, on one of `days`
 * (every day when absent or empty).
 */
export function nextClockTime(from: number, clockTime: string, zone: string, days?: readonly Weekday[]): number {
  const start = DateTime.fromMillis(from, { zone });
  for (let offset = 0; offset <= 7; offset++) {
    const day = start.plus({ days: offset });
    if (days && days.length > 0 && !days.includes(weekdayOf(day))) continue;
    const on = clockTimeOn(day, clockTime);
    // Of a time that happens twice, the first still ahead: the evening before, the first; during the repeated hour, the second.
    const at = on.instants.find((t) => t >= from) ?? on.gap?.shifted;
    if (at !== undefined && at >= from) return at;
  }
  throw new Error('unreachable: some day of the next eight matches'); // validation forbids an empty day list
}

export interface DateOffset {
  /** Whole calendar days (or a duration in ms for sub-day offsets) before or after the date. */
  before?: number;
  after?: number;
  /** Local time of day on the resulting date. */
  time?: string;
}

/**
 * A profile's date property as a moment in `zone`: "2026-12-01" (a calendar date, midnight local),
 * "2026-12-01T15:30:00Z" (an instant) or epoch milliseconds. Offsets of whole days move by calendar days
 * in the zone (so "1d before" keeps the local time across a clock change); `time` then sets the time of day.
 * Null when the value is missing or not a date, or the moment falls outside what Date can hold.
 */
export function dateMoment(value: unknown, zone: string, offset: { beforeMs?: number; afterMs?: number; time?: string }): number | null {
  const base = parseDate(value, zone);
  if (base === null) return null;
  let moment: DateTime = base;
  const shift = (offset.afterMs ?? 0) - (offset.beforeMs ?? 0);
  if (shift % 86_400_000 === 0) moment = moment.plus({ days: shift / 86_400_000 });
  else moment = moment.plus({ milliseconds: shift });
  if (offset.time !== undefined) moment = atClockTime(moment, offset.time);
  // A shift past the end of the Date range gives an invalid moment: no date, like a missing one.
  return moment.isValid ? moment.toMillis() : null;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

function parseDate(value: unknown, zone: string): DateTime | null {
  if (typeof value === 'number' && Number.isFinite(value)) return DateTime.fromMillis(value, { zone });
  if (typeof value !== 'string' || value.length === 0) return null;
  // A bare date is a calendar day in the user's zone; a date-time without an offset is read in that zone too.
  const parsed: DateTime = DateTime.fromISO(value, { zone });
  if (!parsed.isValid) return null;
  return DATE_ONLY.test(value) ? parsed : parsed.setZone(zone);
}

/** The same month and day as `value` in the year of `from`, or the next year if that has passed: a birthday. */
export function nextAnniversary(value: unknown, zone: string, from: number, time?: string): number | null {
  const date = parseDate(value, zone);
  if (date === null) return null;
  const now = DateTime.fromMillis(from, { zone });
  for (const year of [now.year, now.year + 1]) {
    // 29 February in a common year is celebrated on 28 February.
    const day = Math.min(date.day, DateTime.fromObject({ year, month: date.month }, { zone }).daysInMonth!);
    const day0 = DateTime.fromObject({ year, month: date.month, day }, { zone });
    const moment = time === undefined ? day0.toMillis() : atClockTime(day0, time).toMillis();
    if (moment >= from) return moment;
  }
  return null;
}
