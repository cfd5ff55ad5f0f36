/**
 * The Store contract: every adapter must pass these. Call `storeContract(name, open)` from an adapter's
 * test file with a function that opens a fresh, empty store.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Instance, JourneyEvent } from '../../src/core/instance.ts';
import type { Changes, NewMessage, Store } from '../../src/store/store.ts';
import { example } from '../helpers.ts';

const NO_CHANGES: Changes = { instances: [], messages: [], stats: [] };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const event = (messageId: string, userId = 'u1', name = 'Added to Cart', timestamp = 1_000): JourneyEvent => ({ messageId, userId, name, timestamp, properties: { sku: 'S1' } });

function instance(id: string, overrides: Partial<Instance> = {}): Instance {
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

export function storeContract(name: string, open: () => Promise<Store>): void {
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
      assert.deepEqual((await store.userInstances('u1')).map((i) => i.id).sort(), ['i1', 'i3']);
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

    test('stopping a journey exits every live instance and counts them', async () => {
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

    test('api keys are stored as given (hashes) and listed', async () => {
      const store = await open();
      await store.addApiKey({ kind: 'admin', hash: 'h1', createdAt: 1 });
      await store.addApiKey({ kind: 'write', hash: 'h2', createdAt: 2 });
      assert.deepEqual((await store.listApiKeys()).map((k) => k.kind).sort(), ['admin', 'write']);
      await store.close();
    });
  });
}
