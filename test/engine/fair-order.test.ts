/**
 * Events and timers are taken in the order they came (ingest-queue.ts): an engine behind on its work is late,
 * but decides as it would have on time. A conversion that came before a message was due stops the message
 * even if the engine takes the conversion after the due time; one that came after the due time does not, even
 * if the timer has not fired yet. On both stores, through the group commit (Engine.ingest), with a virtual
 * clock: the order is decided by when inputs came, never by how fast the machine is.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openWaymark, type Waymark } from '../../src/app/waymark.ts';
import { outboxOnly } from '../../src/channels/outbox.ts';
import { VirtualClock } from '../../src/core/clock.ts';
import type { JourneyEvent } from '../../src/core/instance.ts';
import { T0, forEachStore, tempDir, type StoreKind } from '../helpers.ts';
import { REMINDER } from '../journeys.ts';
import { openTestStore } from '../store/postgres-fixture.ts';

const MIN = 60_000;
const HOUR = 3_600_000;

function event(userId: string, name: string, timestamp: number): JourneyEvent {
  return { messageId: `${userId}-${name}`, userId, name, timestamp, properties: {} };
}

async function open(kind: StoreKind, clock: VirtualClock, realtime: boolean, ingestDelayMs: number): Promise<Waymark> {
  const database = kind === 'postgres' ? await openTestStore() : join(tempDir(), 'waymark.db');
  // On real time the poll and the alarms run on the machine's timers: an hour away, they never fire here.
  const w = await openWaymark({ database, clock, realtime, channels: outboxOnly(), engine: { pollMs: HOUR, ingestDelayMs } });
  after(() => w.close());
  await w.store.upsertProfiles(['ana', 'bo'].map((userId) => ({ userId, traits: { pushToken: `tok-${userId}` } })), T0);
  await w.journeys.create({ id: 'reminder', definition: REMINDER });
  await w.journeys.publish('reminder');
  return w;
}

const pushes = async (w: Waymark) => (await w.store.listMessages({ journeyId: 'reminder', limit: 10 })).map((m) => `${m.userId} ${m.nodeId}`).sort();

await forEachStore((kind) => {
  test('a timer due after a queued event came waits for it: a conversion that came before the message stops it', async () => {
    const clock = new VirtualClock(T0);
    // Queued events wait an hour for their group commit: only stop() commits them here.
    const w = await open(kind, clock, false, HOUR);
    await w.engine.ingestNow([event('ana', 'Signed Up', T0), event('bo', 'Signed Up', T0)]);

    clock.set(T0 + 30 * MIN);
    const charged = w.engine.ingest([event('ana', 'Charged', T0 + 30 * MIN)]);
    clock.set(T0 + 90 * MIN); // both first timers are due, and ana's conversion is still queued
    assert.equal(await w.engine.runDue(), 0, 'no timer due after the queued conversion came fires before it');

    await w.engine.stop(); // commits what is queued
    assert.deepEqual(await charged, { accepted: 1, duplicates: 0 });
    assert.equal(await w.engine.runDue(), 1, 'with nothing queued, the timer due before now fires');
    assert.deepEqual(await pushes(w), ['bo push']);
    assert.deepEqual((await w.store.userInstances('ana')).map((i) => [i.status, i.exit?.reason]), [['exited', 'goal']]);
  });

  test('a unit of events commits after the timers due before its events came: a conversion after the message does not stop it', async () => {
    const clock = new VirtualClock(T0);
    const w = await open(kind, clock, true, 0);
    await w.engine.ingest([event('ana', 'Signed Up', T0)]);

    // Her timer is due at T0 + 1 h and has not fired (the alarm runs on the machine's time): her conversion
    // came half an hour after it, so the push goes first.
    clock.set(T0 + HOUR + 30 * MIN);
    await w.engine.ingest([event('ana', 'Charged', T0 + HOUR + 30 * MIN)]);
    assert.deepEqual(await pushes(w), ['ana push']);
    assert.deepEqual((await w.store.userInstances('ana')).map((i) => [i.status, i.exit?.reason]), [['exited', 'goal']]);
  });
});
