/**
 * SMS segments (src/core/sms-segments.ts), against 3GPP TS 23.038's alphabets: GSM-7 takes 160 characters in
 * one segment and 153 a segment once split; its extension characters count two; anything else makes the
 * message UCS-2, 70 and 67 UTF-16 units.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { smsSize } from '../../src/core/sms-segments.ts';

test('an empty message is no segment', () => {
  assert.deepEqual(smsSize(''), { encoding: 'GSM-7', units: 0, segments: 0 });
});

test('GSM-7: 160 in one, then 153 a segment', () => {
  assert.deepEqual(smsSize('a'), { encoding: 'GSM-7', units: 1, segments: 1 });
  assert.deepEqual(smsSize('a'.repeat(160)), { encoding: 'GSM-7', units: 160, segments: 1 });
  assert.deepEqual(smsSize('a'.repeat(161)), { encoding: 'GSM-7', units: 161, segments: 2 });
  assert.deepEqual(smsSize('a'.repeat(306)), { encoding: 'GSM-7', units: 306, segments: 2 });
  assert.deepEqual(smsSize('a'.repeat(307)), { encoding: 'GSM-7', units: 307, segments: 3 });
});

test("the basic alphabet's accents, symbols and line breaks are one septet; the extension table's characters two", () => {
  assert.deepEqual(smsSize('Hi Zoé? £5 @ 10:00, ¿Ñ? Ä§ü\r\n_ΔΩ'), { encoding: 'GSM-7', units: 32, segments: 1 });
  for (const ch of ['€', '[', ']', '{', '}', '~', '^', '\\', '|', '\f']) assert.deepEqual(smsSize(ch), { encoding: 'GSM-7', units: 2, segments: 1 }, JSON.stringify(ch));
  assert.deepEqual(smsSize(`${'a'.repeat(158)}€`), { encoding: 'GSM-7', units: 160, segments: 1 });
  assert.deepEqual(smsSize(`${'a'.repeat(159)}€`), { encoding: 'GSM-7', units: 161, segments: 2 });
});

test('one character outside the alphabet makes all of it UCS-2: 70 in one, then 67, an emoji two units', () => {
  assert.deepEqual(smsSize('ê'), { encoding: 'UCS-2', units: 1, segments: 1 });
  assert.deepEqual(smsSize(`${'a'.repeat(69)}ê`), { encoding: 'UCS-2', units: 70, segments: 1 });
  assert.deepEqual(smsSize(`${'a'.repeat(70)}ê`), { encoding: 'UCS-2', units: 71, segments: 2 });
  assert.deepEqual(smsSize(`${'a'.repeat(133)}ê`), { encoding: 'UCS-2', units: 134, segments: 2 });
  assert.deepEqual(smsSize(`${'a'.repeat(134)}ê`), { encoding: 'UCS-2', units: 135, segments: 3 });
  assert.deepEqual(smsSize('Sale 🎉'), { encoding: 'UCS-2', units: 7, segments: 1 });
  assert.deepEqual(smsSize('€ç'), { encoding: 'UCS-2', units: 2, segments: 1 }, 'ç is not in the alphabet (only Ç is), and € is one unit in UCS-2');
});

test('ë is not in the alphabet (è and é are): a name with it makes the message UCS-2', () => {
  assert.deepEqual(smsSize('Hi Zoë'), { encoding: 'UCS-2', units: 6, segments: 1 });
});
