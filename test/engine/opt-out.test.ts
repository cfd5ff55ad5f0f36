/** Channel opt-outs (the channel table's opt-out trait), through the real engine on both stores. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import { T0, forEachStore, virtualWaymark } from '../helpers.ts';
import { path } from '../journeys.ts';

/** On "Ping": a push; users it does not reach get an email instead. */
const journey: JourneyDefinition = path('ping', [
    { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Ping' } },
    { id: 'push', kind: 'send', channel: 'push', message: { title: 'Ping', body: 'b' } },
    { id: 'email', kind: 'send', channel: 'email', message: { subject: 'Ping', body: 'b' } },
    { id: 'out', kind: 'exit' },
], {
  branches: [
    { from: 'push', to: 'out' },
    { from: 'push', to: 'email', branch: 'unreachable' },
  ],
});

await forEachStore((store) => {
  test('a user who opted out of push is skipped as unsubscribed and takes the unreachable branch; others are sent to', async () => {
    const w = await virtualWaymark({ store });
    await w.store.upsertProfiles(
      [
        { userId: 'out', traits: { pushToken: 'tok-1', email: 'out@example.test', pushOptOut: true } },
        { userId: 'in', traits: { pushToken: 'tok-2', email: 'in@example.test', pushOptOut: false } },
      ],
      T0,
    );
    await w.journeys.create({ id: 'ping', definition: journey });
    await w.journeys.publish('ping');
    await w.send({ userId: 'out', name: 'Ping', timestamp: T0 + 1_000 });
    await w.send({ userId: 'in', name: 'Ping', timestamp: T0 + 2_000 });

    const rows = (await w.store.listMessages({ limit: 100 })).map((m) => `${m.userId} ${m.nodeId} ${m.status} ${m.reason ?? '-'}`).sort();
    assert.deepEqual(rows, ['in push sent -', 'out email sent -', 'out push skipped unsubscribed']);
  });
});
