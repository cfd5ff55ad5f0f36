/** The pure interpreter, driven directly: no store, no clock but the `now` we pass. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketOf } from '../../src/core/bucket.ts';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import { firstAllowedMoment } from '../../src/core/dnd.ts';
import type { Effect, Instance, JourneyEvent, ProfileView } from '../../src/core/instance.ts';
import { advance, instanceId, startInstance } from '../../src/core/interpreter.ts';
import { compileJourney, type CompiledJourney } from '../../src/core/validate.ts';
import { example } from '../helpers.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

function compile(definition: JourneyDefinition): CompiledJourney {
  const result = compileJourney(definition);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.journey;
}

const profile = (userId: string, traits: Record<string, unknown> = {}): ProfileView => ({
  userId,
  traits: { name: userId, email: `${userId}@x.test`, phone: '+1555', pushToken: 'tok', ...traits },
});

const cart = (userId: string, timestamp: number): JourneyEvent => ({ messageId: `cart-${userId}-${timestamp}`, userId, name: 'Added to Cart', timestamp, properties: {} });
const charged = (userId: string, timestamp: number): JourneyEvent => ({ messageId: `ch-${userId}-${timestamp}`, userId, name: 'Charged', timestamp, properties: {} });

/** Runs timers whenever one is due up to `until`; returns every effect with the time it happened. */
function runTimers(journey: CompiledJourney, instance: Instance, until: number, who: ProfileView): { instance: Instance; log: Array<[number, Effect]> } {
  const log: Array<[number, Effect]> = [];
  let current = instance;
  while (current.wakeAt !== null && current.wakeAt <= until) {
    const now = current.wakeAt;
    const t = advance(journey, current, { type: 'timer' }, { now, profile: who });
    for (const e of t.effects) log.push([now, e]);
    current = t.instance;
  }
  return { instance: current, log };
}

const sends = (log: Array<[number, Effect]>) => log.filter(([, e]) => e.type === 'send' || e.type === 'skip').map(([at, e]) => [at, (e as { nodeId: string }).nodeId, e.type === 'skip' ? e.reason : 'send']);

test('inaction entry: pending until the window closes, measured from the cart event time', () => {
  const journey = compile(example('abandoned-cart'));
  const t0 = Date.UTC(2026, 0, 5, 12);
  const start = startInstance(journey, 'cart', 1, cart('u', t0), { now: t0 + 500, profile: profile('u') });
  assert.equal(start.instance.status, 'pending');
  assert.equal(start.instance.wakeAt, t0 + 2 * MIN);
  assert.deepEqual(start.effects, []);
  const { instance, log } = runTimers(journey, start.instance, t0 + 10 * HOUR, profile('u'));
  assert.deepEqual(sends(log), [
    [t0 + 2 * MIN, 'push-free-shipping', 'send'],
    [t0 + 2 * MIN + 2 * HOUR, 'sms-10-off', 'send'],
    [t0 + 2 * MIN + 4 * HOUR, 'email-final-reminder', 'send'],
  ]);
  assert.equal(instance.status, 'exited');
  assert.equal(instance.exit?.reason, 'completed');
  const sendIds = log.flatMap(([, e]) => (e.type === 'send' ? [e.sendId] : []));
  assert.equal(new Set(sendIds).size, 3, 'send ids are distinct');
  assert.ok(sendIds.every((id) => id.startsWith('cart:0mk13z400:cart-u-')), 'send ids derive from the instance'); // t0 is 0mk13z400 in base 36
});

test('the interpreter is deterministic: same inputs, same outputs', () => {
  const journey = compile(example('abandoned-cart'));
  const t0 = Date.UTC(2026, 0, 5, 12);
  const a = runTimers(journey, startInstance(journey, 'cart', 1, cart('u', t0), { now: t0, profile: profile('u') }).instance, t0 + 10 * HOUR, profile('u'));
  const b = runTimers(journey, startInstance(journey, 'cart', 1, cart('u', t0), { now: t0, profile: profile('u') }).instance, t0 + 10 * HOUR, profile('u'));
  assert.deepEqual(a, b);
  // And the answer itself, so two equally wrong runs do not pass: 2026-01-05T12:00Z is 1767614400000 ms, 0mk13z400
  // in base 36.
  assert.deepEqual(
    a.log.flatMap(([at, e]) => (e.type === 'send' ? [[at - t0, e.sendId]] : [])),
    [
      [2 * MIN, 'cart:0mk13z400:cart-u-1767614400000:push-free-shipping:1'],
      [2 * MIN + 2 * HOUR, 'cart:0mk13z400:cart-u-1767614400000:sms-10-off:3'],
      [2 * MIN + 4 * HOUR, 'cart:0mk13z400:cart-u-1767614400000:email-final-reminder:5'],
    ],
  );
});

test('a charge after the window closed, reaching a lagging engine before its timer: entered and converted, no messages', () => {
  const journey = compile(example('abandoned-cart'));
  const t0 = Date.UTC(2026, 0, 5, 12);
  const pending = startInstance(journey, 'cart', 1, cart('u', t0), { now: t0, profile: profile('u') }).instance;
  const late = advance(journey, pending, { type: 'event', event: charged('u', t0 + 3 * MIN) }, { now: t0 + 3 * MIN, profile: profile('u') });
  assert.equal(late.instance.status, 'exited');
  assert.equal(late.instance.exit?.reason, 'goal');
  assert.equal(late.instance.enteredAt, t0 + 2 * MIN, 'entered when the window closed');
  assert.deepEqual(late.effects.filter((e) => e.type === 'count').map((e) => (e as { metric: string }).metric), ['qualified', 'entered', 'goal', 'node_goal']);
  assert.ok(!late.effects.some((e) => e.type === 'send'), 'no message to a user who has converted');
});

test('a charge before the engine acts on the window closes the door; an earlier one is ignored', () => {
  const journey = compile(example('abandoned-cart'));
  const t0 = Date.UTC(2026, 0, 5, 12);
  const pending = startInstance(journey, 'cart', 1, cart('u', t0), { now: t0, profile: profile('u') }).instance;
  const before = advance(journey, pending, { type: 'event', event: charged('u', t0 - 1) }, { now: t0 + 10, profile: profile('u') });
  assert.equal(before.instance.status, 'pending', 'a charge older than the cart does not count');
  const inside = advance(journey, pending, { type: 'event', event: charged('u', t0 + 2 * MIN) }, { now: t0 + 2 * MIN + 50, profile: profile('u') });
  assert.equal(inside.instance.status, 'exited');
  assert.equal(inside.instance.exit?.reason, 'not_qualified');
  assert.equal(inside.instance.wakeAt, null);
});

test('journey timeout ends the instance wherever it is', () => {
  const definition = example('abandoned-cart');
  definition.setup = { ...definition.setup, timeout: '3h' };
  const journey = compile(definition);
  const t0 = Date.UTC(2026, 0, 5, 12);
  const start = startInstance(journey, 'cart', 1, cart('u', t0), { now: t0, profile: profile('u') });
  const { instance, log } = runTimers(journey, start.instance, t0 + 10 * HOUR, profile('u'));
  assert.deepEqual(sends(log).map((s) => s[1]), ['push-free-shipping', 'sms-10-off']);
  assert.equal(instance.exit?.reason, 'timeout');
  assert.equal(instance.exit?.at, t0 + 2 * MIN + 3 * HOUR);
  assert.ok(log.some(([, e]) => e.type === 'count' && e.metric === 'timed_out'));
});

test('DND defer: a send due at 23:00 local waits until 09:00 local, and later steps keep their spacing', () => {
  const journey = compile(example('abandoned-cart-quiet-hours'));
  const user = pickUserOutsideControl(journey, 'ny');
  // 22:58 in New York (EST, UTC-5) on a winter day: push due 23:00 local, inside 21:00-09:00.
  const cartAt = Date.UTC(2026, 0, 6, 3, 58);
  const who = profile(user, { timezone: 'America/New_York' });
  const start = startInstance(journey, 'quiet', 1, cart(user, cartAt), { now: cartAt, profile: who });
  const { log } = runTimers(journey, start.instance, cartAt + 2 * 86_400_000, who);
  const nine = Date.UTC(2026, 0, 6, 14, 0); // 09:00 EST
  assert.deepEqual(sends(log), [
    [nine, 'push-free-shipping', 'send'],
    [nine + 2 * HOUR, 'sms-10-off', 'send'],
    [nine + 4 * HOUR, 'email-final-reminder', 'send'],
  ]);
});

test("DND uses the user's zone, falling back to the journey's when the profile has none or a bad one", () => {
  const journey = compile(example('abandoned-cart-quiet-hours'));
  const user = pickUserOutsideControl(journey, 'tokyo');
  const cartAt = Date.UTC(2026, 0, 6, 3, 58); // 12:58 in Tokyo: allowed there, 22:58 in New York
  for (const [traits, expectedPushAt] of [
    [{ timezone: 'Asia/Tokyo' }, cartAt + 2 * MIN],
    [{}, Date.UTC(2026, 0, 6, 14, 0)],
    [{ timezone: 'Not/AZone' }, Date.UTC(2026, 0, 6, 14, 0)],
  ] as const) {
    const who = profile(user, traits);
    const { log } = runTimers(journey, startInstance(journey, 'quiet', 1, cart(user, cartAt), { now: cartAt, profile: who }).instance, cartAt + 86_400_000, who);
    assert.equal(sends(log)[0]![0], expectedPushAt, JSON.stringify(traits));
  }
});

test('DND skip: the message is recorded as skipped for dnd and the user goes on', () => {
  const definition = example('abandoned-cart-quiet-hours');
  definition.setup = { ...definition.setup, controlGroupPercent: 0, dnd: { start: '21:00', end: '09:00', whenInDnd: 'skip' } };
  const journey = compile(definition);
  const cartAt = Date.UTC(2026, 0, 6, 3, 58);
  const who = profile('u', { timezone: 'America/New_York' });
  const { log } = runTimers(journey, startInstance(journey, 'quiet', 1, cart('u', cartAt), { now: cartAt, profile: who }).instance, cartAt + 86_400_000, who);
  assert.deepEqual(sends(log), [
    [cartAt + 2 * MIN, 'push-free-shipping', 'dnd'],
    [cartAt + 2 * MIN + 2 * HOUR, 'sms-10-off', 'dnd'], // 01:00 local
    [cartAt + 2 * MIN + 4 * HOUR, 'email-final-reminder', 'dnd'], // 03:00 local
  ]);
});

test('DND end on a daylight-saving gap: 02:30 that does not exist moves to the first valid instant', () => {
  // New York springs forward on 2026-03-08 at 02:00 -> 03:00. Window 22:00-02:30 ends when the clocks jump,
  // at 03:00 EDT (= 07:00 UTC): the first instant the clock shows a time past 02:30.
  const at = Date.UTC(2026, 2, 8, 6, 45); // 01:45 EST, inside the window
  assert.equal(firstAllowedMoment(at, { start: '22:00', end: '02:30' }, 'America/New_York'), Date.UTC(2026, 2, 8, 7, 0));
});

test('DND end on a daylight-saving overlap: 01:30 that happens twice resolves to its first occurrence', () => {
  // New York falls back on 2026-11-01 at 02:00 EDT -> 01:00 EST; 01:30 happens at 05:30 UTC and at 06:30 UTC.
  const at = Date.UTC(2026, 10, 1, 4, 0); // 00:00 EDT, inside 22:00-01:30
  assert.equal(firstAllowedMoment(at, { start: '22:00', end: '01:30' }, 'America/New_York'), Date.UTC(2026, 10, 1, 5, 30));
  const outside = Date.UTC(2026, 10, 1, 6, 0); // 01:00 EST, the second pass of the hour: 01:00 < 01:30, inside again
  assert.equal(firstAllowedMoment(outside, { start: '22:00', end: '01:30' }, 'America/New_York'), Date.UTC(2026, 10, 1, 6, 30));
});

test('a 2 h delay is 2 x 3600 s even across a daylight-saving change', () => {
  const journey = compile(example('abandoned-cart'));
  const cartAt = Date.UTC(2026, 2, 8, 5, 0); // 00:00 EST, two hours before New York springs forward
  const who = profile('u', { timezone: 'America/New_York' });
  const { log } = runTimers(journey, startInstance(journey, 'cart', 1, cart('u', cartAt), { now: cartAt, profile: who }).instance, cartAt + 86_400_000, who);
  assert.deepEqual(sends(log).map((s) => (s[0] as number) - cartAt), [2 * MIN, 2 * MIN + 2 * HOUR, 2 * MIN + 4 * HOUR]);
});

/**
 * Known answers, recorded once from FNV-1a (32 bit) over "journey\0user[\0salt]", mod 100. A change to any of
 * these numbers reassigns every control group and every A/B variant of every running journey: it must be a
 * deliberate, documented migration, never a side effect.
 */
test('bucketOf: known-answer vectors (journey, user[, abSplit node]) -> bucket', () => {
  const vectors: Array<[string, string, string | undefined, number]> = [
    ['quiet', 'u1', undefined, 75],
    ['quiet', 'u2', undefined, 94],
    ['quiet', 'user-0', undefined, 99],
    ['quiet', 'user-1', undefined, 80],
    ['quiet', 'user-5', undefined, 4],
    ['quiet', 'user-9999', undefined, 21],
    ['abandoned-cart', 'ana', undefined, 78],
    ['abandoned-cart', 'bo', undefined, 79],
    ['win-back', 'user-7', undefined, 34],
    ['wb', 'user-7', 'test-offer', 78],
    ['wb', 'user-8', 'test-offer', 29],
    ['other', 'user-7', 'test-offer', 7],
    ['j', '', undefined, 91],
    ['j', '\u00e9\u2713\u{1d11e}', undefined, 13],
    ['quiet', 'u1', '', 45], // an empty salt is a salt: not the unsalted 75
  ];
  for (const [journeyId, userId, salt, bucket] of vectors) assert.equal(bucketOf(journeyId, userId, salt), bucket, `bucketOf(${journeyId}, ${userId}, ${salt})`);
});

test('ids: an instance is "journey:entry time:entry message id"; a send is "instance:node:step"', () => {
  const journey = compile(example('abandoned-cart'));
  const t0 = Date.UTC(2026, 0, 6, 15);
  const who = profile('u');
  const pending = startInstance(journey, 'cart', 1, cart('u', t0), { now: t0, profile: who }).instance;
  // 2026-01-06T15:00Z = 20459 days * 86400000 + 15 h = 1767711600000 ms: 0mk2pug00 in nine base-36 digits.
  assert.equal(pending.id, 'cart:0mk2pug00:cart-u-1767711600000');
  const { log } = runTimers(journey, pending, t0 + 10 * HOUR, who);
  // The step counts node visits after the entry: push 1, delay 2, sms 3, delay 4, email 5.
  assert.deepEqual(
    log.flatMap(([, e]) => (e.type === 'send' ? [e.sendId] : [])),
    ['cart:0mk2pug00:cart-u-1767711600000:push-free-shipping:1', 'cart:0mk2pug00:cart-u-1767711600000:sms-10-off:3', 'cart:0mk2pug00:cart-u-1767711600000:email-final-reminder:5'],
  );
});

test('instance ids sort by entry time, whatever the message ids; times outside 1970-5188 are held to its ends', () => {
  const ids = [
    instanceId('cart', 'zzz-late-id', Date.UTC(2026, 0, 6, 15, 0, 0, 1)),
    instanceId('cart', 'aaa-early-id', Date.UTC(2026, 0, 6, 15)),
    instanceId('cart', 'mmm', Date.UTC(2027, 0, 1)),
    instanceId('cart', 'mmm', Date.UTC(2025, 11, 31, 23, 59, 59, 999)),
  ];
  assert.deepEqual([...ids].sort(), [ids[3], ids[1], ids[0], ids[2]]);
  assert.equal(instanceId('j', 'e', -5), 'j:000000000:e');
  assert.equal(instanceId('j', 'e', 1.9), 'j:000000001:e');
  assert.equal(instanceId('j', 'e', 8.64e15), 'j:zzzzzzzzz:e'); // the last Date, 275760-09-13
  assert.equal(instanceId('j', 'e', 36 ** 9 - 2), 'j:zzzzzzzzy:e');
});

test('control group: stable per (journey, user), no messages, goals still counted', () => {
  const journey = compile(example('abandoned-cart-quiet-hours')); // 10% control
  assert.equal(bucketOf('quiet', 'user-5'), 4, 'user-5 is in the 10% control group of "quiet"');
  const users = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);
  const held = users.filter((u) => bucketOf('quiet', u) < 10).length;
  assert.ok(held > 900 && held < 1100, `about 10% held out, got ${held}`);

  const controlUser = users.find((u) => bucketOf('quiet', u) < 10)!;
  const t0 = Date.UTC(2026, 0, 6, 15);
  const who = profile(controlUser, { timezone: 'UTC' });
  const pending = startInstance(journey, 'quiet', 1, cart(controlUser, t0), { now: t0, profile: who }).instance;
  const qualified = advance(journey, pending, { type: 'timer' }, { now: t0 + 2 * MIN, profile: who });
  assert.equal(qualified.instance.status, 'control');
  assert.ok(!qualified.effects.some((e) => e.type === 'send'));
  assert.deepEqual(qualified.effects.filter((e) => e.type === 'count').map((e) => (e as { metric: string }).metric), ['qualified', 'control']);
  const converted = advance(journey, qualified.instance, { type: 'event', event: charged(controlUser, t0 + HOUR) }, { now: t0 + HOUR, profile: who });
  assert.equal(converted.instance.exit?.reason, 'goal');
  assert.deepEqual(converted.effects, [{ type: 'count', metric: 'control_goal' }]);
});

test('a count-only goal counts one conversion and the user stays in the journey', () => {
  const definition = example('abandoned-cart');
  definition.goals = [{ id: 'purchase', event: 'Charged', exitOnGoal: false }];
  const journey = compile(definition);
  const t0 = Date.UTC(2026, 0, 6, 15);
  const who = profile('u');
  let { instance } = runTimers(journey, startInstance(journey, 'cart', 1, cart('u', t0), { now: t0, profile: who }).instance, t0 + 3 * MIN, who);
  const first = advance(journey, instance, { type: 'event', event: charged('u', t0 + 4 * MIN) }, { now: t0 + 4 * MIN, profile: who });
  const second = advance(journey, first.instance, { type: 'event', event: charged('u', t0 + 5 * MIN) }, { now: t0 + 5 * MIN, profile: who });
  assert.equal(first.effects.filter((e) => e.type === 'count' && e.metric === 'goal').length, 1);
  assert.equal(second.effects.length, 0);
  instance = second.instance;
  assert.equal(instance.status, 'active');
  assert.equal(runTimers(journey, instance, t0 + 10 * HOUR, who).log.filter(([, e]) => e.type === 'send').length, 2);
});

test('action entry enters at once; a user with no address is skipped with the reason', () => {
  const definition = example('abandoned-cart');
  definition.nodes[0] = { id: 'cart-abandoned', kind: 'entry', trigger: { type: 'action', event: 'Added to Cart' } };
  const journey = compile(definition);
  const t0 = Date.UTC(2026, 0, 6, 15);
  const who: ProfileView = { userId: 'u', traits: {} };
  const start = startInstance(journey, 'cart', 1, cart('u', t0), { now: t0, profile: who });
  assert.equal(start.instance.status, 'active');
  assert.deepEqual(start.effects.filter((e) => e.type === 'skip').map((e) => (e as { reason: string }).reason), ['no_push_token']);
});

function pickUserOutsideControl(journey: CompiledJourney, prefix: string): string {
  for (let i = 0; ; i++) if (bucketOf('quiet', `${prefix}${i}`) >= journey.controlGroupPercent) return `${prefix}${i}`;
}

test('lateness does not accumulate: a step processed late still schedules the next from its due time', () => {
  const journey = compile(example('abandoned-cart'));
  const t0 = Date.UTC(2026, 0, 5, 12);
  const who = profile('u');
  const pending = startInstance(journey, 'cart', 1, cart('u', t0), { now: t0, profile: who }).instance;
  const lateQualify = advance(journey, pending, { type: 'timer' }, { now: t0 + 2 * MIN + 900, profile: who });
  assert.equal(lateQualify.instance.enteredAt, t0 + 2 * MIN, 'entered when the window closed');
  assert.equal(lateQualify.instance.wakeAt, t0 + 2 * MIN + 2 * HOUR, 'the SMS stays due 2 h after the window closed');
  const lateSms = advance(journey, lateQualify.instance, { type: 'timer' }, { now: t0 + 2 * MIN + 2 * HOUR + 5_000, profile: who });
  assert.equal(lateSms.instance.wakeAt, t0 + 2 * MIN + 4 * HOUR);
  assert.ok(lateSms.effects.some((e) => e.type === 'send' && e.nodeId === 'sms-10-off'));
});
