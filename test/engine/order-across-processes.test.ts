/**
 * Events and timers in the order they came across processes sharing a PostgreSQL database (queued-elsewhere.ts):
 * a worker fires no timer due after a call an api process has queued and not committed. Without it, a worker
 * sent messages to users whose conversion, sent 1.5 s before the message was due, was still queued in a busy api
 * process (bench/RESULTS.md, 2026-12-08). Two Waymarks on one schema and one virtual clock: the api's group commit
 * waits an hour (only stop() commits), the worker's timers are fired by hand.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { openWaymark, type Waymark } from '../../src/app/waymark.ts';
import { outboxOnly } from '../../src/channels/outbox.ts';
import { VirtualClock } from '../../src/core/clock.ts';
import type { JourneyEvent } from '../../src/core/instance.ts';
import { QUEUED_ELSEWHERE_FRESH_MS } from '../../src/engine/queued-elsewhere.ts';
import { T0 } from '../helpers.ts';
import { REMINDER } from '../journeys.ts';
import { testSchema, withPostgres } from '../store/postgres-fixture.ts';

const MIN = 60_000;
const HOUR = 3_600_000;

const event = (userId: string, name: string, timestamp: number): JourneyEvent => ({ messageId: `${userId}-${name}`, userId, name, timestamp, properties: {} });

async function processes(clock: VirtualClock): Promise<{ api: Waymark; worker: Waymark; rows: () => Promise<number> }> {
  const schema = testSchema();
  // The api on real time (it says what it has queued), its poll an hour away; the worker steps by hand.
  const api = await openWaymark({ database: await schema.open(), clock, realtime: true, background: false, channels: outboxOnly(), engine: { pollMs: HOUR, ingestDelayMs: HOUR } });
  const worker = await openWaymark({ database: await schema.open(), clock, realtime: false, channels: outboxOnly() });
  after(async () => {
    await api.close();
    await worker.close();
    await schema.drop();
  });
  await api.store.upsertProfiles(['ana', 'bo'].map((userId) => ({ userId, traits: { pushToken: `tok-${userId}` } })), T0);
  await api.journeys.create({ id: 'reminder', definition: REMINDER });
  await api.journeys.publish('reminder');
  await worker.engine.reloadJourneys();
  const rows = async () => Number((await schema.query<{ n: string }>('SELECT count(*) AS n FROM ingest_waiting'))[0]!.n);
  return { api, worker, rows };
}

/** Until the api's word is in the store (one write, under way once the call is queued). */
async function said(rows: () => Promise<number>, n: number): Promise<void> {
  while ((await rows()) !== n) await new Promise((resolve) => setImmediate(resolve));
}

const pushes = async (w: Waymark) => (await w.store.listMessages({ journeyId: 'reminder', limit: 10 })).map((m) => m.userId).sort();

await withPostgres('order across processes', () => {
  test('a worker fires no timer due after a call an api process has queued: a conversion that came first stops the message', async () => {
    const clock = new VirtualClock(T0);
    const { api, worker, rows } = await processes(clock);
    await api.engine.ingestNow([event('ana', 'Signed Up', T0), event('bo', 'Signed Up', T0)]);

    clock.set(T0 + HOUR - 1_000);
    const charged = api.engine.ingest([event('ana', 'Charged', T0 + HOUR - 1_000)]);
    await said(rows, 1);
    clock.set(T0 + HOUR + 1_000); // both pushes are due; ana's conversion, which came first, is queued in the api
    assert.equal(await worker.engine.runDue(), 0, 'no timer due after the queued call came fires');

    await api.engine.stop(); // commits what is queued, and its word goes
    assert.deepEqual(await charged, { accepted: 1, duplicates: 0 });
    assert.equal(await rows(), 0);
    assert.equal(await worker.engine.runDue(), 1, 'with nothing queued anywhere, the timer due fires');
    assert.deepEqual(await pushes(worker), ['bo']);
    assert.deepEqual((await worker.store.userInstances('ana')).map((i) => [i.status, i.exit?.reason]), [['exited', 'goal']]);
  });

  test('timers due before the queued call came fire; a process whose word is older than 5 s is not waited for', async () => {
    const clock = new VirtualClock(T0);
    const { api, worker, rows } = await processes(clock);
    await api.engine.ingestNow([event('ana', 'Signed Up', T0), event('bo', 'Signed Up', T0)]);
    clock.set(T0 + 30 * MIN + 1_000);
    await api.engine.ingestNow([event('cy', 'Signed Up', T0 + 30 * MIN + 1_000)]);

    clock.set(T0 + 90 * MIN);
    void api.engine.ingest([event('ana', 'Charged', T0 + 90 * MIN)]);
    await said(rows, 1);
    clock.set(T0 + 90 * MIN + 2_000);
    assert.equal(await worker.engine.runDue(), 2, "ana's and bo's pushes were due before the call came; cy's, a second after, waits");
    assert.deepEqual(await pushes(worker), ['ana', 'bo']);

    // The api has said nothing since: a process that died with calls queued is waited for only so long.
    clock.set(T0 + 90 * MIN + QUEUED_ELSEWHERE_FRESH_MS + 1);
    assert.equal(await worker.engine.runDue(), 1);
    assert.deepEqual(await pushes(worker), ['ana', 'bo', 'cy']);
  });
});
