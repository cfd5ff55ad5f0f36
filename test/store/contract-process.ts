/**
 * The Store contract, continued: what a process asks of the store besides units of work (a health round
 * trip, a store-wide lock for start-up work) and the summaries a finished run reads (last timer, users).
 * Registered by storeContract.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Instance, JourneyEvent } from '../../src/core/instance.ts';
import type { Store } from '../../src/store/store.ts';

const event = (messageId: string, userId: string): JourneyEvent => ({ messageId, userId, name: 'Added to Cart', timestamp: 1_000, properties: {} });

function sleeper(id: string, userId: string, wakeAt: number | null): Instance {
  return {
    id,
    journeyId: 'cart',
    version: 1,
    userId,
    status: wakeAt === null ? 'exited' : 'active',
    nodeId: 'wait',
    wakeAt,
    createdAt: 1_000,
    enteredAt: 1_000,
    step: 1,
    entryEvent: { messageId: `e-${id}`, name: 'Added to Cart', timestamp: 1_000, properties: {} },
    nodeUntil: wakeAt,
    timeoutAt: null,
    convertedAt: null,
    exit: wakeAt === null ? { reason: 'completed', at: 2_000, nodeId: 'wait' } : null,
  };
}

/** Lets every pending callback and I/O completion run, a few rounds over. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

export function processContract(open: () => Promise<Store>): void {
  test('ping answers while the store is open', async () => {
    const store = await open();
    assert.equal(await store.ping(), undefined);
    await store.close();
  });

  test('exclusively runs calls under one name one after another, returns fn\'s value and releases after a throw', async () => {
    const store = await open();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const firstIn = new Promise<void>((resolve) => (started = resolve));
    const first = store.exclusively('startup', async () => {
      order.push('first in');
      started();
      await gate;
      order.push('first out');
      return 1;
    });
    await firstIn;
    const second = store.exclusively('startup', async () => {
      order.push('second in');
      return 2;
    });
    const other = store.exclusively('other', async () => 'other');
    assert.equal(await other, 'other', 'another name does not wait');
    await settle();
    assert.deepEqual(order, ['first in'], 'the second call waits for the first');
    release();
    assert.deepEqual([await first, await second], [1, 2]);
    assert.deepEqual(order, ['first in', 'first out', 'second in']);
    await assert.rejects(
      store.exclusively('startup', async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await store.exclusively('startup', async () => 'after'), 'after', 'a throw released the lock');
    await store.close();
  });

  test('lastWakeAt is the latest pending timer; eventUserCount counts the users with stored events', async () => {
    const store = await open();
    assert.equal(await store.lastWakeAt(), null);
    assert.equal(await store.eventUserCount(), 0);
    const instances = [sleeper('a', 'u1', 3_000), sleeper('b', 'u2', 9_000), sleeper('c', 'u3', null), sleeper('d', 'u4', 5_000)];
    await store.ingestEvents([event('e1', 'u1'), event('e2', 'u1'), event('e3', 'u2')], 100, () => ({ instances, messages: [], stats: [] }));
    assert.equal(await store.lastWakeAt(), 9_000);
    assert.equal(await store.nextWakeAt(), 3_000);
    assert.equal(await store.eventUserCount(), 2, 'u1 twice and u2');
    await store.close();
  });
}
