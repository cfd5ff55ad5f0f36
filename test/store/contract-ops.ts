/**
 * The Store contract, continued: the queue depth GET /metrics reports. Pending messages by channel (a retry
 * still pending counts, an outcome takes it out), timers due at a moment and the earliest of them, inbox
 * events. Registered by storeContract.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Instance, JourneyEvent } from '../../src/core/instance.ts';
import type { NewMessage, Store } from '../../src/store/store.ts';
import { needsPastInstances, type StoreKind } from './contract.ts';

const event = (messageId: string, userId = 'u1'): JourneyEvent => ({ messageId, userId, name: 'Added to Cart', timestamp: 1_000, properties: {} });

function instance(id: string, userId: string, wakeAt: number | null, status: Instance['status'] = 'active'): Instance {
  return {
    id, journeyId: 'cart', version: 1, userId, status, nodeId: 'wait', wakeAt, createdAt: 1_000, enteredAt: 1_000, step: 1,
    entryEvent: { messageId: 'e1', name: 'Added to Cart', timestamp: 1_000, properties: {} },
    nodeUntil: wakeAt, timeoutAt: null, convertedAt: null,
    exit: status === 'exited' ? { at: 2_000, reason: 'completed' } : null,
  } as Instance;
}

function message(id: string, channel: NewMessage['channel'], status: NewMessage['status'] = 'pending'): NewMessage {
  return { id, journeyId: 'cart', version: 1, instanceId: 'i1', nodeId: 'send', userId: 'u1', channel, status, reason: null, content: { body: 'hi' }, createdAt: 2_000, sentAt: status === 'sent' ? 2_000 : null };
}

export function opsContract(open: () => Promise<Store>, kind: StoreKind = {}): void {
  const past = needsPastInstances(kind);
  test('queueDepth: pending messages by channel, timers due at a moment and the earliest, inbox events', past, async () => {
    const store = await open();
    try {
      assert.deepEqual(await store.queueDepth(10_000), { pendingMessages: [], dueTimers: 0, oldestDueAt: null, inbox: 0 });
      await store.ingestEvents([event('e1')], 2_000, () => ({
        instances: [instance('i1', 'u1', 5_000), instance('i2', 'u2', 7_000), instance('i3', 'u3', 9_000), instance('i4', 'u4', null, 'exited')],
        messages: [message('m1', 'webhook'), message('m2', 'webhook'), message('m3', 'email'), message('m4', 'push', 'sent')],
        stats: [],
        followUps: [event('f1', 'u5'), event('f2', 'u6')],
      }));
      // Due at 7000: i1 (5000) and i2 (7000, due at its own moment); i3 later, i4 has no timer.
      assert.deepEqual(await store.queueDepth(7_000), {
        pendingMessages: [{ channel: 'email', count: 1 }, { channel: 'webhook', count: 2 }],
        dueTimers: 2,
        oldestDueAt: 5_000,
        inbox: 2,
      });
      assert.deepEqual(await store.queueDepth(4_999), { pendingMessages: [{ channel: 'email', count: 1 }, { channel: 'webhook', count: 2 }], dueTimers: 0, oldestDueAt: null, inbox: 2 });

      await store.pendingMessages(10, 3_000);
      await store.recordOutcomes([
        { id: 'm1', status: 'sent', at: 3_000 },
        { id: 'm2', status: 'retry', at: 3_000, nextAttemptAt: 60_000 },
        { id: 'm3', status: 'dead', at: 3_000 },
      ]);
      assert.deepEqual((await store.queueDepth(7_000)).pendingMessages, [{ channel: 'webhook', count: 1 }], 'the retry is still pending; sent and dead are not');
    } finally {
      await store.close();
    }
  });
}
