/**
 * Waymark's Liquid filters called directly (src/core/liquid-filters.ts), with expected text worked out by hand:
 * `money` (currency and locale, the profile's locale, the fallbacks) and `local_date` (epoch seconds and
 * milliseconds on either side of 1e11, numeric strings, ISO strings with offsets, the zone argument and the
 * profile's, format length limits), and what each gives back untouched.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localDate, money } from '../../src/core/liquid-filters.ts';

/** A render context whose Profile has these traits; `broken` throws as a context reading a missing path can. */
const on = (profile: Record<string, unknown> = {}, broken = false) => ({
  context: {
    getSync: ([, name]: PropertyKey[]) => {
      if (broken) throw new Error('no such path');
      return profile[name as string];
    },
  },
});
const NBSP = '\u00a0';

test('money: the amount as the currency, in the locale; USD and en-US unless told', () => {
  assert.equal(money.call(on(), 1234.5), '$1,234.50');
  assert.equal(money.call(on(), '19.90'), '$19.90');
  assert.equal(money.call(on(), 1234.5, 'eur'), '€1,234.50', 'a currency in lower case');
  assert.equal(money.call(on(), 1234.5, 'EUR', 'de-DE'), `1.234,50${NBSP}€`);
  assert.equal(money.call(on({ locale: 'de-DE' }), 1234.5, 'EUR'), `1.234,50${NBSP}€`, "the profile's locale");
  assert.equal(money.call(on({ locale: 'de-DE' }), 1234.5, 'EUR', 'en-US'), '€1,234.50', 'the argument first');
});

test('money: fallbacks for a currency, a locale or a profile it cannot use', () => {
  assert.equal(money.call(on(), 1234.5, 'EURO'), '$1,234.50', 'four letters: not a currency code, USD');
  assert.equal(money.call(on(), 1234.5, 'XEUR'), '$1,234.50');
  assert.equal(money.call(on(), 1234.5, 'EU1'), '$1,234.50');
  assert.equal(money.call(on(), 1234.5, 5), '$1,234.50');
  assert.equal(money.call(on(), 1234.5, 'EUR', 'not a locale!!'), '€1,234.50', 'a malformed locale: en-US');
  assert.equal(money.call(on({ locale: '' }), 1234.5, 'EUR', ''), '€1,234.50');
  assert.equal(money.call(on({ locale: 'de-DE' }, true), 1234.5, 'EUR'), '€1,234.50', 'a context that cannot be read');
});

test('money: what is not an amount comes back as it was', () => {
  for (const value of ['', '   ', 'abc', '12abc', null, undefined, Number.NaN, Number.POSITIVE_INFINITY, { price: 1 }, [1]]) {
    assert.equal(money.call(on(), value), value, JSON.stringify(value));
  }
});

test('local_date: epoch seconds below 1e11, milliseconds from it; numbers or numeric strings', () => {
  assert.equal(localDate.call(on(), 0), '1 Jan 1970, 00:00');
  assert.equal(localDate.call(on(), 86_400), '2 Jan 1970, 00:00', 'seconds');
  assert.equal(localDate.call(on(), '86400'), '2 Jan 1970, 00:00');
  assert.equal(localDate.call(on(), ' 86400 '), '2 Jan 1970, 00:00');
  assert.equal(localDate.call(on(), '-86400'), '31 Dec 1969, 00:00');
  assert.equal(localDate.call(on(), '86400.5'), '2 Jan 1970, 00:00');
  assert.equal(localDate.call(on(), 1e11), '3 Mar 1973, 09:46', '1e11 itself is milliseconds');
  assert.equal(localDate.call(on(), 1e11 - 1, 'yyyy'), '5138', 'just below: seconds');
});

test('local_date: ISO strings keep their instant; shown in the zone given, else the profile\'s, else UTC', () => {
  const at = '2026-12-08T17:30:00Z'; // a Tuesday
  assert.equal(localDate.call(on(), at), '8 Dec 2026, 17:30');
  assert.equal(localDate.call(on(), at, 'ccc d LLL, HH:mm', 'Asia/Tokyo'), 'Wed 9 Dec, 02:30');
  assert.equal(localDate.call(on({ timezone: 'Asia/Kolkata' }), at), '8 Dec 2026, 23:00');
  assert.equal(localDate.call(on({ timezone: 'Asia/Kolkata' }), at, 'HH:mm', 'Europe/London'), '17:30', 'the argument first');
  assert.equal(localDate.call(on({ timezone: 'Asia/Kolkata' }), at, 'HH:mm', 'Mars/Base'), '23:00', 'an unknown zone: the profile\'s');
  assert.equal(localDate.call(on({ timezone: 'Mars/Base' }), at, 'HH:mm'), '17:30', 'then UTC');
  assert.equal(localDate.call(on(), '2026-12-08T17:30:00+02:00'), '8 Dec 2026, 15:30');
});

test('local_date: the format given, unless empty or longer than 100 characters', () => {
  const at = '2026-12-08T17:30:00Z';
  assert.equal(localDate.call(on(), at, ''), '8 Dec 2026, 17:30');
  const hundred = `'${'x'.repeat(98)}'`;
  assert.equal(localDate.call(on(), at, hundred), 'x'.repeat(98), '100 characters: used');
  assert.equal(localDate.call(on(), at, `'${'x'.repeat(99)}'`), '8 Dec 2026, 17:30', '101: the default');
  assert.equal(localDate.call(on(), at, 7), '8 Dec 2026, 17:30');
});

test('local_date: what is not a moment comes back as it was', () => {
  for (const value of ['not a date', '1e5', '', null, undefined, { at: 1 }, Number.NaN]) {
    assert.equal(localDate.call(on(), value), value, JSON.stringify(value));
  }
});

test('money: a currency that is not a string (a list from an event, say) is not read as one', () => {
  assert.equal(money.call(on(), 1234.5, ['eur']), '$1,234.50');
});

test('local_date: numbers written with an exponent, and decimals of any length, are still epoch times', () => {
  assert.equal(localDate.call(on(), 1e-7), '1 Jan 1970, 00:00', 'String(1e-7) is "1e-7": a number is taken as a number');
  assert.equal(localDate.call(on(), '86400.25'), '2 Jan 1970, 00:00');
});

test("local_date: a date-time without an offset is UTC, whatever the server's own zone", () => {
  const before = process.env.TZ;
  process.env.TZ = 'Asia/Tokyo';
  try {
    assert.equal(new Date(Date.UTC(2026, 11, 8, 0, 0)).getHours(), 9, 'the process now runs in Tokyo');
    assert.equal(localDate.call(on(), '2026-12-08T17:30:00'), '8 Dec 2026, 17:30');
    assert.equal(localDate.call(on(), '2026-12-08T17:30:00', 'HH:mm', 'Asia/Tokyo'), '02:30');
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
});
