/**
 * Identity merges through the engine's queue (group commit), on each store: an identify called between two
 * ingests commits after the first and before the second, whatever they share of a moment.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { T0, forEachStore, virtualWaymark } from '../helpers.ts';
import { path } from '../journeys.ts';

const WELCOME = path('welcome', [
  { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
  { id: 'push', kind: 'send', channel: 'push', message: { title: 'Hi', body: 'Welcome' } },
  { id: 'out', kind: 'exit' },
]);

await forEachStore((store) => {
  test('ingest, identify, ingest called at once: the first event is the anonymous id’s when decided, the last the user’s', async () => {
    const w = await virtualWaymark({ store });
    await w.journeys.create({ id: 'welcome', definition: WELCOME });
    await w.journeys.publish('welcome');
    await w.store.upsertProfiles([{ userId: 'ana', traits: { pushToken: 'tok-ana' } }], T0);
    const signUp = (messageId: string) => ({ messageId, userId: 'anon-1', name: 'Signed Up', timestamp: T0, properties: {} });

    const [, merged] = await Promise.all([w.engine.ingest([signUp('s-1')]), w.engine.identify({ from: 'anon-1', into: 'ana' }), w.engine.ingest([signUp('s-2')])]);
    assert.deepEqual(merged, { outcome: 'merged', userId: 'ana', events: 1, instances: 1, exited: 0 });
    // s-1 was anon-1's when decided (no push token): skipped, then moved with its pass. s-2 is Ana's, and the
    // moved pass is her entry: no re-entry (the default), so no second pass and nothing sent to tok-ana.
    const messages = await w.store.listMessages({ userId: 'ana', limit: 10 });
    // s-1's pass: T0 is 0mvzdy000 in base 36.
    assert.deepEqual(messages.map((m) => [m.instanceId, m.status, m.reason]), [['welcome:0mvzdy000:s-1', 'skipped', 'no_push_token']]);
    assert.deepEqual((await w.store.userEvents('ana', 10)).map((e) => e.messageId).sort(), ['s-1', 's-2']);
  });
});
