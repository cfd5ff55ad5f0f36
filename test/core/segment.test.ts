import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { Settings } from 'typebox/system';
import * as definition from '../../src/core/definition.ts';
import {
  compileCondition,
  Condition,
  conditionProblems,
  conditionSchemaProblems,
  Duration,
  evaluate,
  eventNeeds,
  Filter,
  MAX_GROUP_DEPTH,
  messageNodes,
  parseInstant,
  usesEvents,
  usesMessages,
  usesTraits,
  type ConditionContext,
  type EventCondition,
  type MessageRecord,
  type Problem,
  type UserEvent,
} from '../../src/core/segment.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-11-10T12:00:00Z');

const ev = (name: string, timestamp: number, properties: Record<string, unknown> = {}): UserEvent => ({ name, timestamp, properties });
const ctx = (over: Partial<ConditionContext> = {}): ConditionContext => ({ now: NOW, traits: {}, events: [], ...over });
const viewed = (over: Partial<EventCondition> = {}): EventCondition => ({ type: 'event', event: 'Viewed Product', ...over });
/** Whether the condition holds for these events at NOW, checked through both entry points. */
const holds = (condition: Condition, c: ConditionContext): boolean => {
  const a = evaluate(condition, c);
  assert.equal(compileCondition(condition)(c), a, 'evaluate and compileCondition agree');
  return a;
};

// The schema's type (depth-bounded) is a Condition: a compile-time check.
const asCondition = (c: Static<typeof Condition>): Condition => c;
void asCondition;

// --- schema ---------------------------------------------------------------------------------------------

const check = Compile(Condition);
const profile = (property: string, op: Filter['op'], value?: Filter['value']): Condition => ({ type: 'profile', where: [value === undefined ? { property, op } : { property, op, value }] });
type Filter = Static<typeof Filter>;

test('the schema accepts every kind of condition, nested to the maximum depth', () => {
  const good: unknown[] = [
    { type: 'profile', where: [{ property: 'plan', op: 'in', value: ['pro', 'business'] }] },
    { type: 'event', event: 'Viewed Product' },
    { type: 'event', event: 'Viewed Product', did: false, where: [{ property: 'price', op: '>=', value: 50 }], within: { last: '7d' } },
    { type: 'event', event: 'Charged', count: { op: '>=', value: 3 }, within: { from: '2026-11-01T00:00:00Z', to: '2026-11-08T00:00:00+01:00' } },
    { type: 'event', event: 'Charged', within: { from: '2026-11-01T00:00:00Z' } },
    { type: 'event', event: 'Charged', within: { to: '2026-11-01T00:00:00Z' } },
    { type: 'message', node: 'push-1', outcome: 'clicked', within: '1d' },
    { type: 'message', node: 'push-1', outcome: 'unreachable' },
    { type: 'all', of: [{ type: 'any', of: [{ type: 'not', of: { type: 'all', of: [{ type: 'event', event: 'x' }] } }] }] },
  ];
  for (const doc of good) assert.equal(check.Check(doc), true, JSON.stringify(doc));
});

test(`the schema allows ${MAX_GROUP_DEPTH} levels of groups and refuses a fifth`, () => {
  const nest = (levels: number): unknown => {
    let c: unknown = { type: 'event', event: 'x' };
    for (let i = 0; i < levels; i++) c = i % 2 === 0 ? { type: 'not', of: c } : { type: 'any', of: [c] };
    return c;
  };
  assert.equal(MAX_GROUP_DEPTH, 4);
  assert.equal(check.Check(nest(4)), true);
  assert.equal(check.Check(nest(5)), false);
});

test('the schema refuses malformed conditions; conditionSchemaProblems says where and why', () => {
  const bad: Array<[unknown, Problem[]]> = [
    [{ type: 'segment', where: [] }, [{ path: '/type', message: 'must be one of "profile", "event", "message", "all", "any", "not"' }]],
    ['profile', [{ path: '', message: 'must be a condition: an object whose "type" is one of "profile", "event", "message", "all", "any", "not"' }]],
    [{ where: [] }, [{ path: '', message: 'missing required field type' }]],
    [{ type: 'profile', where: [] }, [{ path: '/where', message: 'must not have fewer than 1 items' }]],
    [{ type: 'profile', where: [{ property: 'a', op: '~', value: 1 }] }, [{ path: '/where/0/op', message: 'must be one of "=", "!=", "<", "<=", ">", ">=", "contains", "in", "exists"' }]],
    [{ type: 'profile', where: [{ property: 'a', op: '=', value: {} }] }, [{ path: '/where/0/value', message: 'must be a string, a number, a boolean or a list of these' }]],
    [{ type: 'event', event: '' }, [{ path: '/event', message: 'must not have fewer than 1 characters' }]],
    [{ type: 'event', event: 'x', did: 'no' }, [{ path: '/did', message: 'must be boolean' }]],
    [{ type: 'event', event: 'x', count: { op: '>=', value: -1 } }, [{ path: '/count/value', message: 'must be >= 0' }]],
    [{ type: 'event', event: 'x', count: { op: '>=', value: 1.5 } }, [{ path: '/count/value', message: 'must be integer' }]],
    [{ type: 'event', event: 'x', count: { op: '!=', value: 1 } }, [{ path: '/count/op', message: 'must be one of ">=", ">", "=", "<", "<="' }]],
    [{ type: 'event', event: 'x', within: { last: '7 days' } }, [{ path: '/within/last', message: 'must be a duration: a whole number above 0 and a unit, e.g. "90s", "2h", "7d"' }]],
    [{ type: 'event', event: 'x', within: { last: '0d' } }, [{ path: '/within/last', message: 'must be a duration: a whole number above 0 and a unit, e.g. "90s", "2h", "7d"' }]],
    [{ type: 'event', event: 'x', within: { last: '7d', from: '2026-11-01T00:00:00Z' } }, [{ path: '/within/from', message: 'unknown field from' }]],
    [{ type: 'event', event: 'x', within: { from: 'yesterday' } }, [{ path: '/within/from', message: 'must be an ISO 8601 date-time with a zone, e.g. "2026-11-02T15:00:00Z"' }]],
    [{ type: 'event', event: 'x', within: { from: '2026-11-01' } }, [{ path: '/within/from', message: 'must be an ISO 8601 date-time with a zone, e.g. "2026-11-02T15:00:00Z"' }]],
    [{ type: 'event', event: 'x', extra: 1 }, [{ path: '/extra', message: 'unknown field extra' }]],
    [{ type: 'message', node: 'push', outcome: 'opened' }, [{ path: '/outcome', message: 'must be one of "sent", "unreachable", "failed", "clicked"' }]],
    [{ type: 'message', outcome: 'sent' }, [{ path: '/node', message: 'missing required field node' }]],
    [{ type: 'all', of: [] }, [{ path: '/of', message: 'an "all" group needs 1 to 50 conditions' }]],
    [{ type: 'any', of: { type: 'event', event: 'x' } }, [{ path: '/of', message: 'must be a list of conditions' }]],
    [{ type: 'not', of: [{ type: 'event', event: 'x' }] }, [{ path: '/of', message: 'must be a condition: an object whose "type" is one of "profile", "event", "message", "all", "any", "not"' }]],
    [{ type: 'not' }, [{ path: '', message: 'missing required field of' }]],
    [{ type: 'all', of: [profile('a', 'exists')], name: 'x' }, [{ path: '', message: 'unknown field name' }]],
    [
      { type: 'all', of: [{ type: 'any', of: [{ type: 'event' }, { type: 'not', of: { type: 'event', event: 'x', count: { op: '>=', value: -1 } } }] }, profile('a', 'exists')] },
      [
        { path: '/of/0/of/0/event', message: 'missing required field event' },
        { path: '/of/0/of/1/of/count/value', message: 'must be >= 0' },
      ],
    ],
  ];
  for (const [doc, problems] of bad) {
    assert.equal(check.Check(doc), false, JSON.stringify(doc));
    assert.deepEqual(conditionSchemaProblems(doc), problems, JSON.stringify(doc));
  }
  assert.deepEqual(conditionSchemaProblems({ type: 'event', event: 'x', did: 1 }, '/nodes/2/condition'), [{ path: '/nodes/2/condition/did', message: 'must be boolean' }]);
  assert.equal(Settings.Get().maxErrors, 8, 'the global setting is left as it was');
});

test('conditionSchemaProblems is empty exactly when the schema accepts', () => {
  const docs: unknown[] = [null, 1, [], {}, { type: 'all', of: [{ type: 'event', event: 'x' }] }, { type: 'not', of: profile('a', 'exists') }];
  let c: unknown = { type: 'event', event: 'x' };
  for (let i = 0; i <= MAX_GROUP_DEPTH; i++) docs.push((c = { type: 'any', of: [c] }));
  for (const doc of docs) assert.equal(conditionSchemaProblems(doc).length === 0, check.Check(doc), JSON.stringify(doc));
  assert.deepEqual(conditionSchemaProblems(c, '/c'), [{ path: '/c/of/0/of/0/of/0/of/0', message: 'groups (all, any, not) nest at most 4 deep' }]);
});

test('Filter and Duration are the same schemas as the journey definition’s', () => {
  assert.deepEqual(JSON.parse(JSON.stringify(Filter)), JSON.parse(JSON.stringify(definition.Filter)));
  assert.deepEqual(JSON.parse(JSON.stringify(Duration)), JSON.parse(JSON.stringify(definition.Duration)));
});

// --- profile ----------------------------------------------------------------------------------------------

test('profile: every filter must hold on the traits', () => {
  const vipInEurope: Condition = {
    type: 'profile',
    where: [
      { property: 'vip', op: '=', value: true },
      { property: 'country', op: 'in', value: ['PT', 'ES'] },
    ],
  };
  assert.equal(holds(vipInEurope, ctx({ traits: { vip: true, country: 'PT' } })), true);
  assert.equal(holds(vipInEurope, ctx({ traits: { vip: true, country: 'US' } })), false);
  assert.equal(holds(vipInEurope, ctx({ traits: {} })), false);
  assert.equal(holds(profile('plan', '!=', 'pro'), ctx({ traits: {} })), true, 'a missing trait is not equal to anything');
  assert.equal(holds(profile('plan', 'exists', false), ctx()), true);
});

// --- event ------------------------------------------------------------------------------------------------

test('event: did (the default) means at least one event of that name', () => {
  const events = [ev('Viewed Product', NOW - DAY), ev('Added to Cart', NOW - HOUR)];
  assert.equal(holds(viewed(), ctx({ events })), true);
  assert.equal(holds(viewed({ did: true }), ctx({ events })), true);
  assert.equal(holds({ type: 'event', event: 'Charged' }, ctx({ events })), false);
  assert.equal(holds(viewed(), ctx()), false);
  assert.equal(holds({ type: 'event', event: 'viewed product' }, ctx({ events })), false, 'names are case-sensitive');
});

test('event: where filters the events by their properties', () => {
  const events = [ev('Viewed Product', NOW - 3 * HOUR, { price: 20 }), ev('Viewed Product', NOW - 2 * HOUR, { price: '90' }), ev('Viewed Product', NOW - HOUR, { category: 'shoes' })];
  assert.equal(holds(viewed({ where: [{ property: 'price', op: '>=', value: 50 }] }), ctx({ events })), false, 'no coercion: "90" is not 90');
  assert.equal(holds(viewed({ where: [{ property: 'price', op: '<', value: 50 }] }), ctx({ events })), true);
  assert.equal(holds(viewed({ where: [{ property: 'category', op: '=', value: 'shoes' }] }), ctx({ events })), true);
  assert.equal(holds(viewed({ where: [] }), ctx({ events })), true);
  const threeMatching = viewed({ where: [{ property: 'price', op: 'exists' }], count: { op: '>=', value: 2 } });
  assert.equal(holds(threeMatching, ctx({ events })), true);
  assert.equal(holds({ ...threeMatching, count: { op: '>=', value: 3 } }, ctx({ events })), false, 'the event without price does not count');
});

test('event: counts with each operator, and did: false', () => {
  const three = [ev('Viewed Product', NOW - 3 * HOUR), ev('Viewed Product', NOW - 2 * HOUR), ev('Viewed Product', NOW - HOUR), ev('Other', NOW - HOUR)];
  const cases: Array<[EventCondition['count'], boolean]> = [
    [{ op: '>=', value: 3 }, true],
    [{ op: '>=', value: 4 }, false],
    [{ op: '>', value: 2 }, true],
    [{ op: '>', value: 3 }, false],
    [{ op: '=', value: 3 }, true],
    [{ op: '=', value: 2 }, false],
    [{ op: '=', value: 4 }, false],
    [{ op: '<', value: 4 }, true],
    [{ op: '<', value: 3 }, false],
    [{ op: '<=', value: 3 }, true],
    [{ op: '<=', value: 2 }, false],
    [{ op: '=', value: 0 }, false],
  ];
  for (const [count, expected] of cases) assert.equal(holds(viewed({ count }), ctx({ events: three })), expected, JSON.stringify(count));
  // Fewer than N includes never; "exactly 0" is "did not".
  assert.equal(holds(viewed({ count: { op: '<', value: 3 } }), ctx()), true);
  assert.equal(holds(viewed({ count: { op: '=', value: 0 } }), ctx()), true);
  assert.equal(holds(viewed({ did: false }), ctx()), true);
  assert.equal(holds(viewed({ did: false }), ctx({ events: three })), false);
  assert.equal(holds(viewed({ did: false }), ctx({ events: [ev('Other', NOW)] })), true);
  // Refused by validation, but defined: the negation of the count.
  assert.equal(holds(viewed({ did: false, count: { op: '>=', value: 4 } }), ctx({ events: three })), true);
  assert.equal(holds(viewed({ did: false, count: { op: '>=', value: 3 } }), ctx({ events: three })), false);
});

test('event: a relative window is (now - last, now]', () => {
  const last7d = viewed({ within: { last: '7d' } });
  const at = (t: number) => holds(last7d, ctx({ events: [ev('Viewed Product', t)] }));
  assert.equal(at(NOW - 7 * DAY), false, 'exactly `last` ago: excluded');
  assert.equal(at(NOW - 7 * DAY + 1), true, 'a millisecond later: included');
  assert.equal(at(NOW - DAY), true);
  assert.equal(at(NOW), true, 'now: included');
  assert.equal(at(NOW + 1), false, 'after now: never');
  const didNot = viewed({ did: false, within: { last: '7d' } });
  assert.equal(holds(didNot, ctx({ events: [ev('Viewed Product', NOW - 7 * DAY)] })), true, 'an older event does not break "did not in the last 7 days"');
  assert.equal(holds(didNot, ctx({ events: [ev('Viewed Product', NOW)] })), false);
});

test('event: "did Viewed Product >= 3 times in the last 7 days"', () => {
  const c = viewed({ count: { op: '>=', value: 3 }, within: { last: '7d' } });
  const twoRecentOneOld = [ev('Viewed Product', NOW - 8 * DAY), ev('Viewed Product', NOW - 2 * DAY), ev('Viewed Product', NOW - MIN)];
  assert.equal(holds(c, ctx({ events: twoRecentOneOld })), false);
  assert.equal(holds(c, ctx({ events: [...twoRecentOneOld, ev('Viewed Product', NOW - 6 * DAY)] })), true);
  assert.equal(holds(c, ctx({ now: NOW + 5 * DAY, events: [...twoRecentOneOld, ev('Viewed Product', NOW - 6 * DAY)] })), false, 'the same events, judged later');
});

test('event: an absolute window is [from, to), and never after now', () => {
  const from = '2026-11-01T00:00:00Z';
  const to = '2026-11-08T00:00:00Z';
  const F = Date.parse(from);
  const T = Date.parse(to);
  const between = viewed({ within: { from, to } });
  const at = (c: Condition, t: number, now = NOW) => holds(c, ctx({ now, events: [ev('Viewed Product', t)] }));
  assert.equal(at(between, F - 1), false, 'before from');
  assert.equal(at(between, F), true, 'from: included');
  assert.equal(at(between, T - 1), true);
  assert.equal(at(between, T), false, 'to: excluded');
  // A window that ends after now counts only up to now (now included).
  assert.equal(at(between, F + DAY, F + DAY), true);
  assert.equal(at(between, F + DAY + 1, F + DAY), false);
  assert.equal(at(between, F, F - 1), false, 'the window has not begun');
  // Open ends.
  const since = viewed({ within: { from } });
  assert.equal(at(since, F - 1), false);
  assert.equal(at(since, F), true);
  assert.equal(at(since, NOW), true);
  assert.equal(at(since, NOW + 1), false);
  const until = viewed({ within: { to } });
  assert.equal(at(until, 0), true);
  assert.equal(at(until, T - 1), true);
  assert.equal(at(until, T), false);
  // Offsets are instants: 01:00+01:00 is 00:00Z.
  assert.equal(at(viewed({ within: { from: '2026-11-01T01:00:00+01:00' } }), F), true);
  assert.equal(at(viewed({ within: { from: '2026-11-01T01:00:00+01:00' } }), F - 1), false);
});

test('event: without a window, all history up to now counts, and nothing after', () => {
  assert.equal(holds(viewed(), ctx({ events: [ev('Viewed Product', 0)] })), true);
  assert.equal(holds(viewed(), ctx({ events: [ev('Viewed Product', NOW)] })), true);
  assert.equal(holds(viewed(), ctx({ events: [ev('Viewed Product', NOW + 1)] })), false);
  assert.equal(holds(viewed({ did: false }), ctx({ events: [ev('Viewed Product', NOW + 1)] })), true);
});

test('event: counting does not depend on the order of the events', () => {
  const events = [ev('Viewed Product', NOW - MIN), ev('Viewed Product', NOW + DAY), ev('Viewed Product', NOW - 30 * DAY), ev('Viewed Product', NOW - 2 * MIN)];
  const c = viewed({ count: { op: '=', value: 2 }, within: { last: '1d' } });
  assert.equal(holds(c, ctx({ events })), true);
  assert.equal(holds(c, ctx({ events: [...events].reverse() })), true);
});

// --- message ----------------------------------------------------------------------------------------------

test('message: an outcome of a send node, at or before now', () => {
  const messages: MessageRecord[] = [
    { nodeId: 'push', outcome: 'sent', at: NOW - HOUR },
    { nodeId: 'sms', outcome: 'unreachable', at: NOW - HOUR },
    { nodeId: 'email', outcome: 'failed', at: NOW - MIN },
    { nodeId: 'push', outcome: 'clicked', at: NOW + MIN },
  ];
  const c = (node: string, outcome: MessageRecord['outcome']): Condition => ({ type: 'message', node, outcome });
  assert.equal(holds(c('push', 'sent'), ctx({ messages })), true);
  assert.equal(holds(c('sms', 'unreachable'), ctx({ messages })), true);
  assert.equal(holds(c('sms', 'sent'), ctx({ messages })), false);
  assert.equal(holds(c('email', 'failed'), ctx({ messages })), true);
  assert.equal(holds(c('push', 'clicked'), ctx({ messages })), false, 'a click after now does not count');
  assert.equal(holds(c('push', 'clicked'), ctx({ now: NOW + MIN, messages })), true, 'at now it does');
  assert.equal(holds(c('other', 'sent'), ctx({ messages })), false);
  assert.equal(holds(c('push', 'sent'), ctx()), false, 'outside a journey there are no outcomes');
  assert.equal(holds({ type: 'not', of: c('push', 'sent') }, ctx()), true);
});

test('message: within is measured from the send; ignored for sent and unreachable', () => {
  const sentAt = NOW - 2 * DAY;
  const clickedWithin = (within: string, clickAt: number, extra: MessageRecord[] = []) =>
    holds({ type: 'message', node: 'push', outcome: 'clicked', within }, ctx({ messages: [{ nodeId: 'push', outcome: 'sent', at: sentAt }, ...extra, { nodeId: 'push', outcome: 'clicked', at: clickAt }] }));
  assert.equal(clickedWithin('1d', sentAt + DAY), true, 'exactly `within` after the send: included');
  assert.equal(clickedWithin('1d', sentAt + DAY + 1), false);
  assert.equal(clickedWithin('2d', sentAt + DAY + 1), true);
  // The send a click belongs to is the latest one before it (a send node in a loop).
  assert.equal(clickedWithin('1h', sentAt + DAY + MIN, [{ nodeId: 'push', outcome: 'sent', at: sentAt + DAY }]), true);
  assert.equal(clickedWithin('1h', sentAt + DAY + MIN, [{ nodeId: 'push', outcome: 'sent', at: sentAt + DAY + 2 * MIN }]), false, 'a later send does not count');
  assert.equal(clickedWithin('1h', sentAt + DAY + MIN, [{ nodeId: 'sms', outcome: 'sent', at: sentAt + DAY }]), false, 'nor another node’s');
  // The outcome's own sentAt wins; without it or a 'sent' outcome there is nothing to measure from.
  const failed = (record: MessageRecord) => holds({ type: 'message', node: 'email', outcome: 'failed', within: '1h' }, ctx({ messages: [record] }));
  assert.equal(failed({ nodeId: 'email', outcome: 'failed', at: NOW - MIN, sentAt: NOW - HOUR }), true);
  assert.equal(failed({ nodeId: 'email', outcome: 'failed', at: NOW - MIN, sentAt: NOW - 2 * HOUR }), false);
  assert.equal(failed({ nodeId: 'email', outcome: 'failed', at: NOW - MIN }), false);
  assert.equal(holds({ type: 'message', node: 'email', outcome: 'failed' }, ctx({ messages: [{ nodeId: 'email', outcome: 'failed', at: NOW - MIN }] })), true);
  // For sent and unreachable, within changes nothing.
  assert.equal(holds({ type: 'message', node: 'push', outcome: 'sent', within: '1ms' }, ctx({ messages: [{ nodeId: 'push', outcome: 'sent', at: sentAt }] })), true);
  assert.equal(holds({ type: 'message', node: 'sms', outcome: 'unreachable', within: '1ms' }, ctx({ messages: [{ nodeId: 'sms', outcome: 'unreachable', at: sentAt }] })), true);
});

// --- groups -----------------------------------------------------------------------------------------------

test('groups: all, any, not, nested', () => {
  const vip = profile('vip', '=', true);
  const bought = { type: 'event', event: 'Charged', within: { last: '30d' } } as const satisfies Condition;
  const browsed = viewed({ count: { op: '>=', value: 3 }, within: { last: '7d' } });
  // Browsed a lot but bought nothing lately, and (is VIP or has no plan).
  const segment: Condition = {
    type: 'all',
    of: [browsed, { type: 'not', of: bought }, { type: 'any', of: [vip, profile('plan', 'exists', false)] }],
  };
  const browsing = [1, 2, 3].map((i) => ev('Viewed Product', NOW - i * HOUR));
  assert.equal(holds(segment, ctx({ events: browsing, traits: { vip: true, plan: 'pro' } })), true);
  assert.equal(holds(segment, ctx({ events: browsing, traits: { plan: 'pro' } })), false, 'neither VIP nor without a plan');
  assert.equal(holds(segment, ctx({ events: browsing, traits: {} })), true);
  assert.equal(holds(segment, ctx({ events: [...browsing, ev('Charged', NOW - 10 * DAY)], traits: {} })), false, 'bought lately');
  assert.equal(holds(segment, ctx({ events: [...browsing, ev('Charged', NOW - 31 * DAY)], traits: {} })), true, 'bought long ago');
  assert.equal(holds(segment, ctx({ events: browsing.slice(1), traits: {} })), false, 'browsed twice only');
  assert.equal(holds({ type: 'not', of: { type: 'not', of: vip } }, ctx({ traits: { vip: true } })), true);
  // Empty groups are refused by validation; evaluated anyway, all of nothing holds and any of nothing does not.
  assert.equal(holds({ type: 'all', of: [] }, ctx()), true);
  assert.equal(holds({ type: 'any', of: [] }, ctx()), false);
});

test('a compiled condition is reusable across users and instants', () => {
  const c = compileCondition(viewed({ within: { last: '1h' } }));
  const users = [[ev('Viewed Product', NOW - MIN)], [ev('Viewed Product', NOW - 2 * HOUR)], []];
  assert.deepEqual(users.map((events) => c(ctx({ events }))), [true, false, false]);
  assert.equal(c(ctx({ now: NOW - HOUR - MIN, events: users[1]! })), true);
});

test('compiling refuses what does not parse', () => {
  assert.throws(() => compileCondition(viewed({ within: { from: '2026-02-30T00:00:00Z' } })), /RFC 3339/);
  assert.throws(() => compileCondition(viewed({ within: { last: '1w' } })), /not a duration/);
});

// --- eventNeeds -------------------------------------------------------------------------------------------

test('eventNeeds: the names, and the earliest timestamp any window reaches, in all and per name', () => {
  const one = (name: string, since: number | null) => ({ names: [name], since, ranges: [{ name, since }] });
  assert.deepEqual(eventNeeds(profile('vip', '=', true), NOW), { names: [], since: null, ranges: [] });
  assert.deepEqual(eventNeeds(viewed({ within: { last: '7d' } }), NOW), one('Viewed Product', NOW - 7 * DAY));
  assert.deepEqual(eventNeeds(viewed(), NOW), one('Viewed Product', null), 'no window: all history');
  assert.deepEqual(eventNeeds(viewed({ within: { to: '2026-11-01T00:00:00Z' } }), NOW), one('Viewed Product', null));
  assert.deepEqual(eventNeeds(viewed({ within: { from: '2026-11-01T00:00:00Z' } }), NOW), one('Viewed Product', Date.parse('2026-11-01T00:00:00Z')));
  assert.deepEqual(eventNeeds(viewed({ within: { from: '2026-12-01T00:00:00Z' } }), NOW), one('Viewed Product', NOW), 'never later than now');
  const mixed: Condition = {
    type: 'any',
    of: [
      viewed({ within: { last: '7d' } }),
      { type: 'not', of: { type: 'event', event: 'Charged', within: { last: '30d' } } },
      { type: 'all', of: [viewed({ within: { last: '1d' } }), profile('vip', 'exists'), { type: 'message', node: 'push', outcome: 'sent' }] },
    ],
  };
  assert.deepEqual(eventNeeds(mixed, NOW), {
    names: ['Viewed Product', 'Charged'],
    since: NOW - 30 * DAY,
    ranges: [
      { name: 'Viewed Product', since: NOW - 7 * DAY },
      { name: 'Charged', since: NOW - 30 * DAY },
    ],
  });
  assert.deepEqual(eventNeeds({ type: 'all', of: [mixed, { type: 'event', event: 'Signed Up' }] }, NOW), {
    names: ['Viewed Product', 'Charged', 'Signed Up'],
    since: null,
    ranges: [
      { name: 'Viewed Product', since: NOW - 7 * DAY },
      { name: 'Charged', since: NOW - 30 * DAY },
      { name: 'Signed Up', since: null },
    ],
  });
  const viewedEver: Condition = { type: 'any', of: [viewed({ within: { last: '1d' } }), viewed(), viewed({ within: { last: '2d' } })] };
  assert.deepEqual(eventNeeds(viewedEver, NOW), one('Viewed Product', null), 'a name with no window anywhere: all its history');
});

test('eventNeeds: loading only what it asks for answers the same', () => {
  const c: Condition = { type: 'all', of: [viewed({ count: { op: '>=', value: 2 }, within: { last: '7d' } }), { type: 'not', of: { type: 'event', event: 'Charged', within: { last: '3d' } } }] };
  const all = [ev('Viewed Product', NOW - 8 * DAY), ev('Viewed Product', NOW - 6 * DAY), ev('Viewed Product', NOW - DAY), ev('Charged', NOW - 4 * DAY), ev('Opened App', NOW)];
  const needs = eventNeeds(c, NOW);
  const loaded = all.filter((e) => needs.ranges.some((r) => r.name === e.name && (r.since === null || e.timestamp >= r.since)) && e.timestamp <= NOW);
  assert.equal(loaded.length, 2, 'the view of 6 days ago and the one of yesterday: the charge is older than its own 3 days');
  assert.equal(holds(c, ctx({ events: loaded })), holds(c, ctx({ events: all })));
});

// --- problems ---------------------------------------------------------------------------------------------

test('conditionProblems: each problem at the path of its field', () => {
  const c: Condition = {
    type: 'all',
    of: [
      { type: 'profile', where: [{ property: 'plan', op: 'in', value: 'pro' }] },
      { type: 'any', of: [viewed({ did: false, count: { op: '>=', value: 2 } }), viewed({ where: [{ property: 'price', op: '<', value: true }] })] },
      { type: 'not', of: viewed({ within: { from: '2026-11-08T00:00:00Z', to: '2026-11-08T00:00:00Z' } }) },
      viewed({ within: { from: '2026-02-30T00:00:00Z', to: '2026-11-08T00:00:00' } }),
      { type: 'any', of: [] },
      viewed({ count: { op: '<', value: 0 } }),
      viewed({ count: { op: '>=', value: 0 } }),
      { type: 'message', node: 'push', outcome: 'clicked', within: '1d' },
    ],
  };
  assert.deepEqual(
    conditionProblems(c, '/nodes/3/condition', { allowMessages: false }).map((p) => p.path),
    [
      '/nodes/3/condition/of/0/where/0/value',
      '/nodes/3/condition/of/1/of/0/count',
      '/nodes/3/condition/of/1/of/1/where/0/value',
      '/nodes/3/condition/of/2/of/within',
      '/nodes/3/condition/of/3/within/from',
      '/nodes/3/condition/of/3/within/to',
      '/nodes/3/condition/of/4/of',
      '/nodes/3/condition/of/5/count',
      '/nodes/3/condition/of/6/count',
      '/nodes/3/condition/of/7',
    ],
  );
  const messages = conditionProblems(c, '', { allowMessages: false }).map((p) => p.message);
  assert.match(messages[1]!, /did.*false/);
  assert.match(messages[3]!, /"from" must be before "to"/);
  assert.match(messages[6]!, /"any" group needs at least one condition/);
  assert.match(messages[9]!, /only allowed inside a journey/);
  assert.deepEqual(
    conditionProblems(c, '', { allowMessages: true }).map((p) => p.path),
    ['/of/0/where/0/value', '/of/1/of/0/count', '/of/1/of/1/where/0/value', '/of/2/of/within', '/of/3/within/from', '/of/3/within/to', '/of/4/of', '/of/5/count', '/of/6/count'],
  );
});

test('conditionProblems: a good condition has none', () => {
  const c: Condition = {
    type: 'all',
    of: [
      profile('vip', '=', true),
      viewed({ count: { op: '>=', value: 3 }, within: { last: '7d' }, where: [{ property: 'price', op: '>', value: 10 }] }),
      viewed({ did: false, within: { from: '2026-11-01T00:00:00Z', to: '2026-11-01T00:00:00.001Z' } }),
      { type: 'not', of: { type: 'message', node: 'push', outcome: 'clicked', within: '1d' } },
    ],
  };
  assert.deepEqual(conditionProblems(c, '/goals/0/condition', { allowMessages: true }), []);
});

test('conditionProblems: nesting deeper than the schema allows', () => {
  let c: Condition = viewed();
  for (let i = 0; i < MAX_GROUP_DEPTH; i++) c = { type: 'all', of: [c] };
  assert.deepEqual(conditionProblems(c, '', { allowMessages: false }), []);
  assert.deepEqual(
    conditionProblems({ type: 'not', of: c }, '/c', { allowMessages: false }).map((p) => p.path),
    ['/c/of/of/0/of/0/of/0'],
  );
});

test('messageNodes: the send nodes named, with the path of each node field', () => {
  const c: Condition = {
    type: 'any',
    of: [
      { type: 'message', node: 'push', outcome: 'clicked' },
      { type: 'not', of: { type: 'all', of: [viewed(), { type: 'message', node: 'sms', outcome: 'failed' }] } },
    ],
  };
  assert.deepEqual(messageNodes(c, '/nodes/4/condition'), [
    { nodeId: 'push', path: '/nodes/4/condition/of/0/node' },
    { nodeId: 'sms', path: '/nodes/4/condition/of/1/of/of/1/node' },
  ]);
  assert.deepEqual(messageNodes(viewed()), []);
  assert.deepEqual(messageNodes({ type: 'message', node: 'push', outcome: 'sent' }), [{ nodeId: 'push', path: '/node' }]);
});

test('usesEvents, usesMessages, usesTraits', () => {
  const c: Condition = { type: 'not', of: { type: 'any', of: [profile('vip', 'exists'), { type: 'message', node: 'push', outcome: 'sent' }] } };
  assert.deepEqual([usesEvents(c), usesMessages(c), usesTraits(c)], [false, true, true]);
  assert.deepEqual([usesEvents(viewed()), usesMessages(viewed()), usesTraits(viewed())], [true, false, false]);
});

test('parseInstant: RFC 3339 with a zone, strictly', () => {
  assert.equal(parseInstant('2026-11-02T15:00:00Z'), Date.UTC(2026, 10, 2, 15));
  assert.equal(parseInstant('2026-11-02T16:00:00+01:00'), Date.UTC(2026, 10, 2, 15));
  assert.equal(parseInstant('2026-11-02t15:00:00.250z'), Date.UTC(2026, 10, 2, 15, 0, 0, 250));
  assert.equal(parseInstant('2024-02-29T00:00:00Z'), Date.UTC(2024, 1, 29));
  for (const bad of [
    '2026-02-29T00:00:00Z', // not a leap year
    '2026-02-30T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-11-02T24:00:00Z',
    '2026-12-31T23:59:60Z',
    '2026-11-02T15:00:00', // no zone
    '2026-11-02T15:00Z', // no seconds
    '2026-11-02 15:00:00Z',
    '2026-11-02',
    '2026-11-02T15:00:00+24:00',
    '2026-11-02T15:00:00+01:00[Europe/Paris]',
    'yesterday',
  ]) {
    assert.equal(parseInstant(bad), null, bad);
  }
});
