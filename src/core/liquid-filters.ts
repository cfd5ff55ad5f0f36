/**
 * Waymark's own Liquid filters, for what marketers write in nearly every message and Liquid's standard filters
 * get wrong for them: money in the shopper's currency and dates in the user's time zone.
 *
 *   {{ Event.price | money: Event.currency }}              -> $1,234.50   ("USD" unless a currency is given)
 *   {{ Event.price | money: "EUR", "de-DE" }}              -> 1.234,50 €  (locale: argument, Profile.locale, en-US)
 *   {{ Event.expiresAt | local_date: "ccc d LLL, HH:mm" }} -> Tue 8 Dec, 18:30 in Profile.timezone
 *   {{ Event.expiresAt | local_date: "HH:mm", "Asia/Tokyo" }}
 *
 * Both are pure and total: a value they cannot read comes back as it was given (a blank stays blank), so a
 * bad price never fails a message; an unknown currency, locale or zone falls back as documented in
 * docs/journeys.md. Dates take ISO 8601 strings or epoch milliseconds (numbers below 1e11 are read as
 * seconds, as CleverTap and many SDKs send them); format tokens are Luxon's (toFormat).
 */
import { DateTime } from 'luxon';
import { isValidTimeZone } from './local-time.ts';

/** What liquidjs gives a filter as `this`: the render's context, where Profile is. */
interface FilterImpl {
  context: { getSync(paths: PropertyKey[]): unknown };
}

const DEFAULT_CURRENCY = 'USD';
const DEFAULT_LOCALE = 'en-US';
const DEFAULT_DATE_FORMAT = 'd LLL yyyy, HH:mm';
/** A longer format is surely a mistake; Luxon's cost grows with it. */
const MAX_FORMAT_LENGTH = 100;
/** Epoch numbers below this are seconds (1e11 s is the year 5138; 1e11 ms is March 1973). */
const SECONDS_BELOW = 1e11;

/** The number in `value` (a number, or a numeric string such as "19.90"), or null. */
function numberOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function profileTrait(filter: FilterImpl, name: string): unknown {
  try {
    return filter.context.getSync(['Profile', name]);
  } catch {
    return undefined;
  }
}

function localeOf(filter: FilterImpl, given: unknown): string {
  for (const candidate of [given, profileTrait(filter, 'locale')]) {
    if (typeof candidate !== 'string' || candidate === '') continue;
    try {
      if (Intl.NumberFormat.supportedLocalesOf([candidate]).length > 0) return candidate;
    } catch {
      // a malformed tag (RangeError): try the next
    }
  }
  return DEFAULT_LOCALE;
}

/** `amount | money: currency, locale`: the amount formatted as that currency in that locale. */
export function money(this: FilterImpl, value: unknown, currency?: unknown, locale?: unknown): unknown {
  const amount = numberOf(value);
  if (amount === null) return value;
  const code = typeof currency === 'string' && /^[A-Za-z]{3}$/.test(currency) ? currency.toUpperCase() : DEFAULT_CURRENCY;
  try {
    return new Intl.NumberFormat(localeOf(this, locale), { style: 'currency', currency: code }).format(amount);
  } catch {
    return amount.toFixed(2);
  }
}

function dateTimeOf(value: unknown): DateTime | null {
  const n = numberOf(value);
  if (n !== null && (typeof value === 'number' || /^\s*-?\d+(\.\d+)?\s*$/.test(String(value)))) {
    const at = DateTime.fromMillis(Math.abs(n) < SECONDS_BELOW ? n * 1000 : n, { zone: 'UTC' });
    return at.isValid ? at : null;
  }
  if (typeof value === 'string') {
    const at = DateTime.fromISO(value, { zone: 'UTC', setZone: true });
    return at.isValid ? at : null;
  }
  return null;
}

/** `date | local_date: format, zone`: the moment shown in the zone (argument, Profile.timezone, else UTC). */
export function localDate(this: FilterImpl, value: unknown, format?: unknown, zone?: unknown): unknown {
  const at = dateTimeOf(value);
  if (!at) return value;
  const candidates = [zone, profileTrait(this, 'timezone')];
  const tz = candidates.find((z): z is string => typeof z === 'string' && isValidTimeZone(z)) ?? 'UTC';
  const pattern = typeof format === 'string' && format !== '' && format.length <= MAX_FORMAT_LENGTH ? format : DEFAULT_DATE_FORMAT;
  return at.setZone(tz).setLocale(localeOf(this, undefined)).toFormat(pattern);
}

/** Registered on the one Liquid configuration (templates.ts). */
export const WAYMARK_FILTERS = { money, local_date: localDate } as const;
