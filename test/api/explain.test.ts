/** explainUser is pure: instances and messages in, a human answer out. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Instance } from '../../src/core/instance.ts';
import { explainUser } from '../../src/api/explain.ts';
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
  return { seq: at, id: `onb:e1:${nodeId}`, journeyId: 'onboarding', version: 1, instanceId: 'onb:e1', nodeId, userId: 'ana', channel, status: 'sent', reason: null, content: { body: 'x' }, createdAt: at, sentAt: at, attempts: 1, clickedAt: null };
}

test('explain follows branches: the branch not taken is said to be elsewhere, what is ahead is pending', () => {
  const waiting = explainUser({ userId: 'ana', instances: [instance({})], definitionOf: () => onboarding, messages: [sent('welcome-email', 'email', T0)] });
  assert.deepEqual(
    waiting.journeys[0]!.steps.map((s) => [s.nodeId, s.outcome, s.reason]),
    [['welcome-email', 'sent', null], ['push-tip', 'pending', 'waiting'], ['reminder-email', 'pending', 'waiting']],
  );

  const done = instance({ status: 'exited', nodeId: 'done', wakeAt: null, nodeUntil: null, exit: { reason: 'completed', at: T0 + 86_400_000, nodeId: 'done' } });
  const finished = explainUser({ userId: 'ana', instances: [done], definitionOf: () => onboarding, messages: [sent('welcome-email', 'email', T0), sent('push-tip', 'push', T0 + 86_400_000)] });
  assert.deepEqual(
    finished.journeys[0]!.steps.map((s) => [s.nodeId, s.outcome, s.reason]),
    [['welcome-email', 'sent', null], ['push-tip', 'sent', null], ['reminder-email', 'not_reached', 'other_branch']],
  );
});
