/** Scheduled entries (segment and date property) through the real engine and store on a virtual clock. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import { compileJourney } from '../../src/core/validate.ts';
import { RUN_LEASE_MS, carryOutRun } from '../../src/engine/scheduler.ts';
import { forEachStore, virtualWaymark, type StoreKind } from '../helpers.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2026, 5, 1, 0, 0); // a Monday, midnight UTC

const push = { id: 'push', kind: 'send', channel: 'push', message: { title: 'Hi', body: 'at {{ Event.at }}' } } as const;

function journey(trigger: unknown, setup: Record<string, unknown> = {}): JourneyDefinition {
  return {
    name: 'scheduled',
    setup: { timezone: 'UTC', ...setup },
    nodes: [{ id: 'in', kind: 'entry', trigger } as never, push, { id: 'out', kind: 'exit' }],
    edges: [
      { from: 'in', to: 'push' },
      { from: 'push', to: 'out' },
    ],
  };
}

async function start(store: StoreKind, definition: JourneyDefinition, profiles: Record<string, Record<string, unknown>>) {
  const w = await virtualWaymark({ store, start: START });
  await w.store.upsertProfiles(
    Object.entries(profiles).map(([userId, traits]) => ({ userId, traits: { pushToken: `tok-${userId}`, ...traits } })),
    START,
  );
  await w.journeys.create({ id: 'j', definition });
  await w.journeys.publish('j');
  return w;
}

async function pushes(w: Awaited<ReturnType<typeof start>>) {
  const messages = await w.store.listMessages({ journeyId: 'j', limit: 1000 });
  return messages.filter((m) => m.status === 'sent').map((m) => [m.userId, m.sentAt!] as const).sort();
}

await forEachStore((store) => {
  test('segment entry: every day at 09:00, the users matching then enter once; history and traits both count', async () => {
    const segment = {
      type: 'all',
      of: [
        { type: 'profile', where: [{ property: 'plan', op: '=', value: 'pro' }] },
        { type: 'event', event: 'Viewed Product', count: { op: '>=', value: 2 }, within: { last: '7d' } },
      ],
    };
    const w = await start(store, journey({ type: 'segment', segment, schedule: { type: 'recurring', time: '09:00' } }), {
      ana: { plan: 'pro' },
      bo: { plan: 'pro' },
      cy: { plan: 'basic' },
    });
    for (const userId of ['ana', 'cy']) {
      await w.send({ userId, name: 'Viewed Product', timestamp: START + HOUR });
      await w.send({ userId, name: 'Viewed Product', timestamp: START + 2 * HOUR });
    }
    await w.runUntil(START + DAY); // Monday 09:00: ana only (bo has no history, cy is not pro)
    assert.deepEqual(await pushes(w), [['ana', START + 9 * HOUR]]);
    // bo qualifies on Tuesday; ana, who entered once ever (reentry never), does not enter again.
    await w.send({ userId: 'bo', name: 'Viewed Product', timestamp: START + DAY + HOUR });
    await w.send({ userId: 'bo', name: 'Viewed Product', timestamp: START + DAY + 2 * HOUR });
    await w.runUntil(START + 3 * DAY);
    assert.deepEqual(await pushes(w), [['ana', START + 9 * HOUR], ['bo', START + DAY + 9 * HOUR]]);
    const totals = (await w.store.journeyStats('j')).filter((r) => r.nodeId === '' && r.metric === 'entered');
    assert.equal(totals.reduce((n, r) => n + r.count, 0), 2);
  });

  test('segment entry reads the events of the users whose traits leave it undecided, and of no one else', async () => {
    const segment = {
      type: 'any',
      of: [
        { type: 'profile', where: [{ property: 'vip', op: '=', value: true }] },
        {
          type: 'all',
          of: [
            { type: 'profile', where: [{ property: 'plan', op: '=', value: 'pro' }] },
            { type: 'event', event: 'Viewed Product', within: { last: '7d' } },
          ],
        },
      ],
    };
    const runAt = Date.parse('2026-06-02T12:00:00Z');
    const w = await start(store, journey({ type: 'segment', segment, schedule: { type: 'dates', at: [new Date(runAt).toISOString()] } }), {
      vip: { vip: true }, // enters on its traits alone
      viewer: { plan: 'pro' }, // enters on its events
      idle: { plan: 'pro' }, // its events decide: none
      basic: { plan: 'basic' }, // out on its traits alone, though it viewed
    });
    for (const userId of ['viewer', 'basic']) await w.send({ userId, name: 'Viewed Product', timestamp: START + HOUR });
    const asked: Array<{ users: string[]; ranges: unknown }> = [];
    const eventsOfUsers = w.store.eventsOfUsers.bind(w.store);
    w.store.eventsOfUsers = async (users, ranges) => {
      asked.push({ users: [...users].sort(), ranges });
      return eventsOfUsers(users, ranges);
    };
    await w.runUntil(START + 2 * DAY);
    assert.deepEqual(
      (await pushes(w)).map(([userId]) => userId),
      ['viewer', 'vip'],
    );
    assert.deepEqual(asked, [{ users: ['idle', 'viewer'], ranges: [{ name: 'Viewed Product', since: runAt - 7 * DAY }] }]);
  });

  test('segment entry on chosen dates; a run before publishing is not made up for', async () => {
    const at = ['2026-05-31T12:00:00Z', '2026-06-02T12:00:00Z'];
    const w = await start(store, journey({ type: 'segment', segment: { type: 'profile', where: [{ property: 'plan', op: 'exists' }] }, schedule: { type: 'dates', at } }, { reentry: 'afterExit' }), {
      ana: { plan: 'pro' },
    });
    await w.runUntil(START + 5 * DAY);
    assert.deepEqual(await pushes(w), [['ana', Date.parse(at[1]!)]]);
  });

  test('a segment run at the very moment the entry timeline starts counts (startAt is included)', async () => {
    const at = '2026-06-02T09:00:00.000Z';
    const w = await start(store, journey({ type: 'segment', segment: { type: 'profile', where: [{ property: 'plan', op: 'exists' }] }, schedule: { type: 'dates', at: [at] } }, { startAt: at }), {
      ana: { plan: 'pro' },
    });
    await w.runUntil(START + 5 * DAY);
    assert.deepEqual(await pushes(w), [['ana', Date.parse(at)]]);
  });

  test('date entry: 3 days before renewal_date at 10:00 in each user zone, pending until then', async () => {
    const trigger = { type: 'date', property: 'renewal_date', before: '3d', time: '10:00' };
    const w = await start(store, journey(trigger), {
      lisbon: { renewal_date: '2026-06-05', timezone: 'Europe/Lisbon' }, // 2 June 10:00 WEST = 09:00 UTC
      tokyo: { renewal_date: '2026-06-05', timezone: 'Asia/Tokyo' }, // 2 June 10:00 JST = 01:00 UTC
      later: { renewal_date: '2026-07-01' },
      none: {},
    });
    await w.runUntil(START + 4 * DAY);
    assert.deepEqual(await pushes(w), [
      ['lisbon', Date.UTC(2026, 5, 2, 9)],
      ['tokyo', Date.UTC(2026, 5, 2, 1)],
    ]);
    const [instance] = await w.store.userInstances('tokyo');
    // Entered by that day's scan at midnight in the journey's zone, pending until 01:00.
    assert.equal(instance?.createdAt, Date.UTC(2026, 5, 2, 0));
  });

  test('date entry, annual: on the birthday at 10:00 local, every year', async () => {
    const w = await start(store, journey({ type: 'date', property: 'birthday', annual: true, time: '10:00' }, { reentry: 'afterExit' }), {
      ana: { birthday: '1990-06-03' },
    });
    await w.runUntil(Date.UTC(2027, 5, 5));
    assert.deepEqual(await pushes(w), [
      ['ana', Date.UTC(2026, 5, 3, 10)],
      ['ana', Date.UTC(2027, 5, 3, 10)],
    ]);
  });

  test('a run cut short resumes from its saved cursor once its lease expires, and enters nobody twice', async () => {
    const profiles = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`u${i}`, { plan: 'pro' }]));
    const w = await start(store, journey({ type: 'segment', segment: { type: 'profile', where: [{ property: 'plan', op: '=', value: 'pro' }] }, schedule: { type: 'dates', at: ['2026-06-01T09:00:00Z'] } }), profiles);
    const runAt = Date.UTC(2026, 5, 1, 9);
    // Another process claimed the run, entered u0, u1 and u2, saved its cursor after u1, and died.
    w.clock.set(runAt);
    assert.deepEqual(await w.store.claimRun('j', runAt, runAt, RUN_LEASE_MS), { cursor: null });
    const enter = (userId: string) => ({ messageId: `$enter:j:${runAt}:${userId}`, userId, name: '$enter', timestamp: runAt, properties: { journeyId: 'j', runAt, at: runAt } });
    await w.engine.ingestNow(['u0', 'u1', 'u2'].map(enter));
    await w.store.saveRunCursor('j', runAt, 'u1', runAt, RUN_LEASE_MS);
    assert.deepEqual(await w.engine.runScheduled(), [], 'the run is leased to the other process');
    w.clock.set(runAt + RUN_LEASE_MS + 1);
    const done = await w.engine.runScheduled();
    assert.deepEqual(done.map((p) => [p.scanned, p.entered]), [[3, 2]], 'resumed after u1; u2 was entered already');
    await w.engine.dispatch();
    assert.deepEqual((await pushes(w)).map(([u]) => u), ['u0', 'u1', 'u2', 'u3', 'u4'], 'everyone once');
    assert.deepEqual(await w.store.claimRun('j', runAt, runAt + DAY, RUN_LEASE_MS), null, 'finished');
  });
});

test('a long scheduled run gives way between pages of profiles (a server keeps answering meanwhile)', async () => {
  const w = await start('sqlite', journey({ type: 'segment', segment: { type: 'profile', where: [{ property: 'plan', op: '=', value: 'pro' }] }, schedule: { type: 'dates', at: ['2026-06-01T09:00:00Z'] } }), {});
  await w.store.upsertProfiles(Array.from({ length: 2_500 }, (_, i) => ({ userId: `u${String(i).padStart(4, '0')}`, traits: { plan: i % 2 ? 'pro' : 'free' } })), START);
  const runAt = Date.UTC(2026, 5, 1, 9);
  w.clock.set(runAt);
  const compiled = compileJourney((await w.journeys.get('j')).draft);
  assert.ok(compiled.ok);
  const scheduled = { journeyId: 'j', journey: compiled.journey, zone: 'UTC', publishedAt: START };
  let pauses = 0;
  const progress = await carryOutRun(w.store, scheduled, runAt, w.clock, (events) => w.engine.ingestNow(events), undefined, async () => {
    pauses += 1;
  });
  assert.deepEqual([progress?.scanned, progress?.entered, pauses], [2_500, 1_250, 3]);
});
