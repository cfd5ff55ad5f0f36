/**
 * The Store contract: every adapter must pass these. Call `storeContract(name, open)` from an adapter's
 * test file with a function that opens a fresh, empty store. A store that keeps its live instances in memory
 * and no past ones (a simulation's SQLite store, SqliteOptions.instances) passes all but the tests of what it
 * refuses: `{ pastInstances: false }` skips those.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Instance, JourneyEvent } from '../../src/core/instance.ts';
import type { Changes, EventBatchView, NewMessage, StatRow, Store, TimerBatchView, UserContext, UserContextSpec } from '../../src/store/store.ts';
import { example } from '../helpers.ts';
import { boundedContract } from './contract-bounded.ts';
import { dashboardContract } from './contract-dashboard.ts';
import { statsContract } from './contract-stats.ts';
import { processContract } from './contract-process.ts';
import { deliveryContract } from './contract-delivery.ts';
import { deadLettersContract } from './contract-dead-letters.ts';
import { sendingMarksContract } from './contract-sending-marks.ts';
import { bouncesContract } from './contract-bounces.ts';
import { twilioInboxContract } from './contract-twilio-inbox.ts';
import { copyContract } from './contract-copy.ts';
import { opsContract } from './contract-ops.ts';
import { identityContract } from './contract-identity.ts';
import { teamContract } from './contract-team.ts';

const NO_CHANGES: Changes = { instances: [], messages: [], stats: [] };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const event = (messageId: string, userId = 'u1', name = 'Added to Cart', timestamp = 1_000): JourneyEvent => ({ messageId, userId, name, timestamp, properties: { sku: 'S1' } });

/** An instance of journey 'cart' for user u1, waiting at node 'wait' until 5,000: the contract's fixture, for other store tests too. */
export function instance(id: string, overrides: Partial<Instance> = {}): Instance {
  return {
    id,
    journeyId: 'cart',
    version: 1,
    userId: 'u1',
    status: 'active',
    nodeId: 'wait',
    wakeAt: 5_000,
    createdAt: 1_000,
    enteredAt: 1_000,
    step: 1,
    entryEvent: { messageId: 'e1', name: 'Added to Cart', timestamp: 1_000, properties: {} },
    nodeUntil: 5_000,
    timeoutAt: null,
    convertedAt: null,
    exit: null,
    ...overrides,
  };
}

function message(id: string, overrides: Partial<NewMessage> = {}): NewMessage {
  return { id, journeyId: 'cart', version: 1, instanceId: 'i1', nodeId: 'push', userId: 'u1', channel: 'push', status: 'pending', reason: null, content: { body: 'hi' }, createdAt: 2_000, sentAt: null, ...overrides };
}

/** A context as plain data: user -> message ids, user -> [channel, at]. */
function contextData(context: UserContext) {
  return {
    history: Object.fromEntries([...context.history].map(([user, events]) => [user, events.map((e) => e.messageId)])),
    sends: Object.fromEntries([...context.sends].map(([user, sends]) => [user, sends.map((s) => [s.channel, s.at])])),
  };
}

/** UserContext.messages as plain data: instance id -> its messages; undefined when not loaded. */
function outcomesData(context: UserContext) {
  return context.messages && Object.fromEntries([...context.messages].filter(([, messages]) => messages.length > 0));
}

/** An internal event (a follow-up), as decide would add to Changes.followUps. */
const followUp = (messageId: string, userId = 'u1', name = 'Journey Reached', timestamp = 1_000, properties: Record<string, unknown> = { from: 'cart' }): JourneyEvent => ({
  messageId,
  userId,
  name,
  timestamp,
  properties,
});

/** Exited at `at` (the state's exit.at), from `nodeId`. */
function exited(id: string, at: number, overrides: Partial<Instance> = {}): Instance {
  return instance(id, { status: 'exited', wakeAt: null, nodeUntil: null, exit: { reason: 'completed', at, nodeId: 'wait' }, ...overrides });
}

/** What a store keeps, for the tests of what it may refuse. */
export interface StoreKind {
  /** false: a user's passes, their history, stopping, moving and merging are refused (default true). */
  pastInstances?: boolean;
  /**
   * false: a unit of work calls decide once for each shard its batch spans, on that shard's users (a sharded
   * store's units, store/shards/sharded-store.ts). Tests whose decide answers with rows of users outside its view
   * (fixtures written in one go) are skipped: the single-file adapters run them, and each shard is one.
   */
  oneDecidePerUnit?: boolean;
}

/** The options of a test whose decide answers with rows of users outside its view: skipped on shards. */
export function needsOneDecide(kind: StoreKind): { skip: string | false } {
  return { skip: kind.oneDecidePerUnit === false ? 'its decide writes rows of users outside its view; a sharded store decides shard by shard' : false };
}

/** The options of a test that needs a store's past instances: skipped for a store that keeps none. */
export function needsPastInstances(kind: StoreKind): { skip: string | false } {
  return { skip: kind.pastInstances === false ? 'this store keeps no past instances' : false };
}

export function storeContract(name: string, open: () => Promise<Store>, kind: StoreKind = {}): void {
  const past = needsPastInstances(kind);
  const oneDecide = needsOneDecide(kind);
  describe(`Store contract: ${name}`, () => {
    test('profiles merge traits; a null trait removes it', async () => {
      const store = await open();
      await store.upsertProfiles([{ userId: 'u1', traits: { name: 'Ana', phone: '+1' } }], 10);
      await store.upsertProfiles([{ userId: 'u1', traits: { email: 'a@x.test', phone: null } }], 20);
      const profile = await store.getProfile('u1');
      assert.deepEqual(profile, { userId: 'u1', traits: { name: 'Ana', email: 'a@x.test' }, updatedAt: 20 });
      assert.equal(await store.getProfile('nobody'), null);
      await store.close();
    });

    test('a unit of work writes profile traits with merge semantics; the next unit sees them', async () => {
      const store = await open();
      await store.upsertProfiles([{ userId: 'u1', traits: { name: 'Ana', tier: 'silver', phone: '+1' } }], 10);
      const seen: unknown[] = [];
      await store.ingestEvents([event('p1')], 20, (view) => {
        seen.push(view.profiles.get('u1')?.traits); // loaded (and, in SQLite, cached) before the write
        return { ...NO_CHANGES, profiles: [{ userId: 'u1', traits: { tier: 'gold', phone: null } }, { userId: 'u1', traits: { vip: true } }, { userId: 'u2', traits: { vip: false } }] };
      });
      assert.deepEqual(await store.getProfile('u1'), { userId: 'u1', traits: { name: 'Ana', tier: 'gold', vip: true }, updatedAt: 20 });
      assert.deepEqual(await store.getProfile('u2'), { userId: 'u2', traits: { vip: false }, updatedAt: 20 });
      await store.ingestEvents([event('p2')], 30, (view) => {
        seen.push(view.profiles.get('u1')?.traits);
        return NO_CHANGES;
      });
      assert.deepEqual(seen, [{ name: 'Ana', tier: 'silver', phone: '+1' }, { name: 'Ana', tier: 'gold', vip: true }]);
      // A unit that fails writes no traits.
      await assert.rejects(store.ingestEvents([event('p3')], 40, () => {
        throw new Error('boom');
      }));
      assert.equal((await store.getProfile('u1'))?.updatedAt, 20);
      await store.close();
    });

    test('publishing freezes the draft as a new immutable version', async () => {
      const store = await open();
      const draft = example('abandoned-cart');
      await store.createJourney({ id: 'cart', name: draft.name, draft, layout: { push: { x: 1, y: 2 } } }, 1);
      assert.equal((await store.getJourney('cart'))?.status, 'draft');
      const v1 = await store.publishJourney('cart', 2);
      assert.equal(v1?.version, 1);
      await store.updateJourneyDraft('cart', { ...draft, name: 'Renamed' }, undefined, 3);
      const v2 = await store.publishJourney('cart', 4);
      assert.equal(v2?.version, 2);
      const versions = await store.listVersions('cart');
      assert.deepEqual(versions.map((v) => [v.version, v.definition.name]), [[1, draft.name], [2, 'Renamed']]);
      const journey = await store.getJourney('cart');
      assert.equal(journey?.status, 'running');
      assert.equal(journey?.version, 2);
      assert.deepEqual(journey?.layout, { push: { x: 1, y: 2 } }, 'layout is kept apart from the logic');
      assert.equal(await store.publishJourney('missing', 5), null);
      await store.close();
    });

    test('events are deduplicated on messageId; decide sees only new ones', async () => {
      const store = await open();
      const seen: string[][] = [];
      const decide = (view: { events: JourneyEvent[] }) => {
        seen.push(view.events.map((e) => e.messageId));
        return NO_CHANGES;
      };
      assert.deepEqual(await store.ingestEvents([event('a'), event('b'), event('a')], 100, decide), { accepted: 2, duplicates: 1 });
      assert.deepEqual(await store.ingestEvents([event('b'), event('c')], 200, decide), { accepted: 1, duplicates: 1 });
      assert.deepEqual(seen, [['a', 'b'], ['c']]);
      assert.deepEqual((await store.userEvents('u1', 10)).map((e) => e.messageId).sort(), ['a', 'b', 'c']);
      await store.close();
    });

    test('a unit of work is atomic: if decide throws, its events are not stored', async () => {
      const store = await open();
      await assert.rejects(
        store.ingestEvents([event('x')], 100, () => {
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.deepEqual(await store.userEvents('u1', 10), []);
      assert.deepEqual(await store.ingestEvents([event('x')], 100, () => NO_CHANGES), { accepted: 1, duplicates: 0 });
      await store.close();
    });

    test('decide gets profiles, live instances and entry history of the batch users', async () => {
      const store = await open();
      await store.upsertProfiles([{ userId: 'u1', traits: { name: 'Ana' } }], 1);
      await store.ingestEvents([event('e1')], 1_000, () => ({
        ...NO_CHANGES,
        instances: [instance('old', { status: 'exited', wakeAt: null, journeyId: 'welcome' }), instance('live')],
      }));
      let view: Parameters<Parameters<Store['ingestEvents']>[2]>[0] | null = null;
      await store.ingestEvents([event('e2', 'u1', 'Charged')], 2_000, (v) => {
        view = v;
        return NO_CHANGES;
      });
      const v = view!;
      assert.equal(v.profiles.get('u1')?.traits.name, 'Ana');
      assert.deepEqual(v.live.get('u1')?.map((i) => i.id), ['live']);
      assert.deepEqual([...(v.entered.get('u1') ?? [])].sort(), ['cart', 'welcome']);
      await store.close();
    });

    test('an instance comes back field for field through every read: live view, timer claim, the user\'s list and page, after each write', past, async () => {
      const store = await open();
      // Required: a field added to Instance must be added here, and then must survive every read below.
      const full: Required<Instance> = {
        ...instance('full', { userId: 'u1' }),
        wakeNotBefore: 4_000,
        entryEvent: { messageId: 'e1', name: 'Added to Cart', timestamp: 1_000, properties: { sku: 'S1', price: 9.5, tags: ['a'], nested: { n: null } } },
        timeoutAt: 90_000,
        convertedAt: 3_000,
        outcomes: [{ nodeId: 'push', outcome: 'failed', at: 2_000, sentAt: 1_900 }],
      };
      await store.ingestEvents([event('e1')], 1_000, () => ({ ...NO_CHANGES, instances: [full] }));
      const reads = async (): Promise<Instance[]> => {
        let live: Instance | undefined;
        await store.ingestEvents([event(`look-${Math.random()}`, 'u1', 'Charged', 2_000)], 2_000, (view) => {
          live = view.live.get('u1')?.[0];
          return NO_CHANGES;
        });
        const page = await store.userInstancePage('u1', { limit: 10 });
        return [live!, (await store.userInstances('u1'))[0]!, page.items[0]!];
      };
      for (const read of await reads()) assert.deepEqual(read, full);
      const moved: Required<Instance> = { ...full, nodeId: 'sms', wakeAt: 6_000, step: 2, nodeUntil: 6_000, status: 'active', enteredAt: 1_500 };
      let claimed: Instance | undefined;
      await store.fireDueTimers(5_000, 10, (view) => {
        claimed = view.instances[0];
        return { ...NO_CHANGES, instances: [moved] };
      });
      assert.deepEqual(claimed, full, 'as the timer claim reads it');
      for (const read of await reads()) assert.deepEqual(read, moved, 'after an update');
      await store.close();
    });

    test('lookback: for users with a starting event, recent watched events at or after it, this batch included', async () => {
      const store = await open();
      await store.ingestEvents([event('old', 'u1', 'Charged', 500), event('later', 'u1', 'Charged', 2_000), event('other', 'u2', 'Charged', 2_000)], 1, () => NO_CHANGES);
      const lookback = { startsJourney: (e: JourneyEvent) => e.name === 'Added to Cart', names: new Set(['Charged']) };
      let recent = new Map<string, JourneyEvent[]>();
      await store.ingestEvents(
        [event('cart', 'u1', 'Added to Cart', 1_000), event('same-batch', 'u1', 'Charged', 1_500), event('u3-charge', 'u3', 'Charged', 3_000)],
        2,
        (view) => {
          recent = view.recent;
          return NO_CHANGES;
        },
        lookback,
      );
      assert.deepEqual([...recent.keys()], ['u1'], 'only users with a starting event');
      assert.deepEqual(recent.get('u1')!.map((e) => e.messageId), ['same-batch', 'later'], 'in timestamp order, from the starting event on');
      await store.close();
    });

    test('never two live instances of one journey for one user', async () => {
      const store = await open();
      await store.ingestEvents([event('e1')], 1, () => ({ ...NO_CHANGES, instances: [instance('i1')] }));
      await assert.rejects(store.ingestEvents([event('e2')], 2, () => ({ ...NO_CHANGES, instances: [instance('i2')] })));
      assert.equal((await store.userEvents('u1', 10)).length, 1, 'the failed unit stored nothing');
      await store.ingestEvents([event('e3')], 3, () => ({ ...NO_CHANGES, instances: [instance('i1', { status: 'exited', wakeAt: null }), instance('i3')] }));
      let live: string[] | undefined;
      await store.ingestEvents([event('e4')], 4, (view) => {
        live = view.live.get('u1')?.map((i) => i.id);
        return NO_CHANGES;
      });
      assert.deepEqual(live, ['i3']);
      if (kind.pastInstances !== false) assert.deepEqual((await store.userInstances('u1')).map((i) => i.id).sort(), ['i1', 'i3']);
      await store.close();
    });

    test('due timers are claimed in due order, up to the limit, and only when due', async () => {
      const store = await open();
      const sleepers = [instance('late', { userId: 'a', wakeAt: 9_000 }), instance('soon', { userId: 'b', wakeAt: 3_000 }), instance('mid', { userId: 'c', wakeAt: 5_000 })];
      await store.ingestEvents([event('e1')], 1, () => ({ ...NO_CHANGES, instances: sleepers }));
      assert.equal(await store.nextWakeAt(), 3_000);
      const claimed: string[] = [];
      const fired = await store.fireDueTimers(6_000, 1, (view) => {
        claimed.push(...view.instances.map((i) => i.id));
        return { ...NO_CHANGES, instances: view.instances.map((i) => ({ ...i, wakeAt: null, status: 'exited' as const })) };
      });
      assert.equal(fired, 1);
      assert.deepEqual(claimed, ['soon']);
      assert.equal(await store.nextWakeAt(), 5_000);
      assert.equal(await store.fireDueTimers(4_000, 10, () => NO_CHANGES), 0, 'nothing due at 4000');
      await store.close();
    });

    test('a message id is recorded once; outcomes are recorded once and counted', async () => {
      const store = await open();
      await store.ingestEvents([event('e1')], 1, () => ({ ...NO_CHANGES, messages: [message('s1'), message('s1'), message('s2', { status: 'skipped', reason: 'no_phone', content: null })] }));
      await store.ingestEvents([event('e2')], 2, () => ({ ...NO_CHANGES, messages: [message('s1', { content: { body: 'again' } })] }));
      const pending = await store.pendingMessages(10);
      assert.deepEqual(pending.map((m) => [m.id, m.content?.body]), [['s1', 'hi']]);
      await store.recordOutcomes([{ id: 's1', status: 'sent', at: 3_000 }]);
      await store.recordOutcomes([{ id: 's1', status: 'sent', at: 4_000 }]);
      assert.deepEqual(await store.pendingMessages(10), []);
      const all = await store.listMessages({ limit: 10 });
      assert.deepEqual(all.map((m) => [m.id, m.status, m.reason, m.sentAt, m.attempts]), [['s1', 'sent', null, 3_000, 1], ['s2', 'skipped', 'no_phone', null, 0]]);
      const stats = await store.journeyStats('cart');
      assert.deepEqual(stats.filter((s) => s.metric === 'node_sent').map((s) => s.count), [1]);
      await store.close();
    });

    test('message log pages by cursor and filters by user and journey', async () => {
      const store = await open();
      const batch = Array.from({ length: 5 }, (_, i) => message(`m${i}`, { userId: i % 2 ? 'odd' : 'even', journeyId: i < 3 ? 'cart' : 'other' }));
      await store.ingestEvents([event('e1')], 1, () => ({ ...NO_CHANGES, messages: batch }));
      const page1 = await store.listMessages({ limit: 2 });
      const page2 = await store.listMessages({ limit: 2, after: page1.at(-1)!.seq });
      const page3 = await store.listMessages({ limit: 2, after: page2.at(-1)!.seq });
      assert.deepEqual([...page1, ...page2, ...page3].map((m) => m.id), ['m0', 'm1', 'm2', 'm3', 'm4']);
      assert.deepEqual((await store.listMessages({ limit: 10, userId: 'odd' })).map((m) => m.id), ['m1', 'm3']);
      assert.deepEqual((await store.listMessages({ limit: 10, journeyId: 'other' })).map((m) => m.id), ['m3', 'm4']);
      await store.close();
    });

    test('stats deltas add up across units of work', async () => {
      const store = await open();
      const delta = { journeyId: 'cart', version: 1, nodeId: '', metric: 'entered' as const, count: 2 };
      await store.ingestEvents([event('e1')], 1, () => ({ ...NO_CHANGES, stats: [delta] }));
      await store.ingestEvents([event('e2')], 2, () => ({ ...NO_CHANGES, stats: [{ ...delta, count: 3 }] }));
      assert.deepEqual(await store.journeyStats('cart'), [{ version: 1, nodeId: '', metric: 'entered', count: 5 }]);
      await store.close();
    });

    test('stopping a journey exits every live instance and counts them', past, async () => {
      const store = await open();
      await store.ingestEvents([event('e1')], 1, () => ({
        ...NO_CHANGES,
        instances: [instance('a', { userId: 'a' }), instance('b', { userId: 'b', status: 'pending' }), instance('c', { userId: 'c', status: 'exited', wakeAt: null })],
      }));
      assert.equal(await store.stopInstances('cart', 50), 2);
      assert.equal(await store.nextWakeAt(), null);
      const [a] = await store.userInstances('a');
      assert.deepEqual(a?.exit, { reason: 'stopped', at: 50, nodeId: 'wait' });
      assert.deepEqual(await store.journeyStats('cart'), [{ version: 1, nodeId: '', metric: 'stopped', count: 2 }]);
      await store.close();
    });

    test('pruning removes events received before the cut with their message ids; later ones stay, deduplicated', async () => {
      const store = await open();
      await store.ingestEvents([event('day0-a'), event('day0-b', 'u2')], 1_000, () => NO_CHANGES);
      await store.ingestEvents([event('day1')], DAY + 5, () => NO_CHANGES);
      await store.ingestEvents([event('day2', 'u1', 'Charged', 3_000)], 2 * DAY + 7, () => NO_CHANGES);
      assert.deepEqual(await store.pruneEvents(2 * DAY), { events: 3, before: 2 * DAY }, 'a cut at midnight UTC is applied as given everywhere');
      assert.deepEqual((await store.userEvents('u1', 10)).map((e) => e.messageId), ['day2']);
      assert.deepEqual(await store.userEvents('u2', 10), []);
      // The retention window is the dedupe window: a pruned id is new again, a kept one is still a duplicate.
      assert.deepEqual(await store.ingestEvents([event('day0-a'), event('day2')], 3 * DAY, () => NO_CHANGES), { accepted: 1, duplicates: 1 });
      assert.deepEqual((await store.userEvents('u1', 10)).map((e) => [e.messageId, e.receivedAt]), [['day2', 2 * DAY + 7], ['day0-a', 3 * DAY]]);
      // The lookback reads what is left.
      let recent: string[] = [];
      const lookback = { startsJourney: (e: JourneyEvent) => e.name === 'Added to Cart', names: new Set(['Charged']) };
      await store.ingestEvents([event('cart', 'u1', 'Added to Cart', 2_000)], 3 * DAY + 1, (view) => {
        recent = (view.recent.get('u1') ?? []).map((e) => e.messageId);
        return NO_CHANGES;
      }, lookback);
      assert.deepEqual(recent, ['day2']);
      assert.deepEqual(await store.pruneEvents(2 * DAY), { events: 0, before: 2 * DAY }, 'pruning again finds nothing');
      await store.close();
    });

    test('pruning keeps every event received at or after `before`; a cut inside a day may round down to midnight', async () => {
      const store = await open();
      const received = [DAY - 1, DAY, DAY + HOUR, DAY + 3 * HOUR, DAY + 3 * HOUR + 1, 2 * DAY];
      for (const [i, at] of received.entries()) await store.ingestEvents([event(`e${i}`)], at, () => NO_CHANGES);
      const before = DAY + 3 * HOUR;
      const result = await store.pruneEvents(before);
      assert.ok(result.before <= before && result.before >= DAY, `the cut ${result.before} is in [midnight, before]`);
      const kept = received.filter((at) => at >= result.before);
      assert.equal(result.events, received.length - kept.length);
      assert.deepEqual((await store.userEvents('u1', 10)).map((e) => e.receivedAt).sort((a, b) => a - b), kept);
      assert.ok(kept.includes(before), 'the event received at `before` is kept');
      await store.close();
    });

    test('pruning many events goes in batches and removes them all', async () => {
      const store = await open();
      const old = Array.from({ length: 12_345 }, (_, i) => event(`old-${i}`, `u${i % 100}`));
      await store.ingestEvents(old, 1_000, () => NO_CHANGES);
      await store.ingestEvents([event('new')], 2 * DAY, () => NO_CHANGES);
      assert.deepEqual(await store.pruneEvents(DAY), { events: 12_345, before: DAY });
      assert.deepEqual(await store.ingestEvents([event('old-0'), event('old-12344'), event('new')], 2 * DAY, () => NO_CHANGES), { accepted: 2, duplicates: 1 });
      await store.close();
    });

    test('context: the ingest view loads the history and recent sends asked for, for the batch users only', oneDecide, async () => {
      const store = await open();
      // Stored events (received at 1): u1's, u2's, and u3's, who is not in the later batch.
      await store.ingestEvents(
        [
          event('u1-c1', 'u1', 'Charged', 1_000),
          event('u1-v', 'u1', 'Viewed', 2_500),
          event('u1-c2b', 'u1', 'Charged', 3_000), // equal timestamps keep arrival order
          event('u1-c2a', 'u1', 'Charged', 3_000),
          event('u1-c0', 'u1', 'Charged', 2_000),
          event('u2-c', 'u2', 'Charged', 4_000),
          event('u3-c', 'u3', 'Charged', 4_000),
        ],
        1,
        () => ({
          ...NO_CHANGES,
          messages: [
            message('m-old', { createdAt: 1_000 }),
            message('m-pending', { createdAt: 3_000, channel: 'push' }),
            message('m-sent', { createdAt: 2_500, channel: 'sms' }),
            message('m-failed', { createdAt: 3_500, channel: 'email' }),
            message('m-skipped', { createdAt: 3_600, status: 'skipped', reason: 'no_phone', content: null }),
            message('m-sent-late', { createdAt: 4_000, channel: 'email', status: 'sent', sentAt: 4_000 }),
            message('m-delivered', { createdAt: 3_200, channel: 'sms' }),
            message('m-u2', { userId: 'u2', createdAt: 5_000, channel: 'sms' }),
            message('m-u3', { userId: 'u3', createdAt: 5_000 }),
          ],
        }),
      );
      await store.recordOutcomes([
        { id: 'm-sent', status: 'sent', at: 2_600 },
        { id: 'm-failed', status: 'failed', at: 3_600, error: 'bounced' },
        { id: 'm-delivered', status: 'sent', at: 3_300, provider: 'twilio', providerId: 'SM1' },
      ]);
      // Delivered is sent and then some: it still counts against a cap.
      assert.equal(await store.recordDelivery({ provider: 'twilio', providerId: 'SM1', status: 'delivered', reason: null, at: 3_400 }), true);

      const views: EventBatchView[] = [];
      const capture = (view: EventBatchView) => {
        views.push(view);
        return NO_CHANGES;
      };
      const spec: UserContextSpec = { history: { names: new Set(['Charged', 'Signed Up']), since: 2_000 }, sendsSince: 2_500 };
      await store.ingestEvents([event('now-1', 'u1', 'Opened', 9_000), event('now-2', 'u2', 'Charged', 8_000)], 10, capture, undefined, spec);
      assert.deepEqual(contextData(views[0]!.context), {
        history: { u1: ['u1-c0', 'u1-c2b', 'u1-c2a'], u2: ['u2-c', 'now-2'] },
        sends: { u1: [['sms', 2_500], ['push', 3_000], ['sms', 3_200], ['email', 4_000]], u2: [['sms', 5_000]] },
      }, 'named events from `since` on, this batch included, in (timestamp, arrival) order; pending, sent and delivered messages from `sendsSince` on, in creation order');

      // since null: every stored event with the names; no sends asked for.
      await store.ingestEvents([event('now-3', 'u1', 'Opened', 9_500)], 11, capture, undefined, { history: { names: new Set(['Charged']), since: null }, sendsSince: null });
      assert.deepEqual(contextData(views[1]!.context), { history: { u1: ['u1-c1', 'u1-c0', 'u1-c2b', 'u1-c2a'] }, sends: {} });

      // Nothing asked for: empty maps.
      await store.ingestEvents([event('now-4', 'u1', 'Opened', 9_600)], 12, capture);
      await store.ingestEvents([event('now-5', 'u1', 'Opened', 9_700)], 13, capture, undefined, { history: { names: new Set(), since: null }, sendsSince: null });
      for (const view of views.slice(2)) assert.deepEqual(contextData(view.context), { history: {}, sends: {} });
      await store.close();
    });

    test('context: the timer view loads the history and recent sends of the claimed instances\' users', oneDecide, async () => {
      const store = await open();
      await store.ingestEvents(
        [event('a-1', 'a', 'Charged', 100), event('a-2', 'a', 'Charged', 700), event('b-1', 'b', 'Charged', 800), event('c-1', 'c', 'Charged', 900)],
        1,
        () => ({
          ...NO_CHANGES,
          instances: [instance('ia', { userId: 'a', wakeAt: 1_000 }), instance('ib', { userId: 'b', wakeAt: 1_000 }), instance('ic', { userId: 'c', wakeAt: 50_000 })],
          messages: [message('ma', { userId: 'a', createdAt: 600 }), message('mb', { userId: 'b', createdAt: 100 }), message('mc', { userId: 'c', createdAt: 600 })],
        }),
      );
      const spec: UserContextSpec = { history: { names: new Set(['Charged']), since: 500 }, sendsSince: 500 };
      let view: TimerBatchView | null = null;
      assert.equal(
        await store.fireDueTimers(2_000, 10, (v) => {
          view = v;
          return NO_CHANGES;
        }, spec),
        2,
      );
      assert.deepEqual(contextData(view!.context), { history: { a: ['a-2'], b: ['b-1'] }, sends: { a: [['push', 600]] } }, 'c has no due timer: not loaded');
      await store.fireDueTimers(2_000, 10, (v) => {
        view = v;
        return NO_CHANGES;
      });
      assert.deepEqual(contextData(view!.context), { history: {}, sends: {} }, 'no spec: empty maps');
      await store.close();
    });

    test('lastExits: per user and journey, the latest exit of an entered instance, for the batch users only', async () => {
      const store = await open();
      await store.ingestEvents([event('e1')], 1, () => ({
        ...NO_CHANGES,
        instances: [
          exited('c1', 300),
          exited('c2', 100),
          exited('w1', 200, { journeyId: 'welcome' }),
          instance('live', { journeyId: 'cart' }),
          instance('no-exit', { journeyId: 'legacy', status: 'exited', wakeAt: null }), // exited without an exit record
          exited('p1', 150, { journeyId: 'promo', status: 'exited', enteredAt: null, exit: { reason: 'not_qualified', at: 150, nodeId: null } }),
          exited('u2-c', 999, { userId: 'u2' }),
        ],
      }));
      let view: EventBatchView | null = null;
      const capture = (v: EventBatchView) => {
        view = v;
        return NO_CHANGES;
      };
      await store.ingestEvents([event('e2')], 2, capture);
      assert.deepEqual(Object.fromEntries(view!.lastExits.get('u1') ?? []), { cart: 300, welcome: 200 }, 'promo never qualified: no cool-down');
      assert.deepEqual([...view!.lastExits.keys()], ['u1'], 'only the batch users');
      assert.deepEqual([...(view!.entered.get('u1') ?? [])].sort(), ['cart', 'legacy', 'welcome'], 'entered is unchanged: promo was never entered');
      assert.deepEqual(view!.live.get('u1')?.map((i) => i.id), ['live']);

      // An instance exited by a unit of work, and one stopped with its journey (when the store can), count too.
      await store.ingestEvents([event('e3')], 3, () => ({ ...NO_CHANGES, instances: [exited('live', 400)] }));
      await store.ingestEvents([event('e4')], 4, () => ({ ...NO_CHANGES, instances: [instance('w2', { journeyId: 'welcome' })] }));
      if (kind.pastInstances === false) await store.ingestEvents([event('e4b')], 5, () => ({ ...NO_CHANGES, instances: [exited('w2', 500, { journeyId: 'welcome' })] }));
      else assert.equal(await store.stopInstances('welcome', 500), 1);
      await store.ingestEvents([event('e5')], 5, capture);
      assert.deepEqual(Object.fromEntries(view!.lastExits.get('u1') ?? []), { cart: 400, welcome: 500 });
      await store.close();
    });

    test('liveInstanceCount counts the pending, active and control instances of a journey', async () => {
      const store = await open();
      assert.equal(await store.liveInstanceCount('cart'), 0);
      await store.ingestEvents([event('e1')], 1, () => ({
        ...NO_CHANGES,
        instances: [
          instance('a', { userId: 'a' }),
          instance('b', { userId: 'b', status: 'pending', nodeId: null }),
          instance('c', { userId: 'c', status: 'control', nodeId: null }),
          exited('d', 5, { userId: 'd' }),
          instance('e', { userId: 'e', journeyId: 'other' }),
        ],
      }));
      assert.equal(await store.liveInstanceCount('cart'), 3);
      assert.equal(await store.liveInstanceCount('other'), 1);
      await store.close();
    });

    test('moveInstances moves live instances on older versions at the nodes given (and at no node), keeping their timers', past, async () => {
      const store = await open();
      await store.ingestEvents([event('e1')], 1, () => ({
        ...NO_CHANGES,
        instances: [
          instance('at-wait', { userId: 'a', wakeAt: 7_000 }),
          instance('at-push', { userId: 'b', nodeId: 'push', wakeAt: 8_000 }),
          instance('pending', { userId: 'c', status: 'pending', nodeId: null, enteredAt: null, wakeAt: 9_000 }),
          instance('control', { userId: 'd', status: 'control', nodeId: null, wakeAt: null }),
          exited('exited', 50, { userId: 'e' }),
          instance('newer', { userId: 'f', version: 2, wakeAt: 20_000 }),
          instance('other-journey', { userId: 'g', journeyId: 'other', wakeAt: 20_000 }),
          instance('v0', { userId: 'h', version: 0, nodeId: 'sms', wakeAt: 6_000 }),
        ],
      }));
      assert.equal(await store.nextWakeAt(), 6_000);
      assert.equal(await store.moveInstances('cart', 2, ['wait', 'sms'], 100), 4);
      const read = async (user: string) => (await store.userInstances(user))[0]!;
      const versions: Record<string, number> = {};
      for (const user of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) versions[user] = (await read(user)).version;
      assert.deepEqual(versions, { a: 2, b: 1, c: 2, d: 2, e: 1, f: 2, g: 1, h: 2 });
      const a = await read('a');
      assert.deepEqual(a, instance('at-wait', { userId: 'a', wakeAt: 7_000, version: 2 }), 'only the version changed');
      assert.equal(await store.nextWakeAt(), 6_000, 'timers are kept');
      assert.deepEqual([(await read('c')).wakeAt, (await read('h')).wakeAt], [9_000, 6_000]);
      assert.equal(await store.moveInstances('cart', 2, ['wait', 'sms'], 200), 0, 'moved once');
      assert.equal(await store.moveInstances('cart', 3, [], 300), 2, 'no nodes given: only the instances at no node');
      assert.deepEqual([(await read('c')).version, (await read('d')).version, (await read('a')).version], [3, 3, 2]);
      // The moved instances go on: the timer view has them on their new version.
      const seen: Array<[string, number]> = [];
      await store.fireDueTimers(7_500, 10, (view) => {
        seen.push(...view.instances.map((i): [string, number] => [i.id, i.version]));
        return { ...NO_CHANGES, instances: view.instances.map((i) => ({ ...i, wakeAt: null, step: i.step + 1 })) };
      });
      assert.deepEqual(seen, [['v0', 2], ['at-wait', 2]]);
      assert.deepEqual([(await read('a')).version, (await read('a')).step], [2, 2]);
      assert.equal(await store.liveInstanceCount('cart'), 6, 'still one live instance each');
      await store.close();
    });

    test('moveInstances moves every instance of a large journey (several pages)', past, async () => {
      const store = await open();
      const n = 4_321;
      await store.ingestEvents([event('e1')], 1, () => ({
        ...NO_CHANGES,
        instances: Array.from({ length: n }, (_, k) => instance(`i${k}`, { userId: `user-${k}`, nodeId: k % 3 === 0 ? 'push' : 'wait' })),
      }));
      const expected = Array.from({ length: n }, (_, k) => k).filter((k) => k % 3 !== 0).length;
      assert.equal(await store.moveInstances('cart', 2, ['wait'], 10), expected);
      assert.equal(await store.moveInstances('cart', 2, ['wait', 'push'], 20), n - expected);
      assert.equal((await store.userInstances('user-3'))[0]!.version, 2);
      await store.close();
    });

    test('scanProfiles pages through every profile in user id order (byte order)', async () => {
      const store = await open();
      const ids = ['b', 'a', 'B', 'a1', 'é', 'z', '_', '10', '9'];
      await store.upsertProfiles(ids.map((userId) => ({ userId, traits: { id: userId } })), 5);
      const pages: string[][] = [];
      let after: string | null = null;
      for (;;) {
        const page = await store.scanProfiles(after, 4);
        if (page.length === 0) break;
        pages.push(page.map((p) => p.userId));
        after = page[page.length - 1]!.userId;
      }
      assert.deepEqual(pages, [['10', '9', 'B', '_'], ['a', 'a1', 'b', 'z'], ['é']]);
      assert.deepEqual(await store.scanProfiles('a', 1), [{ userId: 'a1', traits: { id: 'a1' }, updatedAt: 5 }]);
      assert.deepEqual(await store.scanProfiles('zz', 10), [{ userId: 'é', traits: { id: 'é' }, updatedAt: 5 }]);
      await store.close();
    });

    test('eventsOfUsers: the users\' events in each name\'s own range (from its `since` on), by user then (timestamp, arrival)', async () => {
      const store = await open();
      await store.ingestEvents(
        [
          event('u2-a', 'u2', 'Charged', 2_000),
          event('u1-late', 'u1', 'Charged', 3_000),
          event('u1-old', 'u1', 'Charged', 500),
          event('u1-b', 'u1', 'Charged', 2_000),
          event('u1-a', 'u1', 'Charged', 2_000),
          event('u1-view', 'u1', 'Viewed', 2_500),
          event('u3-a', 'u3', 'Charged', 2_000),
          event('u10-a', 'u10', 'Charged', 2_000),
        ],
        1,
        () => NO_CHANGES,
      );
      await store.ingestEvents([event('u1-later', 'u1', 'Charged', 1_000)], 2, () => NO_CHANGES);
      const ids = async (users: string[], ranges: { name: string; since: number | null }[]) => (await store.eventsOfUsers(users, ranges)).map((e) => e.messageId);
      const charged = (since: number | null) => ({ name: 'Charged', since });
      const viewed = (since: number | null) => ({ name: 'Viewed', since });
      assert.deepEqual(await ids(['u2', 'u10', 'u1', 'nobody'], [charged(1_000)]), ['u1-later', 'u1-b', 'u1-a', 'u1-late', 'u10-a', 'u2-a']);
      assert.deepEqual(await ids(['u1'], [charged(null), viewed(null)]), ['u1-old', 'u1-later', 'u1-b', 'u1-a', 'u1-view', 'u1-late']);
      assert.deepEqual(await ids(['u1'], [charged(2_000), viewed(null)]), ['u1-b', 'u1-a', 'u1-view', 'u1-late'], 'each name from its own since');
      assert.deepEqual(await ids(['u1'], [charged(2_500), viewed(3_000)]), ['u1-late'], 'a view before its own since is left out, though a charge as early would be in');
      assert.deepEqual(await ids(['u1', 'u1'], [viewed(null), viewed(null)]), ['u1-view'], 'repeated users and names count once');
      assert.deepEqual(await ids(['u1'], [charged(2_500), charged(1_000), charged(3_000)]), ['u1-later', 'u1-b', 'u1-a', 'u1-late'], 'a name asked for twice: its earliest since, each event once');
      assert.deepEqual(await ids(['u1'], [charged(3_000), charged(null)]), ['u1-old', 'u1-later', 'u1-b', 'u1-a', 'u1-late'], 'null is the earliest');
      assert.deepEqual(await ids(['u1'], []), []);
      assert.deepEqual(await ids([], [charged(null)]), []);
      const [first] = await store.eventsOfUsers(['u3'], [charged(null)]);
      assert.deepEqual(first, { messageId: 'u3-a', userId: 'u3', name: 'Charged', timestamp: 2_000, properties: { sku: 'S1' }, receivedAt: 1 });
      // About a thousand users at once.
      const many = Array.from({ length: 1_200 }, (_, k) => `m${k}`);
      await store.ingestEvents(many.map((u) => event(`${u}-e`, u, 'Charged', 5_000)), 3, () => NO_CHANGES);
      const found = await store.eventsOfUsers(many.slice(0, 1_000), [{ name: 'Charged', since: null }]);
      assert.equal(found.length, 1_000);
      assert.deepEqual(found.map((e) => e.userId), [...many.slice(0, 1_000)].sort());
      await store.close();
    });

    test('claimRun leases a run; another claim gets it only once the lease ran out, from the saved cursor; never once finished', async () => {
      const store = await open();
      assert.deepEqual(await store.claimRun('j', 100, 1_000, 500), { cursor: null });
      assert.equal(await store.claimRun('j', 100, 1_200, 500), null, 'leased until 1500');
      assert.deepEqual(await store.claimRun('j', 200, 1_200, 500), { cursor: null }, 'another run of the journey is a run of its own');
      assert.deepEqual(await store.claimRun('k', 100, 1_200, 500), { cursor: null }, 'and so is another journey\'s');
      await store.saveRunCursor('j', 100, 'user-5', 1_300, 500);
      assert.equal(await store.claimRun('j', 100, 1_799, 500), null, 'saving renewed the lease until 1800');
      assert.deepEqual(await store.claimRun('j', 100, 1_800, 500), { cursor: 'user-5' }, 'an expired lease: taken over from the cursor');
      assert.equal(await store.claimRun('j', 100, 1_900, 500), null, 'the new owner holds it until 2300');
      await store.saveRunCursor('j', 100, 'user-7', 2_000, 500);
      await store.saveRunCursor('j', 100, 'user-6', 2_000, 500); // a late save of the owner that lost the lease
      assert.deepEqual(await store.claimRun('j', 100, 2_500, 500), { cursor: 'user-7' }, 'the cursor only moves forward');
      await store.finishRun('j', 100, 2_600);
      assert.equal(await store.claimRun('j', 100, 10_000, 500), null, 'finished');
      await store.saveRunCursor('j', 100, 'user-9', 10_000, 500);
      assert.equal(await store.claimRun('j', 100, 20_000, 500), null, 'still finished');
      await store.finishRun('k', 300, 1_000);
      assert.equal(await store.claimRun('k', 300, 2_000, 500), null, 'a run finished without a claim is finished too');
      await store.close();
    });

    test('settings: {} until saved, then the document saved last', async () => {
      const store = await open();
      assert.deepEqual(await store.getSettings(), {});
      const settings = { frequencyCap: { perDay: 3, channels: ['push', 'sms'] }, quietHours: null, name: 'Ünïcode' };
      await store.saveSettings(settings, 10);
      assert.deepEqual(await store.getSettings(), settings);
      await store.saveSettings({ frequencyCap: { perDay: 1 } }, 20);
      assert.deepEqual(await store.getSettings(), { frequencyCap: { perDay: 1 } }, 'replaced, not merged');
      await store.close();
    });

    test('traitNames: every trait name profiles have had, from upserts and units of work', async () => {
      const store = await open();
      assert.deepEqual(await store.traitNames(), new Set());
      await store.upsertProfiles([{ userId: 'u1', traits: { name: 'Ana', email: 'a@x.test' } }, { userId: 'u2', traits: { plan: 'pro', never: null } }], 1);
      assert.deepEqual(await store.traitNames(), new Set(['name', 'email', 'plan']));
      await store.upsertProfiles([{ userId: 'u1', traits: { email: null, phone: '+1' } }], 2);
      assert.deepEqual(await store.traitNames(), new Set(['name', 'email', 'plan', 'phone']), 'a trait removed was still had');
      await assert.rejects(store.ingestEvents([event('e0')], 3, () => {
        throw new Error('boom');
      }));
      await store.ingestEvents([event('e1')], 4, () => ({ ...NO_CHANGES, profiles: [{ userId: 'u1', traits: { vip: true, tier: null } }, { userId: 'u3', traits: { name: 'Bo', score: 3 } }] }));
      await store.ingestEvents([event('e2')], 5, () => ({ ...NO_CHANGES, profiles: [{ userId: 'u1', traits: { vip: false } }] }));
      await store.ingestEvents([event('e3')], 1_000, () => ({ ...NO_CHANGES, instances: [instance('i1', { wakeAt: 10 })] }));
      await store.fireDueTimers(10, 10, (view) => ({ ...NO_CHANGES, instances: view.instances.map((i) => ({ ...i, wakeAt: null })), profiles: [{ userId: 'u1', traits: { fromTimer: 'x' } }] }));
      assert.deepEqual(await store.traitNames(), new Set(['name', 'email', 'plan', 'phone', 'vip', 'score', 'fromTimer']));
      await store.close();
    });

    test('recordEngagement: the first open and the first click are kept and counted on their node once; a click opens too; null for an unknown message', async () => {
      const store = await open();
      await store.ingestEvents([event('e1')], 1, () => ({ ...NO_CHANGES, messages: [message('m1'), message('m2', { userId: 'u2', journeyId: 'other', nodeId: 'mail', channel: 'email' }), message('m3')] }));
      const seen = async () => (await store.listMessages({ limit: 10 })).map((m) => [m.id, m.openedAt, m.clickedAt]);
      assert.deepEqual(await seen(), [['m1', null, null], ['m2', null, null], ['m3', null, null]]);
      assert.deepEqual((await store.pendingMessages(10)).map((m) => [m.openedAt, m.clickedAt]), [[null, null], [null, null], [null, null]]);

      const m1 = { id: 'm1', journeyId: 'cart', version: 1, nodeId: 'push', userId: 'u1', channel: 'push' };
      assert.deepEqual(await store.recordEngagement('m1', 'open', 5_000), { message: m1, openedAt: 5_000, clickedAt: null, firstOpen: true, firstClick: false });
      assert.deepEqual(await store.recordEngagement('m1', 'open', 6_000), { message: m1, openedAt: 5_000, clickedAt: null, firstOpen: false, firstClick: false }, 'a second open changes nothing');
      assert.deepEqual(await store.recordEngagement('m1', 'click', 7_000), { message: m1, openedAt: 5_000, clickedAt: 7_000, firstOpen: false, firstClick: true });
      assert.deepEqual(await store.recordEngagement('m1', 'click', 4_000), { message: m1, openedAt: 5_000, clickedAt: 7_000, firstOpen: false, firstClick: false }, 'an earlier moment changes nothing either');
      assert.deepEqual(await store.recordEngagement('m1', 'open', 8_000), { message: m1, openedAt: 5_000, clickedAt: 7_000, firstOpen: false, firstClick: false });
      // m2 is clicked without an open (its pixel blocked): the click is its open too.
      assert.deepEqual(await store.recordEngagement('m2', 'click', 9_000), {
        message: { id: 'm2', journeyId: 'other', version: 1, nodeId: 'mail', userId: 'u2', channel: 'email' }, openedAt: 9_000, clickedAt: 9_000, firstOpen: true, firstClick: true,
      });
      assert.equal(await store.recordEngagement('m2', 'open', 9_500).then((r) => r!.firstOpen), false);
      assert.equal(await store.recordEngagement('m3', 'open', 10_000).then((r) => r!.firstOpen), true);
      assert.equal(await store.recordEngagement('nope', 'open', 5_000), null);
      assert.equal(await store.recordEngagement('nope', 'click', 5_000), null);

      assert.deepEqual(await seen(), [['m1', 5_000, 7_000], ['m2', 9_000, 9_000], ['m3', 10_000, null]]);
      assert.deepEqual((await store.listMessages({ limit: 10, userId: 'u2' })).map((m) => [m.id, m.openedAt, m.clickedAt]), [['m2', 9_000, 9_000]]);
      const byMetric = (rows: StatRow[]) => rows.map((r) => `${r.version}/${r.nodeId}/${r.metric}=${r.count}`).sort();
      // cart/push: m1 and m3 opened, m1 clicked; other/mail: m2 opened and clicked.
      assert.deepEqual(byMetric(await store.journeyStats('cart')), ['1/push/node_clicked=1', '1/push/node_opened=2']);
      assert.deepEqual(byMetric(await store.journeyStats('other')), ['1/mail/node_clicked=1', '1/mail/node_opened=1']);
      // Engagement is not an outcome: the message is still pending, and its outcome is recorded as before.
      await store.recordOutcomes([{ id: 'm1', status: 'sent', at: 8_000 }]);
      const [first] = await store.listMessages({ limit: 1 });
      assert.deepEqual([first!.status, first!.sentAt, first!.openedAt, first!.clickedAt, first!.attempts], ['sent', 8_000, 5_000, 7_000, 1]);
      await store.close();
    });

    test('recordEngagement: opens of one message at once count it once', async () => {
      const store = await open();
      await store.ingestEvents([event('e1')], 1, () => ({ ...NO_CHANGES, messages: [message('m1')] }));
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.recordEngagement('m1', i % 2 === 0 ? 'open' : 'click', 100 + i)));
      assert.equal(results.filter((r) => r!.firstOpen).length, 1);
      assert.equal(results.filter((r) => r!.firstClick).length, 1);
      const stats = (await store.journeyStats('cart')).map((r) => `${r.metric}=${r.count}`).sort();
      assert.deepEqual(stats, ['node_clicked=1', 'node_opened=1']);
      await store.close();
    });

    test('short links: kept once per code, read back; unknown codes are null', async () => {
      const store = await open();
      await store.saveShortLinks([], 1);
      await store.saveShortLinks([{ code: 'AbC-_123456x', messageId: 'm1', url: 'https://shop.test/a?x=1' }, { code: 'zzzzzzzzzzzz', messageId: 'm1', url: 'https://shop.test/b' }], 1);
      // A retried send writes the same codes again; a code already kept stays as it was.
      await store.saveShortLinks([{ code: 'AbC-_123456x', messageId: 'm1', url: 'https://shop.test/a?x=1' }, { code: 'zzzzzzzzzzzz', messageId: 'm9', url: 'https://elsewhere.test' }], 2);
      assert.deepEqual(await store.shortLink('AbC-_123456x'), { code: 'AbC-_123456x', messageId: 'm1', url: 'https://shop.test/a?x=1' });
      assert.deepEqual(await store.shortLink('zzzzzzzzzzzz'), { code: 'zzzzzzzzzzzz', messageId: 'm1', url: 'https://shop.test/b' });
      assert.equal(await store.shortLink('abc-_123456x'), null, 'codes are case-sensitive');
      assert.equal(await store.shortLink('nope'), null);
      await store.close();
    });

    test('context: outcomes loads the messages of the batch users\' live instances, per instance in creation order', oneDecide, async () => {
      const store = await open();
      await store.ingestEvents([event('e1')], 1, () => ({
        ...NO_CHANGES,
        instances: [
          instance('i1'),
          instance('i2', { journeyId: 'welcome' }),
          instance('quiet', { journeyId: 'quiet' }),
          exited('old', 50, { journeyId: 'promo' }),
          instance('i3', { userId: 'u3' }),
        ],
        messages: [
          message('i1:push:1', { instanceId: 'i1', nodeId: 'push', createdAt: 2_000 }),
          message('i2:email:1', { instanceId: 'i2', journeyId: 'welcome', nodeId: 'email', channel: 'email', createdAt: 2_500 }),
          message('old:push:1', { instanceId: 'old', journeyId: 'promo', createdAt: 40 }),
          message('i3:push:1', { instanceId: 'i3', userId: 'u3', createdAt: 2_000 }),
        ],
      }));
      await store.ingestEvents([event('e2')], 2, () => ({
        ...NO_CHANGES,
        messages: [
          message('i1:sms:2', { instanceId: 'i1', nodeId: 'sms', channel: 'sms', createdAt: 3_000 }),
          message('i1:email:3', { instanceId: 'i1', nodeId: 'email', channel: 'email', status: 'skipped', reason: 'no_email', content: null, createdAt: 3_000 }),
          message('i1:webhook:4', { instanceId: 'i1', nodeId: 'webhook', channel: 'webhook', status: 'sent', sentAt: 3_100, createdAt: 3_100 }),
        ],
      }));
      await store.recordOutcomes([
        { id: 'i1:push:1', status: 'sent', at: 2_100 },
        { id: 'i1:sms:2', status: 'failed', at: 3_050, error: 'bounced' },
      ]);
      await store.recordEngagement('i1:push:1', 'click', 2_200);
      await store.recordEngagement('i1:webhook:4', 'click', 3_300);

      const views: EventBatchView[] = [];
      const capture = (view: EventBatchView) => {
        views.push(view);
        return NO_CHANGES;
      };
      const spec: UserContextSpec = { history: null, sendsSince: null, outcomes: true };
      await store.ingestEvents([event('now-1', 'u1', 'Opened'), event('now-2', 'u2', 'Opened')], 10, capture, undefined, spec);
      assert.deepEqual(outcomesData(views[0]!.context), {
        i1: [
          { nodeId: 'push', status: 'sent', createdAt: 2_000, sentAt: 2_100, clickedAt: 2_200 },
          { nodeId: 'sms', status: 'failed', createdAt: 3_000, sentAt: 3_050, clickedAt: null },
          { nodeId: 'email', status: 'skipped', createdAt: 3_000, sentAt: null, clickedAt: null },
          { nodeId: 'webhook', status: 'sent', createdAt: 3_100, sentAt: 3_100, clickedAt: 3_300 },
        ],
        i2: [{ nodeId: 'email', status: 'pending', createdAt: 2_500, sentAt: null, clickedAt: null }],
      }, 'the live instances of the batch users only: not the exited one, not u3\'s');
      assert.deepEqual(contextData(views[0]!.context), { history: {}, sends: {} }, 'only what was asked for');

      // Alongside the other kinds, and only for the batch's users.
      await store.ingestEvents([event('now-3', 'u3', 'Opened')], 11, capture, undefined, { history: null, sendsSince: 0, outcomes: true });
      assert.deepEqual(outcomesData(views[1]!.context), { i3: [{ nodeId: 'push', status: 'pending', createdAt: 2_000, sentAt: null, clickedAt: null }] });
      assert.deepEqual(contextData(views[1]!.context), { history: {}, sends: { u3: [['push', 2_000]] } });

      // A user without live instances: nothing; not asked for: nothing loaded.
      await store.ingestEvents([event('now-4', 'u2', 'Opened')], 12, capture, undefined, spec);
      assert.deepEqual(outcomesData(views[2]!.context), {});
      await store.ingestEvents([event('now-5', 'u1', 'Opened')], 13, capture, undefined, { history: null, sendsSince: null });
      await store.ingestEvents([event('now-6', 'u1', 'Opened')], 14, capture);
      for (const view of views.slice(3)) assert.equal(view.context.messages?.size ?? 0, 0);
      await store.close();
    });

    test('context: outcomes in the timer view loads the messages of the claimed instances only', async () => {
      const store = await open();
      await store.ingestEvents([event('e1')], 1, () => ({
        ...NO_CHANGES,
        instances: [
          instance('ia', { userId: 'a', wakeAt: 1_000 }),
          instance('ia-other', { userId: 'a', journeyId: 'other', wakeAt: 90_000 }),
          instance('ib', { userId: 'b', wakeAt: 1_500 }),
          instance('ic', { userId: 'c', wakeAt: 50_000 }),
        ],
        messages: [
          message('ia:push:1', { userId: 'a', instanceId: 'ia', nodeId: 'push', createdAt: 100 }),
          message('ia:sms:2', { userId: 'a', instanceId: 'ia', nodeId: 'sms', channel: 'sms', createdAt: 200 }),
          message('ia-other:push:1', { userId: 'a', instanceId: 'ia-other', journeyId: 'other', createdAt: 150 }),
          message('ic:push:1', { userId: 'c', instanceId: 'ic', createdAt: 100 }),
        ],
      }));
      await store.recordOutcomes([{ id: 'ia:push:1', status: 'sent', at: 110 }]);
      await store.recordEngagement('ia:push:1', 'click', 120);
      let view: TimerBatchView | null = null;
      const capture = (v: TimerBatchView) => {
        view = v;
        return { ...NO_CHANGES, instances: v.instances.map((i) => ({ ...i, wakeAt: null })) };
      };
      assert.equal(await store.fireDueTimers(2_000, 10, capture, { history: null, sendsSince: null, outcomes: true }), 2);
      assert.deepEqual(outcomesData(view!.context), {
        ia: [
          { nodeId: 'push', status: 'sent', createdAt: 100, sentAt: 110, clickedAt: 120 },
          { nodeId: 'sms', status: 'pending', createdAt: 200, sentAt: null, clickedAt: null },
        ],
      }, 'ib has none; a\'s other instance and c\'s are not claimed');
      assert.equal(await store.fireDueTimers(60_000, 10, capture, { history: null, sendsSince: null }), 1);
      assert.equal(view!.context.messages?.size ?? 0, 0, 'not asked for: not loaded');
      await store.close();
    });

    test('followUps go to the inbox in the unit\'s transaction: a failed unit adds none; an id already waiting is not added again', oneDecide, async () => {
      const store = await open();
      assert.equal(await store.inboxSize(), 0);
      await assert.rejects(store.ingestEvents([event('e0')], 1, () => {
        throw new Error('boom');
      }), /boom/);
      // A unit that fails while writing (an event without properties cannot be stored) adds nothing either,
      // not even the follow-up written before the one that failed.
      await assert.rejects(store.ingestEvents([event('e0')], 1, () => ({
        ...NO_CHANGES,
        messages: [message('m0')],
        followUps: [followUp('ok'), { ...followUp('broken'), properties: undefined as unknown as Record<string, unknown> }],
      })));
      assert.equal(await store.inboxSize(), 0);
      assert.deepEqual(await store.userEvents('u1', 10), []);
      assert.deepEqual(await store.listMessages({ limit: 10 }), []);

      await store.ingestEvents([event('e1')], 10, () => ({ ...NO_CHANGES, followUps: [followUp('f1', 'u1', 'Journey Reached', 1_000, { v: 1 }), followUp('f2', 'u2'), followUp('f1', 'u1', 'Journey Reached', 1_000, { v: 2 })] }));
      assert.equal(await store.inboxSize(), 2, 'f1 given twice is added once');
      await store.ingestEvents([event('e2')], 11, () => ({ ...NO_CHANGES, followUps: [followUp('f2', 'u2', 'Changed'), followUp('f3', 'u3')] }));
      assert.equal(await store.inboxSize(), 3, 'f2 already waits');
      // Timer units add follow-ups too.
      await store.ingestEvents([event('e3', 'u4')], 12, () => ({ ...NO_CHANGES, instances: [instance('sleeper', { userId: 'u4', wakeAt: 100 }), instance('later', { userId: 'u5', wakeAt: 150 })] }));
      await store.fireDueTimers(100, 10, (view) => ({ ...NO_CHANGES, instances: view.instances.map((i) => ({ ...i, wakeAt: null })), followUps: [followUp('f4', 'u4')] }));
      assert.equal(await store.inboxSize(), 4);
      await assert.rejects(store.fireDueTimers(200, 10, () => {
        throw new Error('boom');
      }));
      assert.equal(await store.inboxSize(), 4);

      const drained: JourneyEvent[] = [];
      assert.equal(await store.drainInbox(1_000, 10, (view) => {
        drained.push(...view.events);
        return NO_CHANGES;
      }), 4);
      assert.deepEqual(drained.map((e) => [e.messageId, e.userId, e.name, e.properties]), [
        ['f1', 'u1', 'Journey Reached', { v: 1 }],
        ['f2', 'u2', 'Journey Reached', { from: 'cart' }],
        ['f3', 'u3', 'Journey Reached', { from: 'cart' }],
        ['f4', 'u4', 'Journey Reached', { from: 'cart' }],
      ], 'in the order added; the first of an id wins');
      assert.equal(await store.inboxSize(), 0);
      await store.close();
    });

    test('drainInbox processes inbox events as ingestEvents would (dedupe, view, lookback, context), oldest first, up to the limit', async () => {
      const store = await open();
      await store.upsertProfiles([{ userId: 'u1', traits: { name: 'Ana' } }], 1);
      await store.ingestEvents([event('dup', 'u1', 'Charged', 500), event('hist', 'u1', 'Charged', 1_500)], 1, () => ({
        ...NO_CHANGES,
        instances: [instance('live'), exited('gone', 300, { journeyId: 'welcome' })],
        messages: [message('live:push:1', { instanceId: 'live', createdAt: 700 })],
      }));
      await store.ingestEvents([event('e1', 'u9')], 2, () => ({
        ...NO_CHANGES,
        followUps: [followUp('f1', 'u1', 'Journey Reached', 1_000), followUp('dup', 'u1', 'Charged', 500), followUp('f2', 'u2', 'Journey Reached', 2_000), followUp('f3', 'u1', 'Journey Reached', 3_000)],
      }));
      assert.equal(await store.inboxSize(), 4);

      // A drain whose decide throws leaves every inbox event as it was, and stores none.
      await assert.rejects(store.drainInbox(50, 2, () => {
        throw new Error('boom');
      }), /boom/);
      assert.equal(await store.inboxSize(), 4);
      assert.deepEqual((await store.userEvents('u1', 10)).map((e) => e.messageId), ['hist', 'dup']);

      const lookback = { startsJourney: (e: JourneyEvent) => e.name === 'Journey Reached', names: new Set(['Charged']) };
      const spec: UserContextSpec = { history: { names: new Set(['Charged']), since: null }, sendsSince: 0, outcomes: true };
      const views: EventBatchView[] = [];
      // The oldest two: f1, and dup, which was ingested already: dropped, yet claimed and removed.
      assert.equal(await store.drainInbox(100, 2, (view) => {
        views.push(view);
        return { ...NO_CHANGES, stats: [{ journeyId: 'cart', version: 1, nodeId: '', metric: 'entered', count: 1 }], followUps: [followUp('g1', 'u1', 'Next', 4_000)] };
      }, lookback, spec), 2);
      const v = views[0]!;
      assert.deepEqual(v.events.map((e) => [e.messageId, e.receivedAt]), [['f1', 100]], 'only the events not seen before, received now');
      assert.equal(v.profiles.get('u1')?.traits.name, 'Ana');
      assert.deepEqual([...v.live.keys()], ['u1']);
      assert.deepEqual(v.live.get('u1')!.map((i) => i.id), ['live']);
      assert.deepEqual([...(v.entered.get('u1') ?? [])].sort(), ['cart', 'welcome']);
      assert.deepEqual(Object.fromEntries(v.lastExits.get('u1') ?? []), { welcome: 300 });
      assert.deepEqual(contextData(v.context), { history: { u1: ['dup', 'hist'] }, sends: { u1: [['push', 700]] } });
      assert.deepEqual(outcomesData(v.context), { live: [{ nodeId: 'push', status: 'pending', createdAt: 700, sentAt: null, clickedAt: null }] });
      assert.deepEqual([...v.recent].map(([user, events]) => [user, events.map((e) => e.messageId)]), [['u1', ['hist']]], 'lookback from f1\'s timestamp on');
      assert.equal(await store.inboxSize(), 3, 'two removed, the follow-up of the drain added');
      assert.deepEqual((await store.userEvents('u1', 10)).map((e) => [e.messageId, e.receivedAt]), [['hist', 1], ['f1', 100], ['dup', 1]], 'f1 is stored; dup is not stored again');
      assert.deepEqual(await store.journeyStats('cart'), [{ version: 1, nodeId: '', metric: 'entered', count: 1 }], 'the changes are committed');

      // The rest, in order, the drain's own follow-up last.
      assert.equal(await store.drainInbox(200, 10, (view) => {
        views.push(view);
        return NO_CHANGES;
      }), 3);
      assert.deepEqual(views[1]!.events.map((e) => [e.messageId, e.userId, e.name, e.timestamp]), [
        ['f2', 'u2', 'Journey Reached', 2_000],
        ['f3', 'u1', 'Journey Reached', 3_000],
        ['g1', 'u1', 'Next', 4_000],
      ]);
      assert.deepEqual([...views[1]!.live.keys()], ['u1']);
      assert.equal(await store.inboxSize(), 0);
      assert.equal(await store.drainInbox(300, 10, () => assert.fail('nothing to drain')), 0);

      // Drained events are deduplicated like ingested ones: a later ingest of one is a duplicate.
      assert.deepEqual(await store.ingestEvents([event('f3', 'u1'), event('new', 'u1')], 400, () => NO_CHANGES), { accepted: 1, duplicates: 1 });
      // An inbox holding only events seen before: claimed and removed, decide not called.
      await store.ingestEvents([event('e2', 'u9')], 500, () => ({ ...NO_CHANGES, followUps: [followUp('new'), followUp('f2', 'u2')] }));
      assert.equal(await store.drainInbox(600, 10, () => assert.fail('no new event')), 2);
      assert.equal(await store.inboxSize(), 0);
      assert.equal(await store.drainInbox(700, 0, () => assert.fail('limit 0')), 0);
      await store.close();
    });

    test('api keys are stored as given (hashes) and listed', async () => {
      const store = await open();
      await store.addApiKey({ kind: 'admin', hash: 'h1', createdAt: 1 });
      await store.addApiKey({ kind: 'write', hash: 'h2', createdAt: 2 });
      assert.deepEqual((await store.listApiKeys()).map((k) => k.kind).sort(), ['admin', 'write']);
      await store.close();
    });

    test('api keys: named, listed oldest first, replaced in one step, removed; the last admin key stays', async () => {
      const store = await open();
      await store.addApiKey({ kind: 'admin', hash: 'a1', createdAt: 1 });
      await store.addApiKey({ kind: 'write', hash: 'w1', createdAt: 2, name: 'iOS app', prefix: 'wm_write_Ab' });
      assert.deepEqual(await store.listApiKeys(), [
        { kind: 'admin', hash: 'a1', createdAt: 1, name: null, prefix: null, lastUsedAt: null },
        { kind: 'write', hash: 'w1', createdAt: 2, name: 'iOS app', prefix: 'wm_write_Ab', lastUsedAt: null },
      ]);
      assert.equal(await store.removeApiKey('a1'), 'last_admin');
      assert.equal(await store.removeApiKey('nope'), 'unknown');
      assert.equal(await store.replaceApiKey('nope', { kind: 'write', hash: 'x', createdAt: 3 }), false);
      assert.equal(await store.replaceApiKey('w1', { kind: 'write', hash: 'w2', createdAt: 3, name: 'iOS app', prefix: 'wm_write_Cd' }), true);
      assert.deepEqual((await store.listApiKeys()).map((k) => k.hash), ['a1', 'w2']);
      // A replacement that would collide with a key that exists changes nothing: the old key stays.
      await assert.rejects(store.replaceApiKey('w2', { kind: 'write', hash: 'a1', createdAt: 4 }));
      assert.deepEqual((await store.listApiKeys()).map((k) => k.hash), ['a1', 'w2']);
      await store.addApiKey({ kind: 'admin', hash: 'a2', createdAt: 5 });
      assert.equal(await store.removeApiKey('a1'), 'removed');
      assert.equal(await store.removeApiKey('a2'), 'last_admin');
      assert.equal(await store.removeApiKey('w2'), 'removed');
      assert.deepEqual((await store.listApiKeys()).map((k) => k.hash), ['a2']);
      await store.close();
    });

    processContract(open);
    deliveryContract(open);
    sendingMarksContract(open);
    deadLettersContract(open);
    bouncesContract(open);
    twilioInboxContract(open);
    copyContract(open);
    opsContract(open, kind);
    identityContract(open, kind);
    teamContract(open);
    boundedContract(open, kind);
    dashboardContract(open);
    statsContract(open, kind);
  });
}
