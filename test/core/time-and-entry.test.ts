/** Wall-clock features through the pure interpreter: delays until a time or a date, per-weekday DND, entry timelines. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstAllowedMoment } from '../../src/core/dnd.ts';
import { shouldStart } from '../../src/core/interpreter.ts';
import { dateMoment, nextAnniversary, nextClockTime } from '../../src/core/local-time.ts';
import { compileJourney } from '../../src/core/validate.ts';
import { compile, drive, ev, who } from './drive.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NY = 'America/New_York';

test('nextClockTime: the next 10:00 local, today if still ahead, at the instant itself if it is 10:00 now', () => {
  const nineParis = Date.UTC(2026, 5, 10, 7, 0); // 09:00 in Paris (UTC+2)
  assert.equal(nextClockTime(nineParis, '10:00', 'Europe/Paris'), Date.UTC(2026, 5, 10, 8, 0));
  assert.equal(nextClockTime(Date.UTC(2026, 5, 10, 8, 0), '10:00', 'Europe/Paris'), Date.UTC(2026, 5, 10, 8, 0));
  assert.equal(nextClockTime(Date.UTC(2026, 5, 10, 8, 0, 0, 1), '10:00', 'Europe/Paris'), Date.UTC(2026, 5, 11, 8, 0));
  // 2026-06-10 is a Wednesday: "next Monday 10:00"
  assert.equal(nextClockTime(nineParis, '10:00', 'Europe/Paris', ['mon']), Date.UTC(2026, 5, 15, 8, 0));
});

test('nextClockTime across daylight saving: a 02:30 that does not exist is 03:30; a 01:30 that happens twice is the first', () => {
  // New York springs forward on 2026-03-08 (02:00 -> 03:00) and falls back on 2026-11-01 (02:00 -> 01:00).
  assert.equal(nextClockTime(Date.UTC(2026, 2, 8, 5, 0), '02:30', NY), Date.UTC(2026, 2, 8, 7, 30)); // 03:30 EDT
  assert.equal(nextClockTime(Date.UTC(2026, 10, 1, 4, 0), '01:30', NY), Date.UTC(2026, 10, 1, 5, 30)); // 01:30 EDT
  // The day after each change is an ordinary day again.
  assert.equal(nextClockTime(Date.UTC(2026, 2, 8, 12, 0), '02:30', NY), Date.UTC(2026, 2, 9, 6, 30));
});

test('dateMoment: a calendar date in the user zone, days before it keep the local time, an instant, epoch ms, junk', () => {
  const offset = { beforeMs: 3 * DAY, time: '10:00' };
  assert.equal(dateMoment('2026-12-01', 'Asia/Tokyo', offset), Date.UTC(2026, 10, 28, 1, 0)); // 28 Nov 10:00 JST
  // Three calendar days before 10 March in New York crosses the spring change: still 10:00 local (EST then).
  assert.equal(dateMoment('2026-03-10', NY, offset), Date.UTC(2026, 2, 7, 15, 0));
  assert.equal(dateMoment('2026-12-01T15:30:00Z', 'UTC', {}), Date.UTC(2026, 11, 1, 15, 30));
  assert.equal(dateMoment(Date.UTC(2026, 11, 1), 'UTC', { afterMs: 2 * HOUR }), Date.UTC(2026, 11, 1, 2, 0));
  for (const junk of [undefined, null, '', 'next tuesday', {}, Number.NaN]) assert.equal(dateMoment(junk, 'UTC', offset), null);
});

test('nextAnniversary: this year if still ahead, else next; 29 February falls on the 28th in common years', () => {
  const from = Date.UTC(2026, 5, 1);
  assert.equal(nextAnniversary('1990-07-04', 'UTC', from, '10:00'), Date.UTC(2026, 6, 4, 10, 0));
  assert.equal(nextAnniversary('1990-03-04', 'UTC', from, '10:00'), Date.UTC(2027, 2, 4, 10, 0));
  assert.equal(nextAnniversary('2000-02-29', 'UTC', from), Date.UTC(2027, 1, 28));
  assert.equal(nextAnniversary('2000-02-29', 'UTC', Date.UTC(2027, 5, 1)), Date.UTC(2028, 1, 29));
});

test('DND per weekday: a window belongs to the day it starts on; back-to-back windows chain', () => {
  const windows = [
    { start: '22:00', end: '09:00', days: ['mon', 'tue', 'wed', 'thu', 'sun'] as const },
    { start: '22:00', end: '11:00', days: ['fri', 'sat'] as const },
  ].map((w) => ({ ...w, days: [...w.days] }));
  // Friday 2026-06-12 23:00 UTC: Friday's window runs to Saturday 11:00.
  assert.equal(firstAllowedMoment(Date.UTC(2026, 5, 12, 23), windows, 'UTC'), Date.UTC(2026, 5, 13, 11));
  // Saturday 08:00 is still inside Friday's window; Monday 08:00 inside Sunday's (ends 09:00).
  assert.equal(firstAllowedMoment(Date.UTC(2026, 5, 13, 8), windows, 'UTC'), Date.UTC(2026, 5, 13, 11));
  assert.equal(firstAllowedMoment(Date.UTC(2026, 5, 15, 8), windows, 'UTC'), Date.UTC(2026, 5, 15, 9));
  // Friday 08:00 belongs to Thursday's window, which ends at 09:00.
  assert.equal(firstAllowedMoment(Date.UTC(2026, 5, 12, 8), windows, 'UTC'), Date.UTC(2026, 5, 12, 9));
  // Outside: unchanged.
  assert.equal(firstAllowedMoment(Date.UTC(2026, 5, 12, 12), windows, 'UTC'), Date.UTC(2026, 5, 12, 12));
  // A lunch window that starts as the night one ends: both are skipped.
  const chained = [{ start: '22:00', end: '09:00' }, { start: '09:00', end: '10:00' }];
  assert.equal(firstAllowedMoment(Date.UTC(2026, 5, 12, 23), chained, 'UTC'), Date.UTC(2026, 5, 13, 10));
});

const T = Date.UTC(2026, 5, 10, 7, 0); // Wednesday 09:00 Paris, 03:00 New York
const tz = (zone: string) => ({ ...who, traits: { ...who.traits, timezone: zone } });

/** Signed Up -> delay -> push -> exit; with `missed`, the delay's "missed" branch leads to an email. */
const delayJourney = (delay: Record<string, unknown>, options: { missed?: boolean; setup?: Record<string, unknown> } = {}) =>
  compile({
    name: 'd',
    setup: { timezone: 'Europe/Paris', ...options.setup },
    nodes: [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
      { id: 'wait', kind: 'delay', ...delay },
      { id: 'push', kind: 'send', channel: 'push', message: { title: 't', body: 'b' } },
      ...(options.missed ? [{ id: 'sorry', kind: 'send', channel: 'email', message: { subject: 's', body: 'missed' } }] : []),
      { id: 'out', kind: 'exit' },
    ],
    edges: [
      { from: 'in', to: 'wait' },
      { from: 'wait', to: 'push' },
      { from: 'push', to: 'out' },
      ...(options.missed ? [{ from: 'wait', to: 'sorry', branch: 'missed' }, { from: 'sorry', to: 'out' }] : []),
    ],
  });

test('delay untilTime: the next 10:00 in the user zone, falling back to the journey zone', () => {
  const reachable = delayJourney({ untilTime: '10:00' });
  assert.deepEqual(drive(reachable, ev('Signed Up', T), [], T + 2 * DAY).sent, [[HOUR, 'push']]); // Paris (journey zone)
  assert.deepEqual(drive(reachable, ev('Signed Up', T), [], T + 2 * DAY, tz(NY)).sent, [[7 * HOUR, 'push']]); // 10:00 EDT = 14:00 UTC
  assert.deepEqual(drive(reachable, ev('Signed Up', T), [], T + 2 * DAY, tz('Not/AZone')).sent, [[HOUR, 'push']]);
});

test('delay untilDate: 3 days before renewal_date at 10:00 local; missing or past takes "missed", or leaves when not drawn', () => {
  const untilDate = { untilDate: { property: 'renewal_date', before: '3d', time: '10:00' } };
  const withMissed = delayJourney(untilDate, { missed: true });
  const renewing = { ...who, traits: { ...who.traits, renewal_date: '2026-06-20' } };
  assert.deepEqual(drive(withMissed, ev('Signed Up', T), [], T + 30 * DAY, renewing).sent, [[Date.UTC(2026, 5, 17, 8) - T, 'push']]);
  const past = { ...who, traits: { ...who.traits, renewal_date: '2026-06-11' } };
  assert.deepEqual(drive(withMissed, ev('Signed Up', T), [], T + 30 * DAY, past).sent, [[0, 'sorry']]);
  assert.deepEqual(drive(withMissed, ev('Signed Up', T), [], T + 30 * DAY).sent, [[0, 'sorry']]);

  const noMissed = delayJourney(untilDate);
  const run = drive(noMissed, ev('Signed Up', T), [], T + 30 * DAY, past);
  assert.deepEqual(run.sent, []);
  assert.equal(run.instance.status, 'exited');
  assert.ok(run.log.some(([, e]) => e.type === 'count' && e.metric === 'node_missed'));
});

/** Signed Up -> SMS -> exit, and (with `unreachable`) an email for users the SMS cannot reach. */
const sendJourney = (setup: Record<string, unknown>, unreachable: boolean) =>
  compile({
    name: 's',
    setup,
    nodes: [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
      { id: 'sms', kind: 'send', channel: 'sms', message: { body: 'hi' } },
      ...(unreachable ? [{ id: 'email', kind: 'send', channel: 'email', message: { subject: 's', body: 'fallback' } }] : []),
      { id: 'out', kind: 'exit' },
    ],
    edges: [
      { from: 'in', to: 'sms' },
      { from: 'sms', to: 'out' },
      ...(unreachable ? [{ from: 'sms', to: 'email', branch: 'unreachable' }, { from: 'email', to: 'out' }] : []),
    ],
  });

test('send: a message that cannot go (no phone; DND with "skip") takes the "unreachable" branch when drawn', () => {
  const journey = sendJourney({}, true);
  const noPhone = { ...who, traits: { email: 'u@x.test' } };
  assert.deepEqual(drive(journey, ev('Signed Up', T), [], T + DAY, noPhone).sent, [[0, 'email']]);
  const withoutBranch = drive(sendJourney({}, false), ev('Signed Up', T), [], T + DAY, noPhone);
  assert.deepEqual(withoutBranch.sent, []);
  assert.equal(withoutBranch.instance.exit?.reason, 'completed'); // went on along "next"
  assert.deepEqual(drive(journey, ev('Signed Up', T), [], T + DAY).sent, [[0, 'sms']]);
  const quiet = sendJourney({ dnd: { start: '06:00', end: '20:00', whenInDnd: 'skip' } }, true);
  const run = drive(quiet, ev('Signed Up', T), [], T + DAY);
  assert.deepEqual(run.sent, []); // the fallback email is inside the same hours
  assert.equal(run.instance.outcomes, undefined, 'no split reads outcomes: the instance keeps no record of them');
  assert.deepEqual(run.log.flatMap(([, e]) => (e.type === 'skip' ? [e.reason] : [])), ['dnd', 'dnd']);
});

test('entry timeline: no entries before startAt or from endAt on; users inside are not affected', () => {
  const journey = delayJourney({ duration: '1h' }, { setup: { startAt: '2026-06-10T00:00:00Z', endAt: '2026-06-11T00:00:00Z' } });
  const history = { live: false, everEntered: false };
  assert.equal(shouldStart(journey, ev('Signed Up', Date.UTC(2026, 5, 9, 23, 59, 59, 999)), history), false);
  assert.equal(shouldStart(journey, ev('Signed Up', Date.UTC(2026, 5, 10)), history), true);
  assert.equal(shouldStart(journey, ev('Signed Up', Date.UTC(2026, 5, 10, 23, 59, 59, 999)), history), true);
  assert.equal(shouldStart(journey, ev('Signed Up', Date.UTC(2026, 5, 11)), history), false);
});

test('re-entry cool-down: after leaving, again only once the cool-down has passed; never while live', () => {
  const journey = delayJourney({ duration: '1h' }, { setup: { reentry: 'afterExit', reentryCooldown: '7d' } });
  const left = Date.UTC(2026, 5, 1);
  assert.equal(shouldStart(journey, ev('Signed Up', left + 7 * DAY - 1), { live: false, everEntered: true, lastExitAt: left }), false);
  assert.equal(shouldStart(journey, ev('Signed Up', left + 7 * DAY), { live: false, everEntered: true, lastExitAt: left }), true);
  assert.equal(shouldStart(journey, ev('Signed Up', left + 30 * DAY), { live: true, everEntered: true, lastExitAt: left }), false);
});

test('validation of the time options lists every problem with its path', () => {
  const base = delayJourney({ duration: '1h' }).definition;
  const result = compileJourney({
    ...base,
    setup: { dnd: { start: '22:00' }, startAt: '2026-06-10T00:00:00Z', endAt: '2026-06-01T00:00:00Z', reentryCooldown: '1d' },
    nodes: base.nodes.map((n) => (n.id === 'wait' ? { id: 'wait', kind: 'delay', duration: '1h', days: ['mon'] } : n)),
  });
  assert.equal(result.ok, false);
  const problems = result.ok ? [] : result.problems.map((p) => `${p.path} ${p.message}`);
  for (const expected of [
    '/setup/dnd give both "start" and "end", or neither',
    '/setup/endAt endAt must be after startAt',
    "/setup/reentryCooldown a cool-down needs reentry 'afterExit'",
  ]) {
    assert.ok(problems.includes(expected), `${expected}\n in ${problems.join('\n')}`);
  }
  assert.ok(problems.some((p) => p.startsWith('/nodes/1/days')), problems.join('\n'));
  const twoModes = compileJourney({ ...base, nodes: base.nodes.map((n) => (n.id === 'wait' ? { id: 'wait', kind: 'delay', duration: '1h', untilTime: '10:00' } : n)) });
  assert.deepEqual(twoModes.ok ? [] : twoModes.problems.map((p) => p.path + ' ' + p.message), ['/nodes/1 a delay needs exactly one of "duration", "untilTime" or "untilDate"']);
});
