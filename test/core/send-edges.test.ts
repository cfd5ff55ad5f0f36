/**
 * The send node at its edges (docs/journeys.md, "send", "DND", "Frequency caps", "split ... message outcome"):
 * what a skip counts, the outcome recorded per message for splits that read it (and the store's record
 * winning over it), DND's default and a skip outside the window, the caps' window and channels, and what a
 * send says of a user waiting at it. Expected values by hand.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Effect, ProfileView } from '../../src/core/instance.ts';
import { advance, capped, startInstance, type CapContext, type Env } from '../../src/core/interpreter.ts';
import { specOf, type JourneyNode } from '../../src/core/nodes/index.ts';
import { publishChecks } from '../../src/core/publish-checks.ts';
import { compileJourney } from '../../src/core/validate.ts';
import { compile, ev, who } from './drive.ts';
import { path } from '../journeys.ts';

const HOUR = 3_600_000;
const MIN = 60_000;
const T = Date.UTC(2026, 5, 10, 12); // Wednesday 10 June 2026, 12:00 UTC

const sentNodes = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'send' ? [e.nodeId] : []));

/** Signed Up -> push -> 1 h -> split on whether the push was sent -> "y" (SMS) or "n" (email) -> exit. */
const outcomeSplit = () =>
  compile(path('o', [
    { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
    { id: 'push', kind: 'send', channel: 'push', message: { title: 't', body: 'b' } },
    { id: 'pause', kind: 'delay', duration: '1h' },
    { id: 'was-sent', kind: 'split', condition: { type: 'message', node: 'push', outcome: 'sent' } },
    { id: 'y', kind: 'send', channel: 'sms', message: { body: 'sent' } },
    { id: 'n', kind: 'send', channel: 'email', message: { subject: 's', body: 'not sent' } },
    { id: 'out', kind: 'exit' },
  ], {
    branches: [
      { from: 'was-sent', to: 'y', branch: 'yes' },
      { from: 'was-sent', to: 'n', branch: 'no' },
      { from: 'y', to: 'out' },
      { from: 'n', to: 'out' },
    ],
  }));

const start = (j: ReturnType<typeof compile>, env: Partial<Env> = {}) => startInstance(j, 'j', 1, { ...ev('Signed Up', T), messageId: 'e1' }, { now: T, profile: who, ...env });

test('each message\'s outcome is recorded for a split that reads it: sent, with when', () => {
  const j = outcomeSplit();
  const first = start(j);
  assert.deepEqual(first.instance.outcomes, [{ nodeId: 'push', outcome: 'sent', at: T }]);
  const later = advance(j, first.instance, { type: 'timer' }, { now: T + HOUR, profile: who });
  assert.deepEqual(sentNodes(later.effects), ['y']);
  assert.deepEqual(later.instance.outcomes, [
    { nodeId: 'push', outcome: 'sent', at: T },
    { nodeId: 'y', outcome: 'sent', at: T + HOUR },
  ]);
});

test('a message skipped (no push token) is recorded unreachable, counted as a skip of its node, and the split says no', () => {
  const j = outcomeSplit();
  const noToken: ProfileView = { userId: 'u', traits: { email: 'u@x.test', phone: '+1555' } };
  const first = start(j, { profile: noToken });
  assert.deepEqual(first.instance.outcomes, [{ nodeId: 'push', outcome: 'unreachable', at: T }]);
  assert.deepEqual(first.effects.slice(2, 5), [
    { type: 'count', metric: 'node_entered', nodeId: 'push' },
    { type: 'skip', sendId: 'j:0mq80o000:e1:push:1', nodeId: 'push', channel: 'push', reason: 'no_push_token' },
    { type: 'count', metric: 'node_skipped', nodeId: 'push' },
  ]);
  const later = advance(j, first.instance, { type: 'timer' }, { now: T + HOUR, profile: noToken });
  assert.deepEqual(sentNodes(later.effects), ['n']);
});

test('a message whose template fails is recorded failed, with the moment it was attempted', () => {
  const j = outcomeSplit();
  const first = start(j, { render: () => ({ ok: false, error: 'body: boom' }) });
  assert.deepEqual(first.instance.outcomes, [{ nodeId: 'push', outcome: 'failed', at: T, sentAt: T }]);
  assert.deepEqual(first.effects.filter((e) => e.type === 'fail'), [{ type: 'fail', sendId: 'j:0mq80o000:e1:push:1', nodeId: 'push', channel: 'push', reason: 'render_failed', detail: 'body: boom' }]);
});

test("the store's record of a message wins over the instance's own: a push that failed after the send reads as not sent", () => {
  const j = outcomeSplit();
  const first = start(j);
  const messages = [{ nodeId: 'push', outcome: 'failed' as const, at: T + 30 * MIN, sentAt: T }];
  const later = advance(j, first.instance, { type: 'timer' }, { now: T + HOUR, profile: who, messages });
  assert.deepEqual(sentNodes(later.effects), ['n']);
});

/** Signed Up -> push -> exit, under the given DND. */
const dndPush = (dnd: Record<string, unknown>) =>
  compile(path('q', [{ id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } }, { id: 'push', kind: 'send', channel: 'push', message: { title: 't', body: 'b' } }, { id: 'out', kind: 'exit' }], { setup: { timezone: 'UTC', dnd } }));

test('DND without whenInDnd defers (the default): a push due inside the hours waits for their end', () => {
  // 12:00 UTC is inside 10:00-14:00: the push waits until 14:00, T + 2 h.
  const j = dndPush({ start: '10:00', end: '14:00', timezone: 'journey' });
  assert.equal(j.dnd?.whenInDnd, 'defer');
  const first = start(j);
  assert.deepEqual(sentNodes(first.effects), []);
  assert.equal(first.instance.wakeAt, T + 2 * HOUR);
  assert.deepEqual(sentNodes(advance(j, first.instance, { type: 'timer' }, { now: T + 2 * HOUR, profile: who }).effects), ['push']);
});

test('DND "skip" skips only inside the hours: a push due outside them is sent', () => {
  // 12:00 UTC is outside 21:00-09:00.
  assert.deepEqual(sentNodes(start(dndPush({ start: '21:00', end: '09:00', timezone: 'journey', whenInDnd: 'skip' })).effects), ['push']);
  const inside = start(dndPush({ start: '11:00', end: '13:00', timezone: 'journey', whenInDnd: 'skip' })).effects;
  assert.deepEqual(inside.flatMap((e) => (e.type === 'skip' ? [e.reason] : [])), ['dnd']);
});

test('capped: only messages inside the window count: none stamped after the moment of sending, none of another channel', () => {
  const rules: CapContext['rules'] = [{ max: 1, perMs: HOUR, channel: 'push' }];
  assert.equal(capped({ rules, recent: [{ channel: 'push', at: T }] }, 'push', T), true, 'one push at the moment itself');
  assert.equal(capped({ rules, recent: [{ channel: 'push', at: T + 1 }] }, 'push', T), false, 'one a millisecond later is not in the window');
  assert.equal(capped({ rules, recent: [{ channel: 'sms', at: T - MIN }] }, 'push', T), false, 'an SMS does not count against a push cap');
  assert.equal(capped({ rules, recent: [] }, 'push', T, [{ channel: 'sms', at: T }]), false, "this step's SMS does not either");
  assert.equal(capped({ rules, recent: [] }, 'push', T, [{ channel: 'push', at: T }]), true, "this step's push does");
});

test('what a send says of a user waiting at it', () => {
  const node = { id: 'p', kind: 'send', channel: 'push', message: { title: 't', body: 'b' } } as JourneyNode;
  assert.equal(specOf(node).explain?.(node), 'deferred past do-not-disturb hours');
});

test('the publish check on addresses passes over channels that need none (inbox, webhook)', () => {
  const compiled = compileJourney(path('a', [
    { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
    { id: 'box', kind: 'send', channel: 'inbox', message: { title: 't', body: 'b' } },
    { id: 'hook', kind: 'send', channel: 'webhook', message: { url: 'https://example.test/hook', body: '{}' } },
    { id: 'out', kind: 'exit' },
  ]));
  assert.ok(compiled.ok);
  assert.deepEqual(publishChecks(compiled.journey, { knownTraits: new Set(['name']) }), { errors: [], warnings: [] });
});

test("a send's message: a missing required field and an unknown one are refused at their paths; a URL is no template", () => {
  const problems = (message: Record<string, unknown>, channel = 'sms') => {
    const result = compileJourney(path('m', [{ id: 'in', kind: 'entry', trigger: { type: 'action', event: 'A' } }, { id: 's', kind: 'send', channel, message }, { id: 'out', kind: 'exit' }] as never));
    return result.ok ? [] : result.problems.map(({ path: at, message: text }) => `${at} ${text}`);
  };
  assert.deepEqual(problems({}), ['/nodes/1/message/body missing required field body']);
  assert.deepEqual(problems({ body: 'x', colour: 'red' }), ['/nodes/1/message/colour unknown field colour']);
  // A template is at most 100,000 characters: the schema's own limit, refused before any channel's check.
  assert.deepEqual(problems({ body: 'b'.repeat(100_001) }), ['/nodes/1/message/body must not have more than 100000 characters']);
  // Liquid would refuse an include in a template; a webhook's url is sent as written, so it is not one.
  assert.deepEqual(problems({ url: 'https://example.test/{% include "x" %}', body: '{}' }, 'webhook'), []);
  assert.deepEqual(problems({ url: 'https://example.test/', body: '{% include "x" %}' }, 'webhook'), ['/nodes/1/message/body templates cannot include files ({% include %}) at line 1, column 1']);
  const extra = compileJourney(path('m', [{ id: 'in', kind: 'entry', trigger: { type: 'action', event: 'A' } }, { id: 's', kind: 'send', channel: 'sms', message: { body: 'x' }, colour: 1 }, { id: 'out', kind: 'exit' }] as never));
  assert.deepEqual(extra.ok ? [] : extra.problems, [{ path: '/nodes/1/colour', message: 'unknown field colour' }]);
});
