import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers.ts';
import { cartWorkload, expectedSends, writeWorkload } from '../sim/workload.ts';
import { runCli } from './run.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const START = Date.parse('2026-01-01T00:00:00Z'); // the default --start

// 200 users over 10 minutes with the example journey's own timings: a 2 min window, 2 h between messages.
const users = cartWorkload({ users: 200, spanMs: 10 * MIN, windowMs: 2 * MIN, delayMs: 2 * HOUR, sameMillisecond: 5 });
const dir = tempDir('waymark-cli-sim-');
const files = writeWorkload(join(dir, 'workload'), users);

const run1 = join(dir, 'run1');
let firstRun: ReturnType<typeof runCli> | null = null;
const simulateOnce = () => (firstRun ??= runCli(simulateArgs(run1)));

function simulateArgs(out: string): string[] {
  return ['simulate', '--journey', 'examples/abandoned-cart.json', '--profiles', files.profiles, '--events', files.events, '--out', out];
}

function readNdjson(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

test('simulate sends exactly the right messages at exactly cart + 2 min, + 2 h, + 4 h', async () => {
  const out = run1;
  const r = await simulateOnce();
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^simulated abandoned-cart: 200 users, 310 events; sent 330 messages \(email 90, push 140, sms 100\), 0 skipped; .* s wall on 1 thread, [\d,]+ events\/s\n/);

  const messages = readNdjson(join(out, 'messages.ndjson'));
  const got = messages.map((m) => `${m.userId} ${m.channel} ${m.sentAt}`).sort();
  assert.deepEqual(got, expectedSends(users, START));

  // Per channel, by hand: of 200 users 60 (30%) convert inside the window, 40 (20%) between push and SMS, 10 (5%)
  // between SMS and email, 90 never: push 40 + 10 + 90 = 140, sms 10 + 90 = 100, email 90.
  const perChannel: Record<string, number> = {};
  for (const m of messages) perChannel[m.channel as string] = (perChannel[m.channel as string] ?? 0) + 1;
  assert.deepEqual(perChannel, { push: 140, sms: 100, email: 90 });
  // Five users by hand. u0..u4 share the cart millisecond 00:00:01.000; u7's cart is at 1000 + 7 * 7919 ms =
  // 00:00:56.433, u8's at 1000 + 8 * 7919 = 00:01:04.352. Push = cart + 2 min, sms = push + 2 h, email = sms + 2 h.
  const of = (userId: string) => messages.filter((m) => m.userId === userId).map((m) => `${m.channel} ${m.sentAt}`);
  assert.deepEqual(of('u0'), ['push 2026-01-01T00:02:01.000Z', 'sms 2026-01-01T02:02:01.000Z', 'email 2026-01-01T04:02:01.000Z'], 'u0 never converts');
  assert.deepEqual(of('u1'), ['push 2026-01-01T00:02:01.000Z', 'sms 2026-01-01T02:02:01.000Z'], 'u1 converts at 03:02:01, before the email');
  assert.deepEqual(of('u2'), [], 'u2 converts at 00:00:31, inside the window');
  assert.deepEqual(of('u7'), ['push 2026-01-01T00:02:56.433Z'], 'u7 converts at 01:02:56.433, before the SMS');
  assert.deepEqual(of('u8'), ['push 2026-01-01T00:03:04.352Z', 'sms 2026-01-01T02:03:04.352Z', 'email 2026-01-01T04:03:04.352Z'], 'u8 never converts');
  const push = messages.find((m) => m.channel === 'push' && m.userId === 'u0')!;
  assert.deepEqual(push, {
    userId: 'u0',
    channel: 'push',
    nodeId: 'push-free-shipping',
    sentAt: '2026-01-01T00:02:01.000Z',
    journeyId: 'abandoned-cart',
    content: { body: 'Hi Ana 0, your Trail Running Shoes is waiting. Free shipping if you check out today.', title: 'Still thinking it over?', to: 'tok-u0' },
  });
  assert.equal(readFileSync(join(out, 'skipped.ndjson'), 'utf8'), '');

  const stats = JSON.parse(readFileSync(join(out, 'stats.json'), 'utf8'));
  // The API's stats shape. No control group; 50 of the 140 who entered converted: 0.3571.
  const totals = { qualified: 140, entered: 140, control: 0, notQualified: 60, goal: 50, controlGoal: 0, timedOut: 0, completed: 90, stopped: 0, merged: 0, inJourneyNow: 0 };
  const node = (nodeId: string, kind: string, entered: number, sent: number, goal: number) => ({ nodeId, kind, entered, sent, failed: 0, skipped: 0, skippedBy: {}, opened: 0, clicked: 0, missed: 0, goal, waiting: 0 });
  const nodes = [
    node('push-free-shipping', 'send', 140, 140, 0),
    node('wait-2h-before-sms', 'delay', 140, 0, 40),
    node('sms-10-off', 'send', 100, 100, 0),
    node('wait-2h-before-email', 'delay', 100, 0, 10),
    node('email-final-reminder', 'send', 90, 90, 0),
    node('done', 'exit', 90, 0, 0),
  ];
  assert.deepEqual(stats, {
    journeyId: 'abandoned-cart',
    versions: [1],
    totals,
    conversion: { target: { entered: 140, converted: 50, rate: 0.3571 }, control: { users: 0, converted: 0, rate: null }, uplift: null, significance: null },
    nodes,
    byVersion: { '1': { totals, nodes } },
  });
  const sentAt = messages.map((m) => m.sentAt as string);
  assert.deepEqual(sentAt, [...sentAt].sort(), 'messages.ndjson is in sentAt order');
  // The temporary database is gone.
  assert.deepEqual(readdirSync(out).sort(), ['messages.ndjson', 'skipped.ndjson', 'stats.json']);
});

test('simulate is deterministic: two runs write byte-identical files', async () => {
  const [a, b] = [run1, join(dir, 'run2')];
  const [ra, rb] = await Promise.all([simulateOnce(), runCli(simulateArgs(b))]);
  assert.equal(ra.code, 0, ra.stderr);
  assert.equal(rb.code, 0, rb.stderr);
  for (const file of ['messages.ndjson', 'skipped.ndjson', 'stats.json']) {
    assert.ok(readFileSync(join(a, file)).equals(readFileSync(join(b, file))), `${file} differs between runs`);
  }
  assert.ok(readFileSync(join(a, 'messages.ndjson')).length > 0);
});

test('simulate --threads 3 writes what one thread writes: the same sends and skips, byte-identical stats', async () => {
  const three = join(dir, 'threads');
  const [one, r] = await Promise.all([simulateOnce(), runCli([...simulateArgs(three), '--threads', '3'])]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, / s wall on 3 threads, /);
  const sorted = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean).sort();
  assert.equal(one.code, 0, one.stderr);
  assert.deepEqual(sorted(join(three, 'messages.ndjson')), sorted(join(run1, 'messages.ndjson')));
  const sentAt = readNdjson(join(three, 'messages.ndjson')).map((m) => m.sentAt as string);
  assert.deepEqual(sentAt, [...sentAt].sort(), 'the threads\' files are merged in sentAt order');
  assert.equal(readFileSync(join(three, 'stats.json'), 'utf8'), readFileSync(join(run1, 'stats.json'), 'utf8'));
  assert.deepEqual(readdirSync(three).sort(), ['messages.ndjson', 'skipped.ndjson', 'stats.json']);

  const zero = await runCli([...simulateArgs(join(dir, 'zero')), '--threads', '0']);
  assert.equal(zero.code, 1);
  assert.match(zero.stderr, /--threads must be a whole number from 1 to 64/);
  const kept = await runCli([...simulateArgs(join(dir, 'kept')), '--threads', '2', '--db', join(dir, 'kept.db')]);
  assert.equal(kept.code, 1);
  assert.equal(kept.stderr, 'waymark: a kept database (--db) is one file: it needs one thread (--threads 1)\n');
});

test('simulate errors: a missing file is named, a bad line points at its number, exit code 1', async () => {
  const missing = await runCli(['simulate', '--journey', 'examples/abandoned-cart.json', '--events', join(dir, 'nope.ndjson'), '--out', join(dir, 'x')]);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, `waymark: events file ${join(dir, 'nope.ndjson')} does not exist\n`);

  const bad = join(dir, 'bad.ndjson');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(bad, '{"at":0,"userId":"u1","event":"Added to Cart"}\n{"at":5,"userId":"u2"}\n');
  const r = await runCli(['simulate', '--journey', 'examples/abandoned-cart.json', '--events', bad, '--out', join(dir, 'y')]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `waymark: ${bad}: line 2: event must be a non-empty string\n`);
  assert.deepEqual(readdirSync(join(dir, 'y')), [], 'no database left behind');
});

test('simulate --settings backtests frequency caps: a send over the cap is skipped, the rest go out', async () => {
  const { writeFileSync } = await import('node:fs');
  const settings = join(dir, 'settings.json');
  writeFileSync(settings, JSON.stringify({ timezone: 'Europe/Paris', frequencyCaps: [{ max: 2, per: '1d' }] }));
  const profiles = join(dir, 'capped-profiles.ndjson');
  writeFileSync(profiles, ['ana', 'bo', 'cy'].map((userId) => JSON.stringify({ userId, email: `${userId}@x.test`, phone: '+1555', pushToken: `tok-${userId}` })).join('\n') + '\n');
  const events = join(dir, 'capped-events.ndjson');
  writeFileSync(
    events,
    [
      { at: 0, userId: 'ana', event: 'Added to Cart' },
      { at: 60_000, userId: 'bo', event: 'Added to Cart' },
      { at: 90_000, userId: 'cy', event: 'Added to Cart' },
      { at: 3_600_000, userId: 'cy', event: 'Charged' },
    ]
      .map((e) => JSON.stringify(e))
      .join('\n') + '\n',
  );
  const out = join(dir, 'capped');
  const r = await runCli(['simulate', '--journey', 'examples/abandoned-cart.json', '--settings', settings, '--profiles', profiles, '--events', events, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  // At most 2 messages a user in any 24 h: push (cart + 2 min) and sms (+ 2 h) go out; the email (+ 4 h) would be
  // the third within a day, so it is skipped. cy converts at 01:00, after the push: one message, nothing capped.
  assert.deepEqual(
    readNdjson(join(out, 'messages.ndjson')).map((m) => `${m.userId} ${m.channel} ${m.sentAt}`),
    [
      'ana push 2026-01-01T00:02:00.000Z',
      'bo push 2026-01-01T00:03:00.000Z',
      'cy push 2026-01-01T00:03:30.000Z',
      'ana sms 2026-01-01T02:02:00.000Z',
      'bo sms 2026-01-01T02:03:00.000Z',
    ],
  );
  assert.deepEqual(readNdjson(join(out, 'skipped.ndjson')), [
    { userId: 'ana', channel: 'email', nodeId: 'email-final-reminder', at: '2026-01-01T04:02:00.000Z', reason: 'frequency_cap' },
    { userId: 'bo', channel: 'email', nodeId: 'email-final-reminder', at: '2026-01-01T04:03:00.000Z', reason: 'frequency_cap' },
  ]);

  // A bad settings file is refused before anything runs, naming the file and the field.
  writeFileSync(settings, JSON.stringify({ frequencyCaps: [{ max: 0, per: '1d' }], timezone: 'Mars/Olympus' }));
  const bad = await runCli(['simulate', '--journey', 'examples/abandoned-cart.json', '--settings', settings, '--events', events, '--out', join(dir, 'z')]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^waymark: settings file .*settings\.json: \/frequencyCaps\/0\/max .*\n$/);
});
