/** Frequency caps and splits on a segment condition, through the pure interpreter. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capped, type CapContext } from '../../src/core/interpreter.ts';
import { compile, drive, ev, who } from './drive.ts';
import { path } from '../journeys.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T = Date.UTC(2026, 5, 10, 12);

const rules: CapContext['rules'] = [
  { max: 3, perMs: DAY },
  { max: 1, perMs: HOUR, channel: 'push' },
];

test('capped: rolling windows, per channel or overall, this step\'s own sends included', () => {
  const caps = (recent: CapContext['recent']): CapContext => ({ rules, recent });
  assert.equal(capped(caps([]), 'push', T), false);
  assert.equal(capped(caps([{ channel: 'push', at: T - HOUR + 1 }]), 'push', T), true, 'one push in the last hour');
  assert.equal(capped(caps([{ channel: 'push', at: T - HOUR }]), 'push', T), false, 'the window is the last hour, its start excluded');
  assert.equal(capped(caps([{ channel: 'push', at: T - HOUR + 1 }]), 'sms', T), false, 'the push cap does not hold SMS back');
  const two = [{ channel: 'sms' as const, at: T - 5 * HOUR }, { channel: 'email' as const, at: T - 2 * HOUR }];
  assert.equal(capped(caps(two), 'sms', T), false);
  assert.equal(capped(caps(two), 'sms', T, [{ channel: 'email', at: T }]), true, 'three in a day with this step\'s email');
  assert.equal(capped(undefined, 'sms', T), false);
});

const twoSends = (setup: Record<string, unknown> = {}) =>
  compile(path('caps', [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
      { id: 'push1', kind: 'send', channel: 'push', message: { title: 't', body: 'one' } },
      { id: 'push2', kind: 'send', channel: 'push', message: { title: 't', body: 'two' } },
      { id: 'email', kind: 'send', channel: 'email', message: { subject: 's', body: 'capped' } },
      { id: 'out', kind: 'exit' },
  ], {
    setup,
    branches: [
      { from: 'push2', to: 'out' },
      { from: 'push2', to: 'email', branch: 'unreachable' },
    ],
  }));

test('a capped message is not sent: skipped with reason frequency_cap, down the "unreachable" branch', () => {
  const run = drive(twoSends(), ev('Signed Up', T), [], T + DAY, who, { caps: { rules, recent: [] } });
  assert.deepEqual(run.sent, [[0, 'push1'], [0, 'email']]);
  assert.deepEqual(run.log.flatMap(([, e]) => (e.type === 'skip' ? [[e.nodeId, e.reason]] : [])), [['push2', 'frequency_cap']]);
});

test('a journey that opts out of the caps sends anyway', () => {
  const run = drive(twoSends({ ignoreFrequencyCaps: true }), ev('Signed Up', T), [], T + DAY, who, { caps: { rules, recent: [] } });
  assert.deepEqual(run.sent, [[0, 'push1'], [0, 'push2']]);
});

test('split on a segment condition: event history and the outcome of an earlier send', () => {
  const journey = compile(path('history', [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
      { id: 'sms', kind: 'send', channel: 'sms', message: { body: 'hi' } },
      {
        id: 'engaged',
        kind: 'split',
        condition: {
          type: 'all',
          of: [
            { type: 'event', event: 'Viewed Product', count: { op: '>=', value: 3 }, within: { last: '7d' } },
            { type: 'message', node: 'sms', outcome: 'sent' },
          ],
        },
      },
      { id: 'yes', kind: 'send', channel: 'push', message: { title: 't', body: 'engaged' } },
      { id: 'out', kind: 'exit' },
  ], {
    branches: [
      { from: 'sms', to: 'engaged' },
      { from: 'engaged', to: 'yes', branch: 'yes' },
      { from: 'engaged', to: 'out', branch: 'no' },
    ],
  }));
  const views = (n: number, ago = HOUR) => Array.from({ length: n }, (_, i) => ({ name: 'Viewed Product', timestamp: T - ago - i, properties: {} }));
  assert.deepEqual(drive(journey, ev('Signed Up', T), [], T + DAY, who, { events: views(3) }).sent, [[0, 'sms'], [0, 'yes']]);
  assert.deepEqual(drive(journey, ev('Signed Up', T), [], T + DAY, who, { events: views(2) }).sent, [[0, 'sms']]);
  assert.deepEqual(drive(journey, ev('Signed Up', T), [], T + DAY, who, { events: views(3, 8 * DAY) }).sent, [[0, 'sms']], 'too long ago');
  const noPhone = { ...who, traits: { pushToken: 'tok' } };
  assert.deepEqual(drive(journey, ev('Signed Up', T), [], T + DAY, noPhone, { events: views(3) }).sent, [], 'the SMS was unreachable');
});

test('split validation: a message condition must name a send node; where and condition are exclusive', async () => {
  const { compileJourney } = await import('../../src/core/validate.ts');
  const result = compileJourney(path('bad', [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
      { id: 's', kind: 'split', condition: { type: 'message', node: 'nope', outcome: 'sent' } },
      { id: 't', kind: 'split', where: [{ property: 'plan', op: '=', value: 'pro' }], condition: { type: 'profile', where: [] } },
      { id: 'out', kind: 'exit' },
  ], {
    branches: [
      { from: 's', to: 't', branch: 'yes' },
      { from: 's', to: 'out', branch: 'no' },
      { from: 't', to: 'out', branch: 'yes' },
      { from: 't', to: 'out', branch: 'no' },
    ],
  }));
  const problems = result.ok ? [] : result.problems.map((p) => `${p.path} ${p.message}`);
  assert.ok(problems.includes('/nodes/1/condition/node "nope" is not a send node of this journey'), problems.join('\n'));
  assert.ok(problems.includes('/nodes/2 a split needs exactly one of "where" (profile filters) or "condition" (a segment condition)'), problems.join('\n'));
});
