/** explainUser is pure: instances and messages in, a human answer out. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Instance } from '../../src/core/instance.ts';
import { explainView } from '../../src/app/explain.ts';
import type { Message } from '../../src/store/store.ts';
import { example } from '../helpers.ts';

const T0 = Date.UTC(2026, 0, 5, 12);
const onboarding = example('onboarding');

function instance(overrides: Partial<Instance>): Instance {
  return {
    id: 'onb:e1', journeyId: 'onboarding', version: 1, userId: 'ana', status: 'active', nodeId: 'wait-profile', wakeAt: T0 + 2 * 86_400_000,
    createdAt: T0, enteredAt: T0, step: 2, entryEvent: { messageId: 'e1', name: 'Signed Up', timestamp: T0, properties: {} },
    nodeUntil: T0 + 2 * 86_400_000, timeoutAt: null, convertedAt: null, exit: null, ...overrides,
  };
}

function sent(nodeId: string, channel: Message['channel'], at: number): Message {
  return { seq: at, id: `onb:e1:${nodeId}`, journeyId: 'onboarding', version: 1, instanceId: 'onb:e1', nodeId, userId: 'ana', channel, status: 'sent', reason: null, content: { body: 'x' }, createdAt: at, sentAt: at, attempts: 1, claims: 1, sendingAt: null, nextAttemptAt: null, provider: 'outbox', openedAt: null, clickedAt: null };
}

test('explain follows branches: the branch not taken is said to be elsewhere, what is ahead is pending', () => {
  const waiting = explainView({ userId: 'ana', instances: [instance({})], definitionOf: () => onboarding, messages: [sent('welcome-email', 'email', T0)] });
  assert.deepEqual(
    waiting.journeys[0]!.steps.map((s) => [s.nodeId, s.outcome, s.reason]),
    [['welcome-email', 'sent', null], ['push-tip', 'pending', 'waiting'], ['reminder-email', 'pending', 'waiting']],
  );

  const done = instance({ status: 'exited', nodeId: 'done', wakeAt: null, nodeUntil: null, exit: { reason: 'completed', at: T0 + 86_400_000, nodeId: 'done' } });
  const finished = explainView({ userId: 'ana', instances: [done], definitionOf: () => onboarding, messages: [sent('welcome-email', 'email', T0), sent('push-tip', 'push', T0 + 86_400_000)] });
  assert.deepEqual(
    finished.journeys[0]!.steps.map((s) => [s.nodeId, s.outcome, s.reason]),
    [['welcome-email', 'sent', null], ['push-tip', 'sent', null], ['reminder-email', 'not_reached', 'other_branch']],
  );
});

test('explain names frequency caps, and says how a scheduled or chained journey would have let the user in', () => {
  const capped: Message = { ...sent('push-tip', 'push', T0), status: 'skipped', reason: 'frequency_cap', sentAt: null };
  const result = explainView({ userId: 'ana', instances: [instance({})], definitionOf: () => onboarding, messages: [capped] });
  const step = result.journeys[0]!.steps.find((s) => s.nodeId === 'push-tip')!;
  assert.match(step.detail, /frequency cap/);

  const journey = (trigger: unknown) => ({
    id: 'j', name: 'j', status: 'running' as const, version: 1, layout: {}, createdAt: T0, updatedAt: T0,
    draft: { name: 'j', nodes: [{ id: 'in', kind: 'entry' as const, trigger: trigger as never }, { id: 'out', kind: 'exit' as const }], edges: [{ from: 'in', to: 'out' }] },
  });
  const why = (trigger: unknown) => explainView({ userId: 'ana', instances: [], definitionOf: () => undefined, messages: [], asked: { journey: journey(trigger), entryEvent: null, events: [] } }).notes;
  assert.match(why({ type: 'segment', schedule: { type: 'dates', at: [] }, segment: { type: 'profile', where: [] } }).join(), /match its segment at a scheduled run/);
  assert.match(why({ type: 'date', property: 'birthday' }).join(), /"birthday" trait/);
  assert.match(why({ type: 'journey', journeyId: 'cart', nodeId: 'sms' }).join(), /reach node "sms" of journey "cart"/);
});
