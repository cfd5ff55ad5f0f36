import { DateTime } from 'luxon';

/** "Do not disturb" hours as local wall-clock times; a window may cross midnight (22:00-09:00). */
export interface DndWindow {
  start: string; // "HH:MM"
  end: string; // "HH:MM"
}

export const CLOCK_TIME_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$';

function minutesOf(clockTime: string): number {
  const [h, m] = clockTime.split(':').map(Number);
  return h! * 60 + m!;
}

export function isValidTimeZone(zone: string): boolean {
  return DateTime.now().setZone(zone).isValid;
}

/**
 * When the message may be sent: `at` itself when it is outside the window, otherwise the first moment the
 * window ends in the given zone. A local end time that does not exist (skipped by daylight saving) moves
 * forward to the first valid instant, which is what a person reading the clock would expect.
 */
export function firstAllowedMoment(at: number, window: DndWindow, zone: string): number {
  const local = DateTime.fromMillis(at, { zone });
  const minute = local.hour * 60 + local.minute;
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  if (start === end) return at;
  const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!inside) return at;
  const endToday = local.set({ hour: Math.floor(end / 60), minute: end % 60, second: 0, millisecond: 0 });
  const endsLater = minute < end ? endToday : endToday.plus({ days: 1 });
  return endsLater.toMillis();
}
