/**
 * The checks every suggested variant must pass, on names the project has seen (written here by hand, as the
 * catalog would give them): Liquid that parses, only known names, a default for an optional one, the
 * channel's limits once rendered with the examples; and SMS segments counted as GSM 03.38 says.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkVariant } from '../../src/copy/checks.ts';
import type { KnownNames } from '../../src/copy/names.ts';
import { variantsIn } from '../../src/copy/suggest.ts';
import { smsSize } from '../../src/core/sms-segments.ts';

const names: KnownNames = {
  profile: [
    { path: 'first_name', type: 'string', optional: true, example: 'Maximilian' },
    { path: 'plan', type: 'string', optional: false, example: 'pro' },
    { path: 'Identity', type: 'string', optional: false, example: 'user-1' },
  ],
  event: [
    { path: 'cart', type: 'object', optional: false, example: null },
    { path: 'cart.total', type: 'number', optional: false, example: 42 },
    { path: 'coupon', type: 'string', optional: true, example: 'SAVE10' },
  ],
  eventName: 'Added to Cart',
  eventUnseen: false,
};

test('a variant with known names, defaults where needed and within the limits passes', () => {
  assert.deepEqual(checkVariant('push', { title: 'Hi {{ Profile.first_name | default: "there" }}', body: 'Your {{ Profile.plan }} cart holds {{ Event.cart.total }} EUR' }, names), []);
  assert.deepEqual(checkVariant('sms', { body: 'Code {{ Event.coupon | default: "none" }} for {{ Event.cart.total }}' }, names), []);
});

test('Liquid that does not parse, an unknown name, a missing default, a wrong root and a missing field are each named', () => {
  assert.deepEqual(checkVariant('push', { title: 'Hi {{ Profile.first_name ', body: 'x' }, names).map((p) => p.field), ['title']);
  assert.match(checkVariant('push', { title: 'Hi {{ Profile.first_name ', body: 'x' }, names)[0]!.message, /template does not parse/);
  assert.deepEqual(checkVariant('push', { title: 'Hi {{ Profile.nickname | default: "you" }}', body: '{{ Event.coupon }} {{ Customer.name }}' }, names), [
    { field: 'title', message: 'Profile.nickname is not a known name (no profile has had this trait)' },
    { field: 'body', message: 'Event.coupon is missing for some users: give it a default, e.g. {{ Event.coupon | default: "…" }}' },
    { field: 'body', message: 'Customer.name: a template can read only Profile.*, Event.* and EventName' },
  ]);
  assert.deepEqual(checkVariant('email', { subject: 'Hello', headline: 'x' }, names), [
    { field: 'headline', message: 'an email has no headline (its fields: subject, body)' },
    { field: 'body', message: 'is missing' },
  ]);
  assert.deepEqual(checkVariant('push', { title: '{{ Event.cart.total.amount }}', body: 'x' }, names), [
    { field: 'title', message: 'Event.cart.total.amount is not a known name (no "Added to Cart" event has had this property)' },
  ]);
});

test('limits are measured on the copy rendered with the examples: push title 50, email subject 78, SMS 2 segments', () => {
  // "Hi " + "Maximilian" (10) + "!" = 14, + 36 more = 50: at the limit. One more is 51.
  const title = (extra: number) => `Hi {{ Profile.first_name | default: "you" }}!${'x'.repeat(extra)}`;
  assert.deepEqual(checkVariant('push', { title: title(36), body: 'x' }, names), []);
  assert.deepEqual(checkVariant('push', { title: title(37), body: 'x' }, names), [{ field: 'title', message: 'is 51 characters once rendered; at most 50' }]);
  assert.deepEqual(checkVariant('push', { title: 'x', body: 'y'.repeat(151) }, names), [{ field: 'body', message: 'is 151 characters once rendered; at most 150' }]);
  assert.deepEqual(checkVariant('email', { subject: 's'.repeat(79), body: '<p>x</p>' }, names), [{ field: 'subject', message: 'is 79 characters once rendered; at most 78' }]);
  // 306 GSM-7 characters are two segments of 153; 307 are three.
  assert.deepEqual(checkVariant('sms', { body: 'a'.repeat(306) }, names), []);
  assert.deepEqual(checkVariant('sms', { body: 'a'.repeat(307) }, names), [{ field: 'body', message: 'takes 3 SMS segments once rendered (307 GSM-7 characters); at most 2' }]);
  // One character outside GSM-7 makes it UCS-2: 135 units are three segments of 67.
  assert.deepEqual(checkVariant('sms', { body: `ł${'a'.repeat(134)}` }, names), [
    { field: 'body', message: 'takes 3 SMS segments once rendered (135 UCS-2 characters, as it has characters outside GSM-7); at most 2' },
  ]);
});

test('a channel without copy limits is checked for Liquid and names only', () => {
  assert.deepEqual(checkVariant('email', { subject: 'Hi', body: `<p>${'x'.repeat(5_000)}</p>` }, names), []);
});

test('SMS segments: GSM-7 160 then 153 per segment, extension characters count two; UCS-2 70 then 67, in UTF-16 units', () => {
  assert.deepEqual(smsSize(''), { encoding: 'GSM-7', units: 0, segments: 0 });
  assert.deepEqual(smsSize('a'.repeat(160)), { encoding: 'GSM-7', units: 160, segments: 1 });
  assert.deepEqual(smsSize('a'.repeat(161)), { encoding: 'GSM-7', units: 161, segments: 2 });
  assert.deepEqual(smsSize(`${'a'.repeat(159)}€`), { encoding: 'GSM-7', units: 161, segments: 2 });
  assert.deepEqual(smsSize(`Ça coûte ${'a'.repeat(10)}`).encoding, 'UCS-2', 'û is not in GSM-7');
  assert.deepEqual(smsSize(`ł${'a'.repeat(69)}`), { encoding: 'UCS-2', units: 70, segments: 1 });
  assert.deepEqual(smsSize(`ł${'a'.repeat(70)}`), { encoding: 'UCS-2', units: 71, segments: 2 });
  assert.deepEqual(smsSize(`😀${'a'.repeat(68)}`), { encoding: 'UCS-2', units: 70, segments: 1 });
});

test("the variants are read from the model's JSON, with a fence or words around it tolerated", () => {
  assert.deepEqual(variantsIn('Sure!\n```json\n{"variants":[{"title":"a","body":"b"}]}\n```'), [{ title: 'a', body: 'b' }]);
  assert.equal(variantsIn('no json here'), 'no JSON object in "no json here"');
  assert.equal(variantsIn('{"options":[]}'), 'it has no "variants" array');
  assert.match(String(variantsIn('{"variants": [}')), /^it does not parse/);
});
