/**
 * The Store contract, continued: what one user can cost. A unit of work reads a user's live instances and,
 * per journey, whether they entered it and when they last left, however many passes they left behind.
 * Registered by storeContract; the index plans that keep it bounded are checked per adapter in
 * bounded-reads.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Instance, JourneyEvent } from '../../src/core/instance.ts';
import type { Changes, EventBatchView, Store } from '../../src/store/store.ts';

const NO_CHANGES: Changes = { instances: [], messages: [], stats: [] };
const event = (messageId: string, userId = 'heavy'): JourneyEvent => ({ messageId, userId, name: 'Ping', timestamp: 1_000, properties: {} });

function pass(id: string, journeyId: string, exitAt: number | null, overrides: Partial<Instance> = {}): Instance {
  return {
    id,
    journeyId,
    version: 1,
    userId: 'heavy',
    status: exitAt === null ? 'active' : 'exited',
    nodeId: 'wait',
    wakeAt: exitAt === null ? 9_000 : null,
    createdAt: 10,
    enteredAt: 10,
    step: 1,
    entryEvent: { messageId: `e-${id}`, name: 'Ping', timestamp: 10, properties: {} },
    nodeUntil: null,
    timeoutAt: null,
    convertedAt: null,
    exit: exitAt === null ? null : { reason: 'completed', at: exitAt, nodeId: 'done' },
    ...overrides,
  };
}

export function boundedContract(open: () => Promise<Store>): void {
  test('a user with 3,000 exited passes of a re-entering journey: the view holds their live instances and one last exit per journey', async () => {
    const store = await open();
    const passes: Instance[] = [];
    // ping: 3,000 passes, exits at 1,000 + 10 i; the latest (30,990) is not the last written.
    for (let i = 0; i < 3_000; i++) passes.push(pass(`ping-${i}`, 'ping', 1_000 + 10 * ((i + 1_500) % 3_000)));
    passes.push(pass('ping-live', 'ping', null));
    // promo: a pass that never qualified (not entered) and left later; and one entered pass.
    passes.push(pass('promo-1', 'promo', 50_000, { enteredAt: null, exit: { reason: 'not_qualified', at: 50_000, nodeId: null } }));
    passes.push(pass('promo-2', 'promo', 700));
    // welcome: entered, still live, never left.
    passes.push(pass('welcome-1', 'welcome', null));
    // Another user's pass is not read.
    passes.push(pass('other-1', 'ping', 99_999, { userId: 'other' }));
    await store.ingestEvents([event('seed')], 1, () => ({ ...NO_CHANGES, instances: passes }));

    let view: EventBatchView | null = null;
    await store.ingestEvents([event('e1')], 2, (v) => {
      view = v;
      return NO_CHANGES;
    });
    assert.deepEqual(view!.live.get('heavy')?.map((i) => i.id).sort(), ['ping-live', 'welcome-1']);
    assert.deepEqual([...view!.live.keys()], ['heavy']);
    assert.deepEqual([...(view!.entered.get('heavy') ?? [])].sort(), ['ping', 'promo', 'welcome']);
    assert.deepEqual(Object.fromEntries(view!.lastExits.get('heavy') ?? []), { ping: 30_990, promo: 700 });
    assert.deepEqual([...view!.lastExits.keys()], ['heavy']);
    await store.close();
  });
}
