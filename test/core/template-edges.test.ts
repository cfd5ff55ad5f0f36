/**
 * Edges of src/core/templates.ts that the main template tests leave open: the references a copy check reads,
 * rendering without a profile, the rendered-length limit at its boundary, and how a failure is reported.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EntryEvent } from '../../src/core/instance.ts';
import { MAX_RENDERED_LENGTH, parseTemplate, renderMessage, templateReferences } from '../../src/core/templates.ts';

const entry = (properties: Record<string, unknown> = {}): EntryEvent => ({ messageId: 'm1', name: 'Added to Cart', timestamp: 0, properties });

test('templateReferences: each read from outside in reading order, its plain path, and whether a default covers it', () => {
  const text = 'Hi {{ Profile.first_name | default: "there" }},\n{{ Event.items[0].name | upcase }} {{ Profile.address.city }}{% if EventName %}!{% endif %} {{ Profile[Event.key] }}';
  assert.deepEqual(
    templateReferences(parseTemplate(text)).map((r) => [r.root, r.path, r.row, r.col, r.defaulted]),
    [
      ['Profile', ['first_name'], 1, 7, true],
      ['Event', ['items'], 2, 4, false],
      ['Profile', ['address', 'city'], 2, 39, false],
      ['EventName', [], 2, 68, false],
      ['Profile', [], 2, 96, false],
      ['Event', ['key'], 2, 104, false],
    ],
  );
});

test('templateReferences: a filter other than default does not count as one; a default on one use covers only that use', () => {
  const refs = templateReferences(parseTemplate('{{ Profile.name | upcase }} {{ Profile.name | default: "you" }} {{ Profile.name }}'));
  assert.deepEqual(
    refs.map((r) => [r.col, r.defaulted]),
    [
      [4, false],
      [32, true],
      [68, false],
    ],
  );
});

test('templateReferences: uses inside blocks are found, and come out sorted by line, then column', () => {
  const text = '{% for item in Event.items %}\n  {{ item.name }} for {{ Profile.name }}\n{% endfor %}{{ Event.total }}';
  assert.deepEqual(
    templateReferences(parseTemplate(text)).map((r) => [r.root, r.path, r.row, r.col]),
    [
      ['Event', ['items'], 1, 16],
      ['Profile', ['name'], 2, 26],
      ['Event', ['total'], 3, 16],
    ],
  );
});

test('a message renders for a user with no profile: Profile fields are blank, Identity too', () => {
  const result = renderMessage({ title: 'For {{ Profile.Identity | default: "you" }}', body: 'Hi {{ Profile.Name | default: "there" }}, {{ Event.sku }}' }, null, entry({ sku: 'shoe-1' }));
  assert.deepEqual(result, { ok: true, content: { title: 'For you', body: 'Hi there, shoe-1' } });
});

test('a field may render to exactly the limit; one character more fails the message, naming the field', () => {
  const at = renderMessage({ body: '{{ Event.s }}' }, null, entry({ s: 'x'.repeat(MAX_RENDERED_LENGTH) }));
  assert.equal(at.ok && at.content.body.length, MAX_RENDERED_LENGTH);
  assert.deepEqual(renderMessage({ body: 'ok', title: '{{ Event.s }}' }, null, entry({ s: 'x'.repeat(MAX_RENDERED_LENGTH + 1) })), {
    ok: false,
    error: `title: rendered to ${MAX_RENDERED_LENGTH + 1} characters, more than ${MAX_RENDERED_LENGTH}`,
  });
});

test('a failing title or subject is named as such, and a long reason is cut to 500 characters', () => {
  const title = renderMessage({ title: '{{ Profile.n | divided_by: "x" | nosuch }}', body: 'b' }, null, entry());
  assert.equal(title.ok, false);
  assert.match(!title.ok ? title.error : '', /^title: /);
  const subject = renderMessage({ subject: '{% if %}', body: 'b' }, null, entry());
  assert.match(!subject.ok ? subject.error : '', /^subject: /);
  const long = renderMessage({ body: `{{ Profile.n | ${'f'.repeat(2_000)} }}` }, null, entry());
  assert.equal(long.ok, false);
  const error = !long.ok ? long.error : '';
  assert.equal(error.length, 500);
  assert.ok(error.startsWith('body: '), error.slice(0, 60));
});

test('a url is passed through as written, never rendered', () => {
  assert.deepEqual(renderMessage({ body: 'b', url: 'https://shop.example/{{ Event.sku }}' } as never, null, entry({ sku: 's' })), {
    ok: true,
    content: { body: 'b', url: 'https://shop.example/{{ Event.sku }}' },
  });
});
