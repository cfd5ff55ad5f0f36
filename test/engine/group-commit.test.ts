/**
 * Group commit isolation: calls to Engine.ingest made in the same moment share one unit of work; when that
 * unit fails because of one call's events, the other calls still commit and resolve, and only that call is
 * rejected. The failure is injected inside the real store's unit of work (its transaction rolls back for real).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openWaymark } from '../../src/app/waymark.ts';
import { VirtualClock } from '../../src/core/clock.ts';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import type { JourneyEvent } from '../../src/core/instance.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { forEachStore, T0, tempDir } from '../helpers.ts';
import { openTestStore } from '../store/postgres-fixture.ts';
import { path } from '../journeys.ts';

const WELCOME: JourneyDefinition = path('welcome', [
    { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
    { id: 'push', kind: 'send', channel: 'push', message: { title: 'Hi', body: 'Welcome' } },
    { id: 'out', kind: 'exit' },
]);

/** The store, except that a unit of work holding a "Poison" event fails after deciding, inside its transaction. */
function poisoned(store: Store, units: string[][]): Store {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'ingestEvents') {
        const ingestEvents: Store['ingestEvents'] = (events, now, decide, ...rest) => {
          units.push(events.map((e) => e.messageId));
          return target.ingestEvents(events, now, (view) => {
            const changes = decide(view);
            if (view.events.some((e) => e.name === 'Poison')) throw new Error('this unit cannot be written');
            return changes;
          }, ...rest);
        };
        return ingestEvents;
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function event(messageId: string, userId: string, name: string): JourneyEvent {
  return { messageId, userId, name, timestamp: T0, properties: {} };
}

await forEachStore((kind) => {
  test('a shared unit that fails for one call: the others commit and resolve, only that call is rejected', async () => {
    const real: Store = kind === 'postgres' ? await openTestStore() : new SqliteStore(join(tempDir(), 'waymark.db'));
    const units: string[][] = [];
    const w = await openWaymark({ database: poisoned(real, units), clock: new VirtualClock(T0), realtime: false });
    after(() => w.close());
    await w.store.upsertProfiles(['ana', 'bo', 'cy'].map((userId) => ({ userId, traits: { pushToken: `tok-${userId}` } })), T0);
    await w.journeys.create({ id: 'welcome', definition: WELCOME });
    await w.journeys.publish('welcome');
    await w.engine.ingestNow([event('ana-0', 'ana', 'Viewed')]);
    units.length = 0;

    // Three calls in the same moment: one group commit.
    const results = await Promise.allSettled([
      w.engine.ingest([event('ana-0', 'ana', 'Viewed'), event('ana-1', 'ana', 'Signed Up')]),
      w.engine.ingest([event('cy-1', 'cy', 'Signed Up'), event('cy-2', 'cy', 'Poison')]),
      w.engine.ingest([event('bo-1', 'bo', 'Signed Up'), event('bo-2', 'bo', 'Viewed')]),
    ]);

    assert.deepEqual(units, [['ana-0', 'ana-1', 'cy-1', 'cy-2', 'bo-1', 'bo-2'], ['ana-0', 'ana-1'], ['cy-1', 'cy-2'], ['bo-1', 'bo-2']], 'shared first, then call by call');
    assert.deepEqual(results[0], { status: 'fulfilled', value: { accepted: 1, duplicates: 1 } }); // ana-0 was stored before
    assert.equal(results[1]!.status, 'rejected');
    assert.equal((results[1] as PromiseRejectedResult).reason.message, 'this unit cannot be written');
    assert.deepEqual(results[2], { status: 'fulfilled', value: { accepted: 2, duplicates: 0 } });

    const sent = await w.store.listMessages({ journeyId: 'welcome', limit: 10 });
    assert.deepEqual(sent.map((m) => [m.userId, m.status, m.content?.to]).sort(), [
      ['ana', 'sent', 'tok-ana'],
      ['bo', 'sent', 'tok-bo'],
    ]);
    assert.deepEqual((await w.store.userEvents('ana', 10)).map((e) => e.messageId).sort(), ['ana-0', 'ana-1']);
    assert.deepEqual((await w.store.userEvents('bo', 10)).map((e) => e.messageId).sort(), ['bo-1', 'bo-2']);
    assert.deepEqual(await w.store.userEvents('cy', 10), [], "the failed call's valid event went with it");
  });
});
