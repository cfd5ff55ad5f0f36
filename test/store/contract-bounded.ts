/**
 * The Store contract, continued: what one user can cost. A unit of work reads a user's live instances and,
 * per journey, whether they entered it and when they last left, however many passes they left behind.
 * Registered by storeContract; the index plans that keep it bounded are checked per adapter in
 * bounded-reads.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Instance, JourneyEvent } from '../../src/core/instance.ts';
import { InvalidCursorError } from '../../src/store/pages.ts';
import type { Changes, EventBatchView, NewMessage, Page, Store } from '../../src/store/store.ts';
import { needsPastInstances, type StoreKind } from './contract.ts';

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

export function boundedContract(open: () => Promise<Store>, kind: StoreKind = {}): void {
  const past = needsPastInstances(kind);
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

  test('userInstancePage: most recently changed first (a live pass by its last write, one that is over by its exit), live and exited together, a page at a time, of one journey when asked; a foreign cursor is refused', past, async () => {
    const store = await open();
    // Units at 1,000, 2,500 and 3,000 (the unit's now is a live pass's last change): a and b exit at 1,000 and
    // e is live, written then; c exits at 2,000 but is written at 2,500 (a late timer); d is live, written at
    // 3,000, as is f, which exited at 500 (later still): a pass that is over changed last when it exited.
    await store.ingestEvents([event('s1')], 1_000, () => ({ ...NO_CHANGES, instances: [pass('a', 'ping', 1_000), pass('b', 'ping', 1_000), pass('e', 'welcome', null)] }));
    await store.ingestEvents([event('s2')], 2_500, () => ({ ...NO_CHANGES, instances: [pass('c', 'ping', 2_000)] }));
    await store.ingestEvents([event('s3')], 3_000, () => ({ ...NO_CHANGES, instances: [pass('d', 'promo', null), pass('f', 'ping', 500), pass('x', 'ping', 1, { userId: 'other' })] }));
    const ids = (page: Page<Instance>) => page.items.map((i) => i.id);
    const first = await store.userInstancePage('heavy', { limit: 2 });
    assert.deepEqual(ids(first), ['d', 'c']);
    assert.equal(typeof first.nextCursor, 'string');
    const second = await store.userInstancePage('heavy', { limit: 2, cursor: first.nextCursor! });
    assert.deepEqual(ids(second), ['e', 'b'], 'changed at the same time: id descending, live or exited');
    const third = await store.userInstancePage('heavy', { limit: 2, cursor: second.nextCursor! });
    assert.deepEqual(ids(third), ['a', 'f']);
    assert.equal(third.nextCursor, null, 'the last page');
    assert.deepEqual(ids(await store.userInstancePage('heavy', { limit: 10 })), ['d', 'c', 'e', 'b', 'a', 'f']);
    assert.deepEqual((await store.userInstances('heavy')).map((i) => i.id), ['d', 'c', 'e', 'b', 'a', 'f'], 'and all at once, in the same order');
    const ping = await store.userInstancePage('heavy', { limit: 1, journeyId: 'ping' });
    assert.deepEqual(ids(ping), ['c']);
    assert.deepEqual(ids(await store.userInstancePage('heavy', { limit: 5, journeyId: 'ping', cursor: ping.nextCursor! })), ['b', 'a', 'f']);
    assert.deepEqual(await store.userInstancePage('nobody', { limit: 5 }), { items: [], nextCursor: null });
    for (const cursor of ['not base64 json', Buffer.from('[1]').toString('base64url'), Buffer.from('{"a":1}').toString('base64url')]) {
      await assert.rejects(store.userInstancePage('heavy', { limit: 2, cursor }), InvalidCursorError);
    }
    await store.close();
  });

  test('journeyPage and versionPage: creation order and version order, a page at a time', async () => {
    const store = await open();
    const draft = { name: 'J', nodes: [], edges: [] } as never;
    // Created at 10 (j-b, then j-a) and 20 (j-c): ties go by id.
    await store.createJourney({ id: 'j-b', name: 'B', draft, layout: {} }, 10);
    await store.createJourney({ id: 'j-a', name: 'A', draft, layout: {} }, 10);
    await store.createJourney({ id: 'j-c', name: 'C', draft, layout: {} }, 20);
    const first = await store.journeyPage({ limit: 2 });
    assert.deepEqual(first.items.map((j) => j.id), ['j-a', 'j-b']);
    const rest = await store.journeyPage({ limit: 2, cursor: first.nextCursor! });
    assert.deepEqual([rest.items.map((j) => j.id), rest.nextCursor], [['j-c'], null]);
    for (let i = 0; i < 3; i++) await store.publishJourney('j-a', 30 + i);
    const v1 = await store.versionPage('j-a', { limit: 2 });
    assert.deepEqual(v1.items.map((v) => v.version), [1, 2]);
    const v2 = await store.versionPage('j-a', { limit: 2, cursor: v1.nextCursor! });
    assert.deepEqual([v2.items.map((v) => [v.version, v.publishedAt]), v2.nextCursor], [[[3, 32]], null]);
    assert.deepEqual(await store.versionPage('j-b', { limit: 2 }), { items: [], nextCursor: null });
    await assert.rejects(store.versionPage('j-a', { limit: 2, cursor: first.nextCursor! }), InvalidCursorError, 'a journey cursor is not a version cursor');
    await store.close();
  });

  test('messagesOfInstances: the messages of these instances only, in log order', async () => {
    const store = await open();
    // Ids as sends make them (<instance>:<node>:<step>); instance ids are <journey>:<entry event id>, and an
    // entry event id may hold a colon, so one instance's id can start another's ("ping:a" and "ping:a:x").
    const message = (instanceId: string, step: number): NewMessage => ({
      id: `${instanceId}:push:${step}`, journeyId: 'ping', version: 1, instanceId, nodeId: 'push', userId: 'heavy', channel: 'push', status: 'pending', reason: null, content: { body: 'hi' }, createdAt: 5, sentAt: null,
    });
    const written = [message('ping:a', 1), message('ping:b', 1), message('ping:a:x', 1), message('ping:a', 3), message('ping:c', 2), message('ping:a;', 1), message('ping:', 1)];
    await store.ingestEvents([event('s1')], 1, () => ({ ...NO_CHANGES, messages: written }));
    assert.deepEqual((await store.messagesOfInstances(['ping:a', 'ping:c', 'ping:a'])).map((m) => m.id), ['ping:a:push:1', 'ping:a:push:3', 'ping:c:push:2']);
    assert.deepEqual((await store.messagesOfInstances(['ping:a:x'])).map((m) => m.id), ['ping:a:x:push:1']);
    assert.deepEqual((await store.messagesOfInstances(['ping:a;', 'ping:'])).map((m) => m.id), ['ping:a;:push:1', 'ping::push:1']);
    assert.deepEqual(await store.messagesOfInstances(['ping']), []);
    assert.deepEqual(await store.messagesOfInstances([]), []);
    await store.close();
  });

  test('userSeen: first and last event timestamps; known with nulls from an instance or a message alone; null for a stranger', past, async () => {
    const store = await open();
    await store.ingestEvents([{ ...event('e1', 'evented'), timestamp: 500 }, { ...event('e2', 'evented'), timestamp: 200 }, { ...event('e3', 'evented'), timestamp: 900 }], 1, () => ({
      ...NO_CHANGES,
      instances: [pass('only-instance', 'ping', 100, { userId: 'instanced' })],
      messages: [{ id: 'm1', journeyId: 'ping', version: 1, instanceId: 'i9', nodeId: 'push', userId: 'messaged', channel: 'push', status: 'pending', reason: null, content: null, createdAt: 5, sentAt: null }],
    }));
    assert.deepEqual(await store.userSeen('evented'), { firstSeenAt: 200, lastSeenAt: 900 });
    assert.deepEqual(await store.userSeen('instanced'), { firstSeenAt: null, lastSeenAt: null });
    assert.deepEqual(await store.userSeen('messaged'), { firstSeenAt: null, lastSeenAt: null });
    assert.equal(await store.userSeen('stranger'), null);
    await store.close();
  });
}
