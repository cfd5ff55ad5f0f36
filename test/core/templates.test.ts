/** Message templates: the sandbox, the static refusals, rendering that fails one message, and the send path that takes it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import type { EntryEvent, ProfileView } from '../../src/core/instance.ts';
import { startInstance } from '../../src/core/interpreter.ts';
import { publishChecks } from '../../src/core/publish-checks.ts';
import { parseTemplate, renderMessage, templateGlobals, templateProblems } from '../../src/core/templates.ts';
import { compile, ev, who } from './drive.ts';

const entry: EntryEvent = { messageId: 'm1', name: 'Signed Up', timestamp: 0, properties: { file: 'package.json', plan: 'pro' } };
const ana: ProfileView = { userId: 'ana', traits: { name: 'Ana', n: 3 } };

test('file tags are refused when a template is checked, wherever they are, at the field path', () => {
  assert.deepEqual(templateProblems("{% include 'package.json' %}", '/nodes/2/message/body'), [
    { path: '/nodes/2/message/body', message: 'templates cannot include files ({% include %}) at line 1, column 1' },
  ]);
  assert.deepEqual(templateProblems('Hi {% render Event.file %}', '/p'), [{ path: '/p', message: 'templates cannot include files ({% render %}) at line 1, column 4' }]);
  assert.deepEqual(templateProblems("{% layout 'waymark.db' %}", '/p'), [{ path: '/p', message: 'templates cannot include files ({% layout %}) at line 1, column 1' }]);
  // Inside a {% liquid %} block and inside a loop: the same tags, the same refusal.
  assert.deepEqual(templateProblems("{% liquid\n  include 'package.json'\n%}", '/p'), [{ path: '/p', message: 'templates cannot include files ({% include %}) at line 2, column 3' }]);
  assert.deepEqual(templateProblems("{% for x in Event.items %}\n{% include x %}{% endfor %}", '/p'), [
    { path: '/p', message: 'templates cannot include files ({% include %}) at line 2, column 1' },
  ]);
});

test('literal ranges longer than 10,000 items are refused; 10,000, and ranges over traits, are not', () => {
  assert.deepEqual(templateProblems('{% for i in (1..100000000) %}x{% endfor %}', '/p'), [
    { path: '/p', message: "the range (1..100000000) at line 1, column 13 has 100000000 items; a template's ranges may have at most 10000" },
  ]);
  assert.deepEqual(templateProblems('{% if Profile.vip %}\n  {{ (0..10000) | join }}{% endif %}', '/p'), [
    { path: '/p', message: "the range (0..10000) at line 2, column 6 has 10001 items; a template's ranges may have at most 10000" },
  ]);
  assert.deepEqual(templateProblems('{% for i in (1..10000) %}{% endfor %}{% for i in (1..Profile.n) %}{% endfor %}', '/p'), []);
});

test('what does not parse says so; an unknown filter is an error', () => {
  assert.deepEqual(templateProblems('{{ Profile.name | shout }}', '/p'), [{ path: '/p', message: 'template does not parse: undefined filter: shout, line:1, col:1' }]);
  assert.equal(templateProblems('{{ Profile.name ', '/p')[0]?.message.startsWith('template does not parse: '), true);
  assert.deepEqual(templateProblems('Hi {{ Profile.Name | default: "there" }}', '/p'), []);
});

test('rendering: Profile (with its aliases), Event and EventName; a prototype property is blank', () => {
  const result = renderMessage(
    { title: 'For {{ Profile.Name }}', body: '{{ EventName }} on {{ Event.plan }}: {% for i in (1..Profile.n) %}{{ i }}{% endfor %}{{ Profile.constructor }}', url: 'https://x.test/{{ no }}' },
    ana,
    entry,
  );
  assert.deepEqual(result, { ok: true, content: { body: 'Signed Up on pro: 123', title: 'For Ana', url: 'https://x.test/{{ no }}' } });
});

test('a template that fails for one user is a failed render naming the field, never a throw', () => {
  const loop = { body: 'Hi', subject: '{% for i in (1..Profile.n) %}x{% endfor %}' };
  assert.deepEqual(renderMessage(loop, { userId: 'u', traits: { n: 100_000_000 } }, entry), { ok: false, error: 'subject: memory alloc limit exceeded, line:1, col:1' });
  assert.deepEqual(renderMessage(loop, ana, entry), { ok: true, content: { body: 'Hi', subject: 'xxx' } });
  // 1,000 times a 2,000-character trait: 2,000,000 characters, over the 1,000,000 a message may have.
  const big = { userId: 'u', traits: { n: 1_000, s: 'y'.repeat(2_000) } };
  assert.deepEqual(renderMessage({ body: '{% for i in (1..Profile.n) %}{{ Profile.s }}{% endfor %}' }, big, entry), {
    ok: false,
    error: 'body: rendered to 2000000 characters, more than 1000000',
  });
});

test('a template stored before the file tags were refused renders as a failure, and reads no file', () => {
  const result = renderMessage({ body: "{% include 'package.json' %}{% include Event.file %}" }, ana, entry);
  assert.deepEqual(result, { ok: false, error: 'body: templates cannot include files ({% include %}), line:1, col:1' });
});

test('templateGlobals: the root names a template reads from outside, not its own variables', () => {
  const text = '{{ Profil.Nmae }}{% for x in Event.items %}{{ x }}{{ forloop.index }}{% endfor %}{% assign y = 1 %}{{ y }}{{ EventName }}';
  assert.deepEqual(Object.keys(templateGlobals(parseTemplate(text))).sort(), ['Event', 'EventName', 'Profil']);
});

function journeyWith(body: string, unreachable: boolean): JourneyDefinition {
  return {
    name: 'render',
    nodes: [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
      { id: 'text', kind: 'send', channel: 'sms', message: { body } },
      { id: 'out', kind: 'exit' },
      ...(unreachable ? [{ id: 'fallback', kind: 'send' as const, channel: 'email' as const, message: { subject: 'Hello', body: 'plain' } }] : []),
    ],
    edges: [
      { from: 'in', to: 'text' },
      { from: 'text', to: 'out' },
      ...(unreachable ? [{ from: 'text', to: 'fallback', branch: 'unreachable' }, { from: 'fallback', to: 'out' }] : []),
    ],
  };
}

test('interpreter: a send renders through its Env; a failure is a fail effect and takes "unreachable"', () => {
  const journey = compile(journeyWith('{% for i in (1..Profile.n) %}x{% endfor %}', true));
  const huge = { ...who, traits: { ...who.traits, n: 100_000_000 } };
  const start = ev('Signed Up', 1_000);
  const failed = startInstance(journey, 'j', 1, start, { now: 1_000, profile: huge, render: renderMessage });
  const id = failed.instance.id;
  assert.deepEqual(
    failed.effects.filter((e) => e.type !== 'count'),
    [
      { type: 'fail', sendId: `${id}:text:1`, nodeId: 'text', channel: 'sms', reason: 'render_failed', detail: 'body: memory alloc limit exceeded, line:1, col:1' },
      { type: 'send', sendId: `${id}:fallback:2`, nodeId: 'fallback', channel: 'email', content: { body: 'plain', subject: 'Hello' } },
    ],
  );
  assert.equal(failed.instance.exit?.reason, 'completed');

  const fine = startInstance(journey, 'j', 1, ev('Signed Up', 1_000), { now: 1_000, profile: { ...who, traits: { ...who.traits, n: 2 } }, render: renderMessage });
  assert.deepEqual(fine.effects.filter((e) => e.type === 'send').map((e) => [e.nodeId, e.type === 'send' && e.content]), [['text', { body: 'xx' }]]);
});

test('interpreter: without an "unreachable" edge a failed render goes on along "next"', () => {
  const journey = compile(journeyWith('{% for i in (1..Profile.n) %}x{% endfor %}', false));
  const failed = startInstance(journey, 'j', 1, ev('Signed Up', 1_000), { now: 1_000, profile: { ...who, traits: { n: 1e8, phone: '+1555' } }, render: renderMessage });
  assert.deepEqual(failed.effects.filter((e) => e.type !== 'count').map((e) => e.type), ['fail']);
  assert.equal(failed.instance.exit?.nodeId, 'out');
});

test('publish checks warn about template names other than Profile, Event and EventName, once per name per field', () => {
  const definition = journeyWith('Hi {{ Profil.Nmae }} {{ Profil.x }}, {{ event.total }} {{ Event.total }}\n{{ coupon | upcase }}', true);
  const { errors, warnings } = publishChecks(compile(definition), {});
  assert.deepEqual(errors, []);
  assert.deepEqual(warnings, [
    { path: '/nodes/1/message/body', message: 'Profil.Nmae at line 1, column 7: a template can read only Profile, Event and EventName, so "Profil" is blank for every user (did you mean Profile?)' },
    { path: '/nodes/1/message/body', message: 'event.total at line 1, column 41: a template can read only Profile, Event and EventName, so "event" is blank for every user (did you mean Event?)' },
    { path: '/nodes/1/message/body', message: 'coupon at line 2, column 4: a template can read only Profile, Event and EventName, so "coupon" is blank for every user' },
  ]);
});

/** Renders one body for a profile and event properties. */
function body(template: string, traits: Record<string, unknown> = {}, properties: Record<string, unknown> = {}): string {
  const result = renderMessage({ body: template }, { userId: 'u', traits }, { messageId: 'm', name: 'E', timestamp: 0, properties });
  assert.ok(result.ok, JSON.stringify(result));
  return result.content.body;
}

test('money: the amount in the currency given, in the locale given, else the profile\'s, else en-US', () => {
  assert.equal(body('{{ Event.price | money: Event.currency }}', {}, { price: 1234.5, currency: 'USD' }), '$1,234.50');
  assert.equal(body('{{ Event.price | money }}', {}, { price: '19.9' }), '$19.90');
  assert.equal(body('{{ Event.price | money: "EUR", "de-DE" }}', {}, { price: 1234.5 }), '1.234,50\u00a0€');
  assert.equal(body('{{ Event.price | money: "JPY" }}', { locale: 'ja-JP' }, { price: 1500 }), '￥1,500');
  assert.equal(body('{{ Event.price | money: "gbp" }}', { locale: 'not a locale!' }, { price: 3 }), '£3.00');
  // What it cannot read comes back as given: a message is never failed by a bad price.
  assert.equal(body('[{{ Event.price | money: "USD" }}]', {}, { price: 'call us' }), '[call us]');
  assert.equal(body('[{{ Event.missing | money }}]'), '[]');
  assert.equal(body('{{ Event.price | money: "US-D" }}', {}, { price: 2 }), '$2.00');
});

test('local_date: the moment in the profile\'s zone (or the one given), Luxon format tokens; the date filter is UTC', () => {
  const at = '2026-12-08T17:30:00Z';
  assert.equal(body('{{ Event.at | local_date: "ccc d LLL, HH:mm" }}', { timezone: 'Europe/Paris' }, { at }), 'Tue 8 Dec, 18:30');
  assert.equal(body('{{ Event.at | local_date: "HH:mm", "Asia/Tokyo" }}', { timezone: 'Europe/Paris' }, { at }), '02:30');
  assert.equal(body('{{ Event.at | local_date }}', { timezone: 'Not/AZone' }, { at }), '8 Dec 2026, 17:30');
  // Epoch milliseconds, and epoch seconds (below 1e11), as SDKs send them.
  assert.equal(body('{{ Event.at | local_date: "yyyy-MM-dd HH:mm" }}', { timezone: 'America/New_York' }, { at: Date.UTC(2026, 11, 8, 17, 30) }), '2026-12-08 12:30');
  assert.equal(body('{{ Event.at | local_date: "yyyy-MM-dd HH:mm" }}', {}, { at: Date.UTC(2026, 11, 8, 17, 30) / 1000 }), '2026-12-08 17:30');
  assert.equal(body('[{{ Event.at | local_date }}]', {}, { at: 'soon' }), '[soon]');
  assert.equal(body('{{ Event.at | date: "%H:%M" }}', { timezone: 'Asia/Tokyo' }, { at }), '17:30');
});
