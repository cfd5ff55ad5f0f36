/** The forms' pure helpers: durations as typed, Liquid at the caret, zoned date-times, and draft changes. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addVariant,
  evenPercents,
  newGoal,
  removeVariant,
  renameVariant,
  replaceNode,
  setDefinitionField,
  setGoalEvent,
  setGoals,
  setSetup,
  switchChannel,
  switchDelayMode,
  switchTrigger,
  uniqueId,
  withField,
  type Draft,
} from '../../web/src/lib/draft.ts';
import { asEvents, asPreview, asTraits, exampleText, insertables, propertiesOf } from '../../web/src/lib/catalog.ts';
import { channelFields } from '../../web/src/lib/channel-fields.ts';
import { childrenOf, groupDepth, switchCondition, windowKind } from '../../web/src/lib/condition.ts';
import { describeDuration, durationOfMs, durationParts, isDuration, parseDurationText } from '../../web/src/lib/duration.ts';
import { parseValue, valueText, valueTypeOf, withOp } from '../../web/src/lib/filter-values.ts';
import { caretInTag, filterInsertables, insertAt, liquidPath, liquidTag, mentionAt } from '../../web/src/lib/liquid.ts';
import { fieldProblems, problemsAt, problemsWithin, rebase } from '../../web/src/lib/field-problems.ts';
import { fromLocalInput, offsetMinutes, toLocalInput } from '../../web/src/lib/zone-input.ts';

test('durations: what people type becomes what a definition holds', () => {
  assert.equal(parseDurationText('2 h'), '2h');
  assert.equal(parseDurationText('2h'), '2h');
  assert.equal(parseDurationText(' 2 hours '), '2h');
  assert.equal(parseDurationText('90 min'), '90m');
  assert.equal(parseDurationText('1.5 h'), '90m');
  assert.equal(parseDurationText('1 week'), '7d');
  assert.equal(parseDurationText('36h'), '36h', 'not turned into days: 36 h is not a whole number of days');
  assert.equal(parseDurationText('48 h'), '2d', 'the largest whole unit');
  assert.equal(parseDurationText('3', 'd'), '3d', 'a bare number is in the unit picked');
  assert.equal(parseDurationText('3'), null, 'a bare number with no unit picked');
  assert.equal(parseDurationText('0 h'), null, 'zero is no wait');
  assert.equal(parseDurationText('0.5 ms'), null, 'not a whole millisecond');
  assert.equal(parseDurationText('2 fortnights'), null);
  assert.equal(parseDurationText(''), null);
  assert.equal(durationOfMs(5_400_000), '90m');
  assert.equal(durationOfMs(1500), '1500ms');
  assert.deepEqual(durationParts('90m'), { amount: '90', unit: 'm' });
  assert.equal(durationParts('2 h'), null);
  assert.equal(isDuration('2h'), true);
  assert.equal(isDuration('02h'), false);
  assert.equal(describeDuration('1d'), '1 day');
  assert.equal(describeDuration('3h'), '3 hours');
});

test('Liquid: a trait or property at the caret, with a default, quoted when it is no identifier', () => {
  assert.equal(liquidTag('Profile', 'name'), '{{ Profile.name | default: "" }}');
  assert.equal(liquidTag('Event', 'productName', 'item'), '{{ Event.productName | default: "item" }}');
  assert.equal(liquidPath('Profile', 'first name'), 'Profile["first name"]');
  assert.equal(liquidPath('Event', 'say "hi"'), "Event['say \"hi\"']");
  assert.equal(liquidPath('Event', `both " and '`), null);
  assert.equal(liquidPath('Event', ''), null);
  assert.equal(liquidPath('Event', 'cart.total'), 'Event.cart.total', 'a dotted key is a path into nested objects');
  assert.equal(liquidPath('Event', 'cart.unit price'), 'Event.cart["unit price"]');
  assert.equal(liquidPath('Event', 'cart.'), null);

  assert.deepEqual(insertAt('Hi , welcome', 3, 3, '{{ Profile.name }}'), { text: 'Hi {{ Profile.name }}, welcome', caret: 21 });
  assert.deepEqual(insertAt('Hi @na!', 3, 6, 'X'), { text: 'Hi X!', caret: 4 }, 'the typed @na is replaced');
  // The caret lands between the default's quotes: `{{ Profile.name | default: "` is 28 characters.
  assert.equal(caretInTag('{{ Profile.name | default: "" }}'), 28);
  assert.equal(caretInTag('{{ Profile.name | default: "there" }}'), 37, 'a tag with its fallback: after it');

  assert.deepEqual(mentionAt('Hi @na', 6), { start: 3, query: 'na' });
  assert.deepEqual(mentionAt('@', 1), { start: 0, query: '' });
  assert.deepEqual(mentionAt('(@Pro', 5), { start: 1, query: 'Pro' });
  assert.equal(mentionAt('mail ana@example.com', 20), null, 'an address is no mention');
  assert.equal(mentionAt('Hi @na me', 9), null, 'a space ends it');
  assert.equal(mentionAt('Hi @na', 2), null, 'the caret before it');

  const options = [
    { scope: 'Profile' as const, key: 'name' },
    { scope: 'Profile' as const, key: 'plan' },
    { scope: 'Profile' as const, key: 'nickname' },
    { scope: 'Event' as const, key: 'productName' },
    { scope: 'Event' as const, key: `bad " '` },
  ];
  assert.deepEqual(
    filterInsertables(options, 'na').map((o) => `${o.scope}.${o.key}`),
    ['Profile.name', 'Profile.nickname', 'Event.productName'],
    'starts-with first, then contains',
  );
  assert.deepEqual(filterInsertables(options, 'event.').map((o) => o.key), ['productName'], 'a scope prefix narrows; an unquotable key is left out');
  assert.equal(filterInsertables(options, '').length, 4);
});

test('date-times in the journey zone: the wall clock shown, an offset stored', () => {
  assert.equal(offsetMinutes(Date.UTC(2026, 6, 1), 'Europe/Lisbon'), 60);
  assert.equal(offsetMinutes(Date.UTC(2026, 0, 1), 'America/New_York'), -300);
  assert.equal(toLocalInput('2026-07-01T08:00:00Z', 'Europe/Lisbon'), '2026-07-01T09:00');
  assert.equal(toLocalInput('2026-01-01T00:30:00+05:30', 'UTC'), '2025-12-31T19:00');
  assert.equal(toLocalInput('soon', 'UTC'), '');
  assert.equal(fromLocalInput('2026-07-01T09:00', 'Europe/Lisbon'), '2026-07-01T09:00:00+01:00');
  assert.equal(fromLocalInput('2026-01-15T09:00', 'Europe/Lisbon'), '2026-01-15T09:00:00Z');
  assert.equal(fromLocalInput('2026-01-15T09:00', 'Asia/Kolkata'), '2026-01-15T09:00:00+05:30');
  assert.equal(fromLocalInput('2026-01-15T09:00', 'America/New_York'), '2026-01-15T09:00:00-05:00');
  // Lisbon skips 01:00-02:00 on 29 March 2026: 01:30 moves forward by the gap.
  assert.equal(fromLocalInput('2026-03-29T01:30', 'Europe/Lisbon'), '2026-03-29T02:30:00+01:00');
  // And repeats 01:00-02:00 on 25 October 2026: 01:30 is the first, in summer time.
  assert.equal(fromLocalInput('2026-10-25T01:30', 'Europe/Lisbon'), '2026-10-25T01:30:00+01:00');
  assert.equal(fromLocalInput('2026-02-30T09:00', 'UTC'), null, 'no such day');
  assert.equal(fromLocalInput('', 'UTC'), null);
});

const draft = (): Draft => ({
  name: 'Win-back',
  setup: { reentry: 'afterExit', timeout: '14d' },
  goals: [{ id: 'resubscribed', event: 'Subscription Started', exitOnGoal: true }],
  nodes: [
    { id: 'cancelled', kind: 'entry', trigger: { type: 'inaction', event: 'Subscription Cancelled', notEvent: 'Subscription Started', within: '1d' } },
    { id: 'test-offer', kind: 'abSplit', variants: [{ name: 'discount', percent: 50 }, { name: 'whats-new', percent: 50 }] },
    { id: 'wait-3d', kind: 'delay', duration: '3d' },
    { id: 'sms', kind: 'send', channel: 'push', message: { title: 'Hey', body: 'Come back' } },
  ],
  edges: [
    { from: 'cancelled', to: 'test-offer' },
    { from: 'test-offer', to: 'wait-3d', branch: 'discount' },
    { from: 'test-offer', to: 'sms', branch: 'whats-new' },
  ],
});

test('draft changes write exactly the fields the form set, and remove the ones it cleared', () => {
  const d = draft();
  assert.deepEqual(Object.keys(withField({ a: 1, b: 2, c: 3 }, 'b', 5)), ['a', 'b', 'c'], 'a key keeps its place');
  assert.deepEqual(withField({ a: 1, b: 2 }, 'b', undefined), { a: 1 });
  const same = { a: 1 };
  assert.equal(withField(same, 'a', 1), same, 'no change, the same object');
  assert.equal(withField(same, 'b', undefined), same);

  assert.deepEqual(setSetup(d, 'timeout', '2h').setup, { reentry: 'afterExit', timeout: '2h' });
  assert.deepEqual(setSetup(d, 'timeout', undefined).setup, { reentry: 'afterExit' });
  assert.equal('setup' in setSetup({ ...d, setup: { timeout: '1d' } }, 'timeout', undefined), false, 'an empty setup is removed');
  assert.equal('description' in setDefinitionField(d, 'description', ''), false);
  assert.equal(setDefinitionField(d, 'name', 'Back').name, 'Back');
  assert.equal('goals' in setGoals(d, []), false);
  assert.deepEqual(newGoal(d, 'Plan Restarted'), { id: 'plan-restarted', event: 'Plan Restarted' });
  assert.equal(uniqueId('resubscribed', ['resubscribed', 'resubscribed-2']), 'resubscribed-3');
  assert.equal(uniqueId('  ', []), 'item');

  // A goal added with the default event, then given the one meant: its id follows while it is the one made.
  const added = { ...d, goals: [{ id: 'purchase', event: 'Purchase' }] };
  assert.deepEqual(setGoalEvent(added, 0, 'Charged').goals, [{ id: 'charged', event: 'Charged' }]);
  assert.deepEqual(setGoalEvent(added, 0, 'Order Completed').goals, [{ id: 'order-completed', event: 'Order Completed' }]);
  const two = { ...d, goals: [{ id: 'charged', event: 'Charged' }, { id: 'charged-2', event: 'Charged', within: '1d' }] };
  assert.deepEqual(setGoalEvent(two, 1, 'Refunded').goals![1], { id: 'refunded', event: 'Refunded', within: '1d' }, 'a suffixed id made from the event');
  assert.deepEqual(setGoalEvent(two, 1, 'Charged'), two, 'the same event: no change');
  const named = { ...d, goals: [{ id: 'bought', event: 'Purchase' }, { id: 'refunded', event: 'Refunded' }] };
  assert.deepEqual(setGoalEvent(named, 0, 'Charged').goals![0], { id: 'bought', event: 'Charged' }, 'an id someone chose stays');
  assert.deepEqual(setGoalEvent(named, 1, 'Refund Issued').goals![1], { id: 'refund-issued', event: 'Refund Issued' });
  assert.deepEqual(setGoalEvent({ ...d, goals: [{ id: 'purchase', event: 'Purchase' }, { id: 'charged', event: 'Paid' }] }, 0, 'Charged').goals![0], { id: 'charged-2', event: 'Charged' }, 'not renamed onto a taken id');
  assert.equal(setGoalEvent(named, 5, 'Charged'), named, 'no such goal');

  const node = { id: 'wait-3d', kind: 'delay', duration: '2h' };
  const replaced = replaceNode(d, 'wait-3d', node);
  assert.equal(replaced.nodes[2], node);
  assert.equal(replaced.nodes[0], d.nodes[0], 'the other nodes are the same objects');
  assert.equal(replaceNode(d, 'nope', node), d);
});

test('switching a delay, a trigger or a channel keeps only the new shape’s fields', () => {
  assert.deepEqual(switchDelayMode({ id: 'w', kind: 'delay', duration: '3d' }, 'untilTime'), { id: 'w', kind: 'delay', untilTime: '10:00' });
  assert.deepEqual(switchDelayMode({ id: 'w', kind: 'delay', untilTime: '10:00', days: ['mon'], timezone: 'journey' }, 'untilDate'), {
    id: 'w',
    kind: 'delay',
    untilDate: { property: '' },
    timezone: 'journey',
  });
  assert.deepEqual(switchDelayMode({ id: 'w', kind: 'delay', untilTime: '10:00', timezone: 'journey' }, 'duration'), { id: 'w', kind: 'delay', duration: '1d' });

  const inaction = { type: 'inaction', event: 'Added to Cart', notEvent: 'Charged', within: '2m' };
  assert.deepEqual(switchTrigger(inaction, 'action'), { type: 'action', event: 'Added to Cart' });
  assert.deepEqual(switchTrigger({ type: 'action', event: 'Signed Up' }, 'inaction'), { type: 'inaction', event: 'Signed Up', notEvent: '', within: '1d' });
  assert.deepEqual(switchTrigger(inaction, 'journey'), { type: 'journey', journeyId: '', nodeId: '' });
  assert.equal(switchTrigger(inaction, 'inaction'), inaction);

  const push = { id: 's', kind: 'send', channel: 'push', message: { title: 'Hey', body: 'Come back' } };
  assert.deepEqual(switchChannel(push, 'sms', ['body']), { id: 's', kind: 'send', channel: 'sms', message: { body: 'Come back' } });
  assert.deepEqual(switchChannel(push, 'email', ['subject', 'body']).message, { body: 'Come back' }, 'the subject is left for the composer to ask for');
});

test('A/B variants: shares add up to 100, and a renamed or removed variant takes its edge along', () => {
  assert.deepEqual(evenPercents(2), [50, 50]);
  assert.deepEqual(evenPercents(3), [34, 33, 33]);
  assert.deepEqual(evenPercents(7), [15, 15, 14, 14, 14, 14, 14]);

  const renamed = renameVariant(draft(), 'test-offer', 0, 'twenty-off');
  assert.deepEqual(renamed.nodes[1]!.variants, [{ name: 'twenty-off', percent: 50 }, { name: 'whats-new', percent: 50 }]);
  assert.deepEqual(renamed.edges[1], { from: 'test-offer', to: 'wait-3d', branch: 'twenty-off' });
  assert.deepEqual(renamed.edges[2], { from: 'test-offer', to: 'sms', branch: 'whats-new' });

  const added = addVariant(draft(), 'test-offer');
  assert.deepEqual(added.nodes[1]!.variants, [
    { name: 'discount', percent: 34 },
    { name: 'whats-new', percent: 33 },
    { name: 'variant-c', percent: 33 },
  ]);
  assert.equal(added.edges.length, 3, 'a new variant has no edge yet');

  const removed = removeVariant(added, 'test-offer', 1);
  assert.deepEqual(removed.nodes[1]!.variants, [{ name: 'discount', percent: 50 }, { name: 'variant-c', percent: 50 }]);
  assert.deepEqual(removed.edges, [
    { from: 'cancelled', to: 'test-offer' },
    { from: 'test-offer', to: 'wait-3d', branch: 'discount' },
  ]);
  assert.equal((removeVariant(draft(), 'test-offer', 0).nodes[1]!.variants as unknown[]).length, 2, 'never fewer than two');
});

test('filter values are typed as chosen, never coerced', () => {
  assert.deepEqual(parseValue('50', 'number', '>='), { value: 50 });
  assert.deepEqual(parseValue('50', 'text', '='), { value: '50' });
  assert.deepEqual(parseValue('abc', 'number', '='), { error: 'enter a number' });
  assert.deepEqual(parseValue('pro, business,', 'text', 'in'), { value: ['pro', 'business'] });
  assert.deepEqual(parseValue('1, x', 'number', 'in'), { error: '"x" is not a number' });
  assert.deepEqual(parseValue(' , ', 'text', 'in'), { error: 'list at least one value, separated by commas' });
  assert.deepEqual(parseValue('true', 'boolean', '='), { value: true });
  assert.equal(valueText(['pro', 'business']), 'pro, business');
  assert.equal(valueTypeOf([3, 4]), 'number');
  assert.equal(valueTypeOf(undefined), 'text');

  assert.deepEqual(withOp({ property: 'plan', op: '=', value: 'pro' }, 'in'), { property: 'plan', op: 'in', value: ['pro'] });
  assert.deepEqual(withOp({ property: 'plan', op: 'in', value: ['pro', 'x'] }, '!='), { property: 'plan', op: '!=', value: 'pro' });
  assert.deepEqual(withOp({ property: 'plan', op: '=', value: 'pro' }, 'exists'), { property: 'plan', op: 'exists' });
  assert.deepEqual(withOp({ property: 'plan', op: 'exists', value: false }, '='), { property: 'plan', op: '=', value: '' });
});

test('a field shows the problems at its path, or under it for a list, moved to where its node is now', () => {
  const problems = [
    { path: '/nodes/3/duration', message: 'must match pattern' },
    { path: '/nodes/3/where/0/value', message: 'must be a list' },
    { path: '/nodes/30/duration', message: 'other node' },
    { path: '/nodes/3/duration', message: 'must match pattern' },
  ];
  assert.deepEqual(problemsAt(problems, '/nodes/3/duration').length, 2);
  assert.deepEqual(problemsWithin(problems, '/nodes/3/where').map((p) => p.path), ['/nodes/3/where/0/value']);
  assert.deepEqual(problemsWithin(problems, '/nodes/3').length, 3, 'not /nodes/30');
  assert.deepEqual(fieldProblems(problemsAt(problems, '/nodes/3/duration')), [{ message: 'must match pattern', warning: false }], 'once');
  assert.deepEqual(
    fieldProblems([
      { path: '/nodes/1/event', message: 'the yes branch is never taken', severity: 'warning' },
      { path: '/nodes/1/event', message: 'must not be empty', severity: 'error' },
    ]),
    [
      { message: 'must not be empty', warning: false },
      { message: 'the yes branch is never taken', warning: true },
    ],
    'errors first, warnings said as such',
  );

  // Checked with nodes a, b, c; since then d was added first and b removed.
  const checked = { nodes: [{ id: 'a' }, { id: 'b' }, { id: 'c' }], edges: [{ from: 'a' }] };
  const current = { nodes: [{ id: 'd' }, { id: 'a' }, { id: 'c' }], edges: [] };
  assert.deepEqual(
    rebase(
      [
        { path: '/nodes/2/duration', message: 'c' },
        { path: '/nodes/1', message: 'b' },
        { path: '/nodes/0', message: 'a' },
        { path: '/setup/timeout', message: 'setup' },
      ],
      checked,
      current,
    ),
    [
      { path: '/nodes/2/duration', message: 'c' },
      { path: '/nodes/1', message: 'a' },
      { path: '/setup/timeout', message: 'setup' },
    ],
  );
  const same = [{ path: '/nodes/0', message: 'x' }];
  assert.deepEqual(rebase(same, null, current), same, 'nothing checked yet: as given');
});

test('the catalog as the pickers read it, and what the @ menu offers', () => {
  // GET /v1/catalog/events and /v1/catalog/traits as the server answers.
  const events = asEvents({
    sampled: false,
    read: 3,
    truncated: false,
    events: [
      { name: 'Added to Cart', count: 2, lastSeenAt: 1_700_000_000_000, properties: [{ path: 'productName', type: 'string', count: 2, example: 'Lamp' }, { path: 'cart.total', type: 'number', count: 1, example: 12.5 }] },
      { name: '', count: 1, lastSeenAt: 1, properties: [] },
      'not an event',
    ],
  });
  assert.deepEqual(events, [
    {
      name: 'Added to Cart',
      count: 2,
      lastSeenAt: 1_700_000_000_000,
      properties: [
        { key: 'productName', type: 'string', example: 'Lamp' },
        { key: 'cart.total', type: 'number', example: 12.5 },
      ],
    },
    { name: 'not an event', properties: [] },
  ]);
  const traits = asTraits({ sampled: false, read: 1, truncated: false, traits: [{ path: 'plan', type: 'string', count: 1, example: 'pro' }, { nope: 1 }] });
  assert.deepEqual(traits, [{ key: 'plan', type: 'string', example: 'pro' }]);
  assert.deepEqual(asEvents(null), [], 'no answer, no options');
  assert.deepEqual(asTraits({ message: 'not found' }), []);
  assert.deepEqual(propertiesOf(events, 'Added to Cart').map((k) => k.key), ['productName', 'cart.total']);
  assert.deepEqual(propertiesOf(events, 'Charged'), []);

  assert.deepEqual(
    insertables(traits, propertiesOf(events, 'Added to Cart')).map((o) => `${o.scope}.${o.key}${o.detail ? ` (${o.detail})` : ''}`),
    [
      'Profile.plan (string · pro)',
      'Profile.Name (the name trait)',
      'Profile.Email (the email trait)',
      'Profile.Phone (the phone trait)',
      'Profile.Identity (the user id)',
      'Event.productName (string · Lamp)',
      'Event.cart.total (number · 12.5)',
    ],
  );
  assert.equal(exampleText('x'.repeat(50)), `${'x'.repeat(39)}…`);

  // POST /v1/preview as the server answers.
  assert.deepEqual(
    asPreview({ rendered: { body: 'Hi Ana' }, problems: [{ field: 'title', message: 'render failed' }], user: { found: true }, event: { name: 'Signed Up', properties: { plan: 'pro' } } }),
    { rendered: { body: 'Hi Ana' }, problems: [{ field: 'title', message: 'render failed' }], userFound: true, event: { name: 'Signed Up', properties: { plan: 'pro' } } },
  );
  assert.deepEqual(asPreview({ rendered: { body: 3 }, user: {}, event: null }), { rendered: {}, problems: [], userFound: false, event: null });
});

test('a channel’s message fields from the registry, or from the message when the registry has none', () => {
  const channels = [
    { name: 'email', label: 'Email', fields: [{ name: 'subject', label: 'Subject', required: true, maxLength: 100000, template: true, multiline: false }, { name: 'body', label: 'Body (HTML)', required: true, maxLength: 100000, template: true, multiline: true }] },
    { name: 'push', label: 'Push' },
  ];
  assert.deepEqual(channelFields(channels, 'email', {}), [
    { name: 'subject', label: 'Subject', required: true, template: true, multiline: false, maxLength: 100000 },
    { name: 'body', label: 'Body (HTML)', required: true, template: true, multiline: true, maxLength: 100000 },
  ]);
  assert.deepEqual(channelFields(channels, 'push', { body: 'b', title: 't' }), [
    { name: 'title', label: 'Title', required: false, template: true, multiline: false },
    { name: 'body', label: 'Body', required: true, template: true, multiline: true },
  ]);
  assert.deepEqual(channelFields([], 'sms', {}).map((f) => f.name), ['body']);
  // The inbox's link is optional and literal: the composer shows a URL field, left out of the message when empty.
  const inbox = { name: 'inbox', label: 'Inbox', fields: [
    { name: 'title', label: 'Title', required: true, maxLength: 100000, template: true, multiline: false },
    { name: 'body', label: 'Message', required: true, maxLength: 100000, template: true, multiline: true },
    { name: 'url', label: 'Link (optional)', required: false, maxLength: 2000, template: false, multiline: false },
  ] };
  assert.deepEqual(channelFields([inbox], 'inbox', {}).map((f) => [f.name, f.required, f.template]), [['title', true, true], ['body', true, true], ['url', false, false]]);
  const push = { id: 'p', kind: 'send', channel: 'push', message: { title: 'Hi', body: 'Come back' } };
  assert.deepEqual(switchChannel(push, 'inbox', ['title', 'body', 'url']).message, { title: 'Hi', body: 'Come back' }, 'a push becomes an inbox message keeping its title');
});

test('segment conditions change type keeping what carries over, within four levels of groups', () => {
  const event = { type: 'event' as const, event: 'App Opened', did: false };
  assert.deepEqual(switchCondition(event, 'all'), { type: 'all', of: [event] }, 'a leaf goes inside the new group');
  assert.deepEqual(switchCondition({ type: 'any', of: [event, { type: 'profile', where: [] }] }, 'not'), { type: 'not', of: event }, 'a not keeps the first');
  assert.deepEqual(switchCondition({ type: 'all', of: [{ type: 'profile', where: [] }, event] }, 'event'), event, 'the group’s own event condition');
  assert.deepEqual(switchCondition(event, 'message', 'push-1'), { type: 'message', node: 'push-1', outcome: 'sent' });
  assert.deepEqual(switchCondition({ type: 'profile', where: [] }, 'event'), { type: 'event', event: '' });
  assert.equal(groupDepth(event), 0);
  assert.equal(groupDepth({ type: 'all', of: [{ type: 'not', of: { type: 'any', of: [event] } }] }), 3);
  assert.deepEqual(childrenOf({ type: 'not', of: event }), [event]);
  assert.equal(windowKind(undefined), 'all');
  assert.equal(windowKind({ last: '7d' }), 'last');
  assert.equal(windowKind({ from: '2026-01-01T00:00:00Z' }), 'between');
});
