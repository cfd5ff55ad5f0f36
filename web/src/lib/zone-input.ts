/**
 * Date-times in a journey's zone, for the `datetime-local` inputs of the entry timeline and scheduled dates
 * (lib/zoned-time.ts shows times; this reads and writes them).
 * A definition holds ISO 8601 with an offset ("2026-12-01T09:00:00+01:00"); the form shows and takes the wall
 * clock of the journey's zone, whatever the browser's own zone is. Built on Intl alone (no date library).
 */

const formats = new Map<string, Intl.DateTimeFormat>();

/** The wall clock of `zone` at `ms`, as [year, month, day, hour, minute, second]. */
function wallClock(ms: number, zone: string): number[] {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formats.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(ms).map((p) => [p.type, p.value]));
  return ['year', 'month', 'day', 'hour', 'minute', 'second'].map((k) => Number(parts[k]));
}

/** How far `zone`'s clock is ahead of UTC at `ms`, in minutes. */
export function offsetMinutes(ms: number, zone: string): number {
  const [y, mo, d, h, mi, s] = wallClock(ms, zone) as [number, number, number, number, number, number];
  const floored = Math.floor(ms / 1000) * 1000;
  return Math.round((Date.UTC(y, mo - 1, d, h, mi, s) - floored) / 60_000);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** "2026-12-01T09:00:00Z" in Europe/Lisbon → "2026-12-01T09:00" (what a datetime-local input holds); "" when not a date-time. */
export function toLocalInput(iso: string | undefined, zone: string): string {
  if (!iso) return '';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const [y, mo, d, h, mi] = wallClock(ms, zone) as [number, number, number, number, number];
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}`;
}

/**
 * "2026-12-01T09:00" on `zone`'s clock → "2026-12-01T09:00:00Z" (UTC) or "...+01:00"; null when the input is
 * not a date-time. A wall-clock time that a daylight-saving change skips moves forward by the gap, like the
 * engine's local times; one that happens twice is the first.
 */
export function fromLocalInput(local: string, zone: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!match) return null;
  const [y, mo, d, h, mi, s] = match.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  if (Number.isNaN(wall) || new Date(wall).getUTCDate() !== d) return null;
  // The zone's offsets a day before and after: the moment has one of them (no zone changes twice a day).
  // The earlier offset first, so a repeated time is the first; in a gap neither fits, and the earlier one
  // moves the time forward by the gap.
  const earlier = offsetMinutes(wall - 86_400_000, zone);
  const later = offsetMinutes(wall + 86_400_000, zone);
  let ms = wall - earlier * 60_000;
  for (const offset of [earlier, later]) {
    const candidate = wall - offset * 60_000;
    if (offsetMinutes(candidate, zone) === offset) {
      ms = candidate;
      break;
    }
  }
  const offset = offsetMinutes(ms, zone);
  const shown = new Date(ms + offset * 60_000);
  const stamp = `${pad(shown.getUTCFullYear(), 4)}-${pad(shown.getUTCMonth() + 1)}-${pad(shown.getUTCDate())}T${pad(shown.getUTCHours())}:${pad(shown.getUTCMinutes())}:${pad(shown.getUTCSeconds())}`;
  if (offset === 0) return `${stamp}Z`;
  const sign = offset > 0 ? '+' : '-';
  return `${stamp}${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}
