/**
 * Segment conditions at their edges (docs/journeys.md, "Segments"): an absolute window whose end is the
 * moment of evaluation, the send a click is measured from, what a store must load when one leaf reads all
 * history, each check's problem and text, and RFC 3339 instants on every calendar edge Date.parse lets through.
 * Every expected value by hand.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCondition, conditionProblems, eventNeeds, parseInstant, segmentConditionProblems, type Condition, type EventCondition, type MessageRecord, type UserEvent } from '../../src/core/segment.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-11-10T12:00:00Z');

const ev = (name: string, timestamp: number): UserEvent => ({ name, timestamp, properties: {} });
const viewed = (over: Partial<EventCondition> = {}): EventCondition => ({ type: 'event', event: 'Viewed Product', ...over });
const holds = (c: Condition, events: UserEvent[] = [], messages?: MessageRecord[]) => compileCondition(c)({ now: NOW, traits: {}, events, ...(messages ? { messages } : {}) });
const problems = (c: unknown, allowMessages = true) => conditionProblems(c as Condition, '/c', { allowMessages }).map((p) => `${p.path} ${p.message}`);

test('an absolute window ending at the moment of evaluation still leaves its end out', () => {
  const c = viewed({ within: { from: '2026-11-01T00:00:00Z', to: '2026-11-10T12:00:00Z' } }); // to = NOW
  assert.equal(holds(c, [ev('Viewed Product', NOW)]), false, 'to is excluded, even when it is now');
  assert.equal(holds(c, [ev('Viewed Product', NOW - 1)]), true);
});

test('a click within a time of its send: the send at the same millisecond counts, and the latest send before it, in any order', () => {
  const clicked = (within: string, records: MessageRecord[]) => holds({ type: 'message', node: 'push', outcome: 'clicked', within }, [], records);
  const at = NOW - DAY;
  assert.equal(clicked('1ms', [{ nodeId: 'push', outcome: 'sent', at }, { nodeId: 'push', outcome: 'clicked', at }]), true, 'sent and clicked in one millisecond: 0 ms apart');
  // Sent at S - 2 h and again at S, listed latest first; clicked 30 min after S: measured from S, inside 1 h.
  const S = NOW - DAY;
  const records: MessageRecord[] = [
    { nodeId: 'push', outcome: 'sent', at: S },
    { nodeId: 'push', outcome: 'sent', at: S - 2 * HOUR },
    { nodeId: 'push', outcome: 'clicked', at: S + 30 * MIN },
  ];
  assert.equal(clicked('1h', records), true);
});

test('eventNeeds: one leaf reading all history makes the union all history, whatever the leaves after it, but not the other names\' ranges', () => {
  const c: Condition = { type: 'all', of: [{ type: 'event', event: 'Signed Up' }, viewed({ within: { last: '7d' } })] };
  assert.deepEqual(eventNeeds(c, NOW), {
    names: ['Signed Up', 'Viewed Product'],
    since: null,
    ranges: [
      { name: 'Signed Up', since: null },
      { name: 'Viewed Product', since: NOW - 7 * DAY },
    ],
  });
});

test('segmentConditionProblems: a malformed condition answers its shape only, and is not usable; a sound one is', () => {
  const malformed = segmentConditionProblems({ type: 'event', count: { op: '<', value: 0 } } as unknown as Condition, '/c', true);
  assert.equal(malformed.usable, false);
  assert.deepEqual(malformed.problems.map((p) => p.path), ['/c/event']);
  assert.deepEqual(segmentConditionProblems(viewed({ count: { op: '<', value: 0 } }), '/c', true), { problems: [{ path: '/c/count', message: 'fewer than 0 times never holds' }], usable: false });
  assert.deepEqual(segmentConditionProblems(viewed(), '/c', true), { problems: [], usable: true });
});

test('conditionProblems: a profile condition needs a filter; a message condition a duration', () => {
  assert.deepEqual(problems({ type: 'profile', where: [] }), ['/c/where a profile condition needs at least one filter']);
  assert.deepEqual(problems({ type: 'message', node: 'push', outcome: 'clicked', within: 'soon' }), ['/c/within not a duration: "soon"']);
  assert.deepEqual(problems({ type: 'message', node: 'push', outcome: 'clicked', within: '1d' }), []);
});

test('conditionProblems: counts that always or never hold, and only those', () => {
  assert.deepEqual(problems(viewed({ count: { op: '<', value: 0 } })), ['/c/count fewer than 0 times never holds']);
  assert.deepEqual(problems(viewed({ count: { op: '>=', value: 0 } })), ['/c/count 0 times or more always holds']);
  for (const count of [{ op: '>', value: 0 }, { op: '<', value: 1 }, { op: '>=', value: 1 }, { op: '=', value: 0 }] as const) assert.deepEqual(problems(viewed({ count })), [], JSON.stringify(count));
});

test('conditionProblems: windows need last, or from and/or to, each readable', () => {
  assert.deepEqual(problems(viewed({ within: { last: '1w' } })), ['/c/within/last not a duration: "1w"']);
  assert.deepEqual(problems(viewed({ within: {} as never })), ['/c/within a window needs "last", or "from" and/or "to"']);
  assert.deepEqual(problems(viewed({ within: { from: '2026-11-01T00:00:00Z' } })), []);
  assert.deepEqual(problems(viewed({ within: { to: '2026-11-01T00:00:00Z' } })), []);
  // A readable from with an unreadable to: only the to is wrong (no "empty window" from comparing with nothing).
  assert.deepEqual(problems(viewed({ within: { from: '2026-11-01T00:00:00Z', to: 'next week' } })), ['/c/within/to not an RFC 3339 date-time with a zone, e.g. "2026-11-02T15:00:00Z"']);
});

test('conditionProblems: groups nested too deep say how deep they may go', () => {
  let c: Condition = viewed();
  for (let i = 0; i < 5; i++) c = { type: 'not', of: c };
  assert.deepEqual(problems(c), ['/c/of/of/of/of groups (all, any, not) nest at most 4 deep']);
});

test('a condition or count of a type the language does not have is an error', () => {
  assert.throws(() => compileCondition({ type: 'sometimes' } as unknown as Condition), /unexpected value/);
  assert.throws(() => compileCondition(viewed({ count: { op: '!=', value: 1 } as never })), /unexpected value/);
  assert.throws(() => conditionProblems({ type: 'sometimes' } as unknown as Condition, '', { allowMessages: true }), /unexpected value/);
});

test('parseInstant: the last valid value of every field passes, the days a month does not have are refused', () => {
  assert.equal(parseInstant('2026-01-31T00:00:00Z'), Date.UTC(2026, 0, 31)); // January has 31 days
  assert.equal(parseInstant('2026-12-31T23:59:59Z'), Date.UTC(2026, 11, 31, 23, 59, 59));
  assert.equal(parseInstant('2026-11-02T15:00:00+23:59'), Date.UTC(2026, 10, 1, 15, 1)); // 15:00 at +23:59 is 23 h 59 min earlier in UTC
  assert.equal(parseInstant('2000-02-29T00:00:00Z'), Date.UTC(2000, 1, 29)); // divisible by 400: a leap year
  // Date.parse would roll each of these over into the next month.
  assert.equal(parseInstant('1900-02-29T00:00:00Z'), null); // divisible by 100, not by 400: a common year
  assert.equal(parseInstant('2026-04-31T00:00:00Z'), null); // April has 30 days
  assert.equal(parseInstant('2026-11-02T24:00:00Z'), null);
});
