/**
 * Times in the project's time zone (GET /v1/settings; the server falls back to UTC), written the same way on
 * every page: "3 Dec 2026, 18:16:46". The API speaks epoch ms and ISO strings in UTC; people read local time.
 */

/** The server's fallback when the project names no zone, or one it cannot read. */
export const DEFAULT_ZONE = 'UTC';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(zone: string): Intl.DateTimeFormat | null {
  let formatter = formatters.get(zone);
  if (formatter) return formatter;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
  } catch {
    return null; // not a zone this browser knows
  }
  formatters.set(zone, formatter);
  return formatter;
}

export function isKnownZone(zone: string): boolean {
  return formatterOf(zone) !== null;
}

/** The zone times are shown in: the project's when this browser knows it, else UTC (as the server does). */
export function zoneOrDefault(zone: string | null | undefined): string {
  return zone && isKnownZone(zone) ? zone : DEFAULT_ZONE;
}

/** "3 Dec 2026, 18:16:46" in `zone`; "—" for no time; the input as given when it is not a time. */
export function formatInZone(at: number | string | null | undefined, zone: string): string {
  if (at === null || at === undefined) return '—';
  const ms = typeof at === 'number' ? at : Date.parse(at);
  const formatter = formatterOf(zone) ?? formatterOf(DEFAULT_ZONE)!;
  if (!Number.isFinite(ms)) return String(at);
  const part = Object.fromEntries(formatter.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return `${part.day} ${part.month} ${part.year}, ${part.hour}:${part.minute}:${part.second}`;
}

/** ISO times in UTC as the API writes them inside sentences ("due at 2026-12-03T20:00:00.000Z: ..."). */
const ISO_TIME = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z\b/g;

/** The sentence with every ISO time in it rewritten in `zone`. */
export function localizeTimes(text: string, zone: string): string {
  return text.replace(ISO_TIME, (iso) => formatInZone(iso, zone));
}

/**
 * The zones offered for the project: UTC first, then every zone this browser knows, plus `current` when the
 * browser's list lacks it (lists differ between engines, and an older name may be stored), so it stays chosen.
 */
export function zoneChoices(current?: string | null): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const zones = [DEFAULT_ZONE, ...known.filter((z) => z !== DEFAULT_ZONE)];
  if (current && !zones.includes(current)) zones.splice(1, 0, current);
  return zones;
}
