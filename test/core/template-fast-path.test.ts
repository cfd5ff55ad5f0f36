/**
 * The fast path for simple templates (text and names with at most a `default` of a literal) against liquidjs
 * under the same configuration: the same output for every template and scope, generated from a seeded mix of
 * the values JSON can hold and the names Liquid reads in its own ways (fast-check, with a fixed seed). Neither
 * side's output is computed from the other's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { renderSimple, simpleTemplate } from '../../src/core/template-fast-path.ts';
import { parseTemplate, renderMessage, renderWithLiquid, templateScope } from '../../src/core/templates.ts';

const VALUES: unknown[] = ['', 'Ana', '0', 'false', ' ', 'Ünïcødé ✓', 0, -0, 1, 89.99, 1e21, -3.5, true, false, null, [], ['a', 'b'], [1, [2, 3]], [null, false], {}, { name: 'x' }, { nested: { deeper: 'y' } }];
const KEYS = ['name', 'Name', 'Email', 'Phone', 'Identity', 'nested', 'deeper', 'tags', 'price', '0', '1', 'length', 'constructor', 'toString', '__proto__', 'hasOwnProperty', 'missing', ''];
const ROOTS = ['Profile', 'Event', 'EventName', 'Unknown', 'constructor'];

/** A value as JSON could hold it, with keys among KEYS (JSON.parse makes `__proto__` an own key, as here). */
const { value: valueArb } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constantFrom(...VALUES), fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 5 }).map((o) => JSON.parse(JSON.stringify(o)) as unknown)),
}));

/** Text and outputs of a name (dotted or bracketed), with or without a literal default and whitespace trims. */
const templateArb = fc
  .array(
    fc.record({
      text: fc.constantFrom('Hi ', ', ', '\n', ' <b>', '', 'x'),
      root: fc.constantFrom(...ROOTS),
      path: fc.array(fc.constantFrom(...KEYS.filter((k) => k !== '')), { maxLength: 2 }),
      fallback: fc.constantFrom('', ' | default: "there"', ' | default: ""', ' | default: 0', ' | default: 2.5'),
      trim: fc.boolean(),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((parts) =>
    parts
      .map(({ text, root, path, fallback, trim }) => {
        const name = [root, ...path.map((k) => (/^[A-Za-z_]\w*$/.test(k) ? `.${k}` : `["${k}"]`))].join('');
        return `${text}${trim ? '{{-' : '{{'} ${name}${fallback} ${trim ? '-}}' : '}}'}`;
      })
      .join(''),
  );

test('simple templates render as liquidjs renders them, for every value JSON holds', () => {
  let rendered = 0;
  fc.assert(
    fc.property(templateArb, valueArb, valueArb, fc.constantFrom(...VALUES), (text, profile, event, eventName) => {
      const templates = parseTemplate(text);
      const simple = simpleTemplate(templates);
      assert.ok(simple, `${text} is simple`);
      const scope = { Profile: profile, Event: event, EventName: eventName };
      const fast = renderSimple(simple, scope);
      if (fast === undefined) return; // a list or an object to print: liquidjs renders it
      rendered += 1;
      assert.equal(fast, renderWithLiquid(templates, scope));
    }),
    { numRuns: 3_000, seed: 20261205 },
  );
  assert.ok(rendered > 1_500, `most cases rendered on the fast path (${rendered})`);
});

test('the profile aliases read the same on both paths (a trait named like an alias is the alias)', () => {
  const profile = { userId: 'u1', traits: { name: 'Ana', Name: 'shadowed', email: '', phone: null, tags: ['vip'] } };
  const entry = { messageId: 'm', name: 'Added to Cart', timestamp: 1, properties: { productName: 'Shoes', price: 0 } };
  const text = '{{ Profile.Name }}|{{ Profile.Email | default: "none" }}|{{ Profile.Phone | default: 1 }}|{{ Profile.Identity }}|{{ EventName }}|{{ Event.price | default: 9 }}';
  const scope = templateScope(profile, entry);
  const expected = renderWithLiquid(parseTemplate(text), scope);
  assert.equal(expected, 'Ana|none|1|u1|Added to Cart|0');
  assert.equal(renderSimple(simpleTemplate(parseTemplate(text))!, scope), expected);
  assert.deepEqual(renderMessage({ body: text }, profile, entry), { ok: true, content: { body: expected } });
});

test('anything more than names and a literal default is left to liquidjs', () => {
  for (const text of [
    '{{ Profile.tags | join: ", " }}',
    '{{ Profile.name | upcase }}',
    '{{ Profile.name | default: Event.name }}',
    '{{ Profile.name | default: "a", allow_false: true }}',
    '{{ Profile.name | default: "a" | upcase }}',
    '{{ Profile.tags.size }}',
    '{{ Profile.tags.first }}',
    '{{ Event.items[0] }}',
    '{{ Event[Profile.key] }}',
    '{{ "text" }}',
    '{{ 3 }}',
    '{% if Profile.name %}x{% endif %}',
    '{% assign a = 1 %}{{ a }}',
    '{{ (1..3) }}',
  ]) {
    assert.equal(simpleTemplate(parseTemplate(text)), null, text);
  }
});

test('a value only liquidjs prints (a list, an object) renders through it, the same as before', () => {
  const profile = { userId: 'u1', traits: { tags: ['a', 'b'], address: { city: 'Oslo' } } };
  const entry = { messageId: 'm', name: 'Added to Cart', timestamp: 1, properties: {} };
  const text = 'tags {{ Profile.tags }}, address {{ Profile.address }}';
  assert.equal(renderSimple(simpleTemplate(parseTemplate(text))!, templateScope(profile, entry)), undefined);
  assert.deepEqual(renderMessage({ body: text }, profile, entry), { ok: true, content: { body: 'tags ab, address [object Object]' } });
});

test('Profile holds the traits, in their order, then the aliases over them; a trait named __proto__ stays a trait', () => {
  const traits = JSON.parse('{"b":1,"name":"Ana","Name":"shadowed","2":"two","__proto__":{"polluted":true},"email":"a@x.test"}') as Record<string, unknown>;
  const profile = { userId: 'u1', traits };
  const entry = { messageId: 'm', name: 'Added to Cart', timestamp: 1, properties: {} };
  const variables = templateScope(profile, entry).Profile as Record<string, unknown>;
  assert.deepEqual(Object.keys(variables), ['2', 'b', 'name', 'Name', '__proto__', 'email', 'Email', 'Phone', 'Identity']);
  assert.equal(Object.getPrototypeOf(variables), Object.prototype);
  assert.deepEqual(variables.__proto__, { polluted: true });
  assert.equal(variables.Name, 'Ana');
  assert.deepEqual(renderMessage({ body: '{{ Profile.polluted }}|{{ Profile["__proto__"].polluted }}|{{ Profile.Name }}' }, profile, entry), { ok: true, content: { body: '|true|Ana' } });
  const plain = templateScope({ userId: 'u2', traits: { name: 'Bo', phone: '+1' } }, entry).Profile as Record<string, unknown>;
  assert.deepEqual(Object.keys(plain), ['name', 'phone', 'Name', 'Email', 'Phone', 'Identity']);
  assert.deepEqual({ ...plain }, { name: 'Bo', phone: '+1', Name: 'Bo', Email: undefined, Phone: '+1', Identity: 'u2' });
});
