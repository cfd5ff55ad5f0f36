/** Every journey in examples/ validates and simulates, and does what its description promises, checked by hand. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { eventNeeds } from '../../src/core/segment.ts';
import { ENTER_EVENT, compileJourney, type CompiledJourney } from '../../src/core/validate.ts';
import { simulate } from '../../src/sim/simulate.ts';
import { ROOT, tempDir } from '../helpers.ts';

const MIN = 60_000;
const DAY = 86_400_000;
const files = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.json')).sort();

test('examples/ holds the journeys the docs promise', () => {
  const promised = ['abandoned-cart', 'abandoned-cart-quiet-hours', 'onboarding', 'win-back', 'renewal-reminder', 'birthday-offer', 'weekly-reengagement'];
  for (const name of promised) assert.ok(files.includes(`${name}.json`), name);
});

/** Event names a journey's segment conditions ask about (a scheduled entry's segment, splits). */
function conditionEvents(journey: CompiledJourney): string[] {
  const trigger = journey.entry.trigger;
  const conditions = [...(trigger.type === 'segment' ? [trigger.segment] : []), ...[...journey.nodes.values()].flatMap((n) => (n.kind === 'split' && n.condition ? [n.condition] : []))];
  return [...new Set(conditions.flatMap((c) => eventNeeds(c, 0).names))];
}

for (const file of files) {
  test(`examples/${file} validates and simulates`, async () => {
    const compiled = compileJourney(JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8')));
    assert.ok(compiled.ok, JSON.stringify(!compiled.ok && compiled.problems));
    const journey = compiled.journey;
    // A tiny generated workload: 30 users enter; every other one later does each event the journey watches.
    const waitedFor = [...journey.nodes.values()].flatMap((n) => (n.kind === 'wait' ? [n.event] : []));
    const goals = journey.goals.map((g) => g.event);
    const events: Array<{ at: number; userId: string; event: string; properties: Record<string, unknown> }> = [];
    const users = Array.from({ length: 30 }, (_, i) => `user-${i}`);
    const scheduled = journey.entry.event === ENTER_EVENT;
    // Live entries: everyone does the entry event. Scheduled ones enter from their profiles and history.
    if (!scheduled) users.forEach((userId, i) => events.push({ at: i * 1_000, userId, event: journey.entry.event, properties: { productName: 'Shoes', price: 50, currency: 'EUR', plan: 'pro' } }));
    // History the conditions ask about: event k is done (three times) by the users whose bit k is set, so every mix occurs.
    conditionEvents(journey).forEach((event, k) => {
      users.forEach((userId, i) => {
        if ((i >> k) % 2 === 1) for (let r = 0; r < 3; r++) events.push({ at: i * 1_000 + r, userId, event, properties: {} });
      });
    });
    users.forEach((userId, i) => {
      if (i % 2 !== 0) return;
      waitedFor.forEach((event, k) => events.push({ at: 10 * MIN + k, userId, event, properties: {} }));
      if (i % 4 === 0) goals.forEach((event, k) => events.push({ at: 3 * DAY + k, userId, event, properties: {} }));
    });
    events.sort((a, b) => a.at - b.at);
    const dir = tempDir();
    const eventsFile = join(dir, 'events.ndjson');
    const profilesFile = join(dir, 'profiles.ndjson');
    writeFileSync(eventsFile, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    // Dates inside the simulated weeks (it starts on 2026-01-01), for date-property entries and delays.
    const dates = { renewal_date: '2026-01-12', birthday: '1990-01-05' };
    writeFileSync(
      profilesFile,
      users
        .map((userId, i) =>
          JSON.stringify({ userId, name: `U${i}`, email: `${userId}@example.test`, phone: '+15550000', pushToken: `tok-${i}`, plan: i % 3 === 0 ? 'pro' : 'basic', timezone: 'Europe/Lisbon', ...dates }),
        )
        .join('\n') + '\n',
    );
    const until = scheduled ? { until: '2026-02-10T00:00:00Z' } : {};
    const result = await simulate({ journey: join(ROOT, 'examples', file), events: eventsFile, profiles: profilesFile, out: join(dir, 'out'), ...until });
    assert.equal(result.events, events.length);
    assert.ok((result.stats.totals.entered ?? 0) > 0, `${file}: someone entered: ${JSON.stringify(result.stats.totals)}`);
    assert.ok(result.sentTotal > 0, `${file}: something was sent`);
    assert.equal(result.failed, 0);
    // Every branch of every branching node was taken by someone: the generated events exercise them all.
    for (const node of journey.nodes.values()) {
      if (node.kind !== 'wait' && node.kind !== 'abSplit' && node.kind !== 'split') continue;
      for (const target of journey.next.get(node.id)!.values()) {
        if (journey.nodes.get(target)?.kind === 'exit') continue;
        assert.ok((result.stats.nodes.find((n) => n.nodeId === target)?.entered ?? 0) > 0, `${file}: nobody reached ${target} from ${node.id}: ${JSON.stringify(result.stats.nodes)}`);
      }
    }
    assert.ok(Date.parse(result.endTime) - Date.parse(result.startTime) < 60 * DAY, 'every timer fired and the run ended');
  });
}

/**
 * Hand-computed facts, one journey at a time: who gets what, and when. Every expected instant is a Date.UTC
 * literal with its arithmetic; none comes from the project's own time functions. Users are picked outside the
 * control groups by their known buckets (see the bucketOf vectors in test/core/interpreter.test.ts).
 */
async function backtest(name: string, profiles: Array<Record<string, unknown>>, events: Array<{ userId: string; event: string; timestamp: string; properties?: Record<string, unknown> }>, until?: string) {
  const dir = tempDir();
  const eventsFile = join(dir, 'events.ndjson');
  const profilesFile = join(dir, 'profiles.ndjson');
  writeFileSync(eventsFile, events.map((e, i) => JSON.stringify({ messageId: `e${i}`, properties: {}, ...e })).join('\n') + '\n');
  writeFileSync(profilesFile, profiles.map((p) => JSON.stringify({ email: `${p.userId}@x.test`, phone: '+15550000', ...p })).join('\n') + '\n');
  const result = await simulate({
    journey: join(ROOT, 'examples', `${name}.json`),
    events: eventsFile,
    profiles: profilesFile,
    start: '2026-01-01T00:00:00Z',
    out: join(dir, 'out'),
    ...(until ? { until } : {}),
  });
  const sent = readFileSync(result.files.messages, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { userId: string; nodeId: string; sentAt: string });
  return sent.map((m) => [Date.parse(m.sentAt), m.userId, m.nodeId] as const).sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
}

test('abandoned-cart-quiet-hours: sends inside 21:00-09:00 in the user\'s own zone wait for 09:00 there; the control group gets nothing', async () => {
  const got = await backtest(
    'abandoned-cart-quiet-hours',
    [
      { userId: 'ana', pushToken: 'tok-a', timezone: 'Asia/Tokyo' }, // bucket 41: in the journey
      { userId: 'ny', pushToken: 'tok-n', timezone: 'America/New_York' }, // bucket 84: in the journey
      { userId: 'tokyo', pushToken: 'tok-t', timezone: 'Asia/Tokyo' }, // bucket 5: the 10% control group
    ],
    [
      { userId: 'ana', event: 'Added to Cart', timestamp: '2026-01-01T11:00:00Z' }, // 20:00 in Tokyo (UTC+9)
      { userId: 'tokyo', event: 'Added to Cart', timestamp: '2026-01-01T11:00:00Z' },
      { userId: 'ny', event: 'Added to Cart', timestamp: '2026-01-02T02:00:00Z' }, // 21:00 on 1 January in New York (EST, UTC-5)
    ],
  );
  assert.deepEqual(got, [
    [Date.UTC(2026, 0, 1, 11, 2), 'ana', 'push-free-shipping'], // cart + 2 min = 20:02 JST, before 21:00: at once
    [Date.UTC(2026, 0, 2, 0, 0), 'ana', 'sms-10-off'], // due 13:02Z = 22:02 JST, deferred to 09:00 JST on 2 Jan = 00:00Z
    [Date.UTC(2026, 0, 2, 2, 0), 'ana', 'email-final-reminder'], // 2 h after the deferred SMS: 11:00 JST
    [Date.UTC(2026, 0, 2, 14, 0), 'ny', 'push-free-shipping'], // due 02:02Z = 21:02 EST, deferred to 09:00 EST = 14:00Z
    [Date.UTC(2026, 0, 2, 16, 0), 'ny', 'sms-10-off'], // + 2 h = 11:00 EST
    [Date.UTC(2026, 0, 2, 18, 0), 'ny', 'email-final-reminder'], // + 2 h = 13:00 EST
  ]);
});

test('renewal-reminder: an email 3 days before the renewal date and an SMS the day before, at 10:00 in the user\'s zone', async () => {
  const got = await backtest(
    'renewal-reminder',
    [
      { userId: 'ny', timezone: 'America/New_York', renewal_date: '2026-01-12' },
      { userId: 'london', timezone: 'Europe/London', renewal_date: '2026-01-12' },
      { userId: 'renews', timezone: 'Europe/London', renewal_date: '2026-01-12' },
    ],
    [{ userId: 'renews', event: 'Subscription Renewed', timestamp: '2026-01-10T12:00:00Z' }], // between the two: the goal
    '2026-01-20T00:00:00Z',
  );
  assert.deepEqual(got, [
    [Date.UTC(2026, 0, 9, 10, 0), 'london', 'email-heads-up'], // 12 Jan - 3 d = 9 Jan, 10:00 GMT (UTC+0 in winter)
    [Date.UTC(2026, 0, 9, 10, 0), 'renews', 'email-heads-up'],
    [Date.UTC(2026, 0, 9, 15, 0), 'ny', 'email-heads-up'], // 9 Jan 10:00 EST = 15:00Z
    [Date.UTC(2026, 0, 11, 10, 0), 'london', 'sms-tomorrow'], // 12 Jan - 1 d = 11 Jan, 10:00 GMT
    [Date.UTC(2026, 0, 11, 15, 0), 'ny', 'sms-tomorrow'], // 11 Jan 10:00 EST = 15:00Z
  ]);
});

test('birthday-offer: on the birthday (any birth year) at 10:00 in the user\'s zone; a second push two days later for the engaged', async () => {
  const got = await backtest(
    'birthday-offer',
    [
      { userId: 'kolkata', pushToken: 'tok-k', timezone: 'Asia/Kolkata', birthday: '1990-01-05' }, // bucket 70
      { userId: 'ny', timezone: 'America/New_York', birthday: '1985-01-07' }, // bucket 48; no push token: the email
      { userId: 'ana', pushToken: 'tok-a', timezone: 'Europe/Lisbon', birthday: '2000-01-03' }, // bucket 29; engaged
      { userId: 'tokyo', pushToken: 'tok-t', timezone: 'Asia/Tokyo', birthday: '1990-01-04' }, // bucket 1: control
    ],
    [1, 2, 3].map((h) => ({ userId: 'ana', event: 'Viewed Product', timestamp: `2026-01-02T0${h}:00:00Z` })),
    '2026-01-20T00:00:00Z',
  );
  assert.deepEqual(got, [
    [Date.UTC(2026, 0, 3, 10, 0), 'ana', 'push-gift'], // 3 Jan 10:00 in Lisbon (WET, UTC+0)
    [Date.UTC(2026, 0, 5, 4, 30), 'kolkata', 'push-gift'], // 5 Jan 10:00 IST (UTC+5:30) = 04:30Z
    [Date.UTC(2026, 0, 5, 10, 0), 'ana', 'push-reminder'], // 2 d after her gift; 3 views in the last 30 days
    [Date.UTC(2026, 0, 7, 15, 0), 'ny', 'email-gift'], // 7 Jan 10:00 EST = 15:00Z
  ]);
});

test('weekly-reengagement: Mondays at 09:00 Paris time, the dormant who signed up; a push 3 days later unless they came back', async () => {
  const signedUp = (userId: string) => ({ userId, event: 'Signed Up', timestamp: '2026-01-01T00:00:00Z' });
  const got = await backtest(
    'weekly-reengagement',
    [
      { userId: 'bo', plan: 'basic', pushToken: 'tok-b' }, // bucket 22
      { userId: 'kolkata', plan: 'basic', pushToken: 'tok-k' }, // bucket 46; comes back on Tuesday
      { userId: 'eve', plan: 'basic', pushToken: 'tok-e' }, // bucket 53; opened the app on 3 Jan: not dormant
      { userId: 'fay', plan: 'enterprise', pushToken: 'tok-f' }, // bucket 51; enterprise: never
    ],
    [
      signedUp('bo'),
      signedUp('kolkata'),
      signedUp('eve'),
      signedUp('fay'),
      { userId: 'eve', event: 'App Opened', timestamp: '2026-01-03T12:00:00Z' },
      { userId: 'kolkata', event: 'App Opened', timestamp: '2026-01-06T12:00:00Z' },
    ],
    '2026-01-13T00:00:00Z', // the runs of Monday 5 and Monday 12 January
  );
  assert.deepEqual(got, [
    // 2026-01-01 is a Thursday: the first Monday is 5 Jan; 09:00 in Paris (CET, UTC+1) = 08:00Z.
    [Date.UTC(2026, 0, 5, 8, 0), 'bo', 'email-whats-new'],
    [Date.UTC(2026, 0, 5, 8, 0), 'kolkata', 'email-whats-new'],
    [Date.UTC(2026, 0, 8, 8, 0), 'bo', 'push-nudge'], // + 3 d; kolkata came back on the 6th (the goal)
    // 12 Jan: bo and kolkata are within the 28 d re-entry cooldown; eve opened the app 9 days before.
  ]);
});
