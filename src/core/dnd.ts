/**
 * "Do not disturb" hours as local wall-clock windows. A window belongs to the day it starts on and may cross
 * midnight: Friday's 22:00-09:00 runs from Friday 22:00 to Saturday 09:00.
 */
import { DateTime } from 'luxon';
import { clockTimeOn, minutesOf, weekdayOf, type Weekday } from './local-time.ts';

export { CLOCK_TIME_PATTERN, isValidTimeZone } from './local-time.ts';

export interface DndWindow {
  start: string; // "HH:MM"
  end: string; // "HH:MM"
  /** The days the window starts on; every day when absent. */
  days?: readonly Weekday[];
}

/** Enough passes to leave any chain of back-to-back windows: at most one per day of a week, and then some. */
const MAX_HOPS = 16;

/**
 * When a message may be sent: `at` itself when it is outside every window, otherwise the first moment no
 * window covers, in the given zone. A local end time that does not exist (skipped by daylight saving) ends
 * the window at the first valid instant, when the clocks jump (a 02:30 end on the night clocks go from 02:00
 * to 03:00 ends it at 03:00, already past 02:30); one that happens twice is its first occurrence still ahead.
 */
export function firstAllowedMoment(at: number, windows: DndWindow | readonly DndWindow[], zone: string): number {
  const list = (Array.isArray(windows) ? windows : [windows]) as readonly DndWindow[];
  let moment = at;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const end = coveringEnd(moment, list, zone);
    if (end === null) return moment;
    moment = end;
  }
  return moment; // windows covering the whole week: validation refuses them, never loop forever anyway
}

/**
 * The end of a window covering `at`, if any (the latest, when several do). Coverage is read off the wall
 * clock, so during the hour that happens twice both passes of 01:00 are inside a window ending at 01:30.
 */
function coveringEnd(at: number, windows: readonly DndWindow[], zone: string): number | null {
  const local = DateTime.fromMillis(at, { zone });
  const minute = local.hour * 60 + local.minute;
  const today = weekdayOf(local);
  const yesterday = weekdayOf(local.minus({ days: 1 }));
  const on = (w: DndWindow, day: Weekday) => w.days === undefined || w.days.length === 0 || w.days.includes(day);
  let end: number | null = null;
  const consider = (day: DateTime, clockTime: string) => {
    const on = clockTimeOn(day, clockTime);
    const ms = on.instants.find((t) => t > at) ?? on.gap?.endsAt;
    if (ms !== undefined && ms > at && (end === null || ms > end)) end = ms;
  };
  for (const w of windows) {
    const start = minutesOf(w.start);
    const stop = minutesOf(w.end);
    if (start === stop) continue; // an empty window
    if (start < stop) {
      if (on(w, today) && minute >= start && minute < stop) consider(local, w.end);
    } else {
      if (on(w, today) && minute >= start) consider(local.plus({ days: 1 }), w.end);
      if (on(w, yesterday) && minute < stop) consider(local, w.end);
    }
  }
  return end;
}
