import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { simulate, type SimulationProgress } from '../../src/sim/simulate.ts';
import { example, tempDir } from '../helpers.ts';
import { cartWorkload, expectedSends, writeWorkload } from './workload.ts';
import { path } from '../journeys.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const START = Date.parse('2026-03-02T09:00:00Z');
const JOURNEY = join(new URL('../..', import.meta.url).pathname, 'examples/abandoned-cart.json');

function lines(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

function ndjson(file: string, rows: unknown[]): string {
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

// On one thread, and on three (each with its share of the users, merged after): the same hand-computed answer.
for (const threads of [1, 3]) test(`a fixed workload: hand-computed sends and stats (${threads} thread${threads > 1 ? 's' : ''})`, async () => {
  // 120 users, carts over 3 minutes (8 share the first millisecond), the example's own timings: a 2 min window,
  // 2 h between messages. 30% (36) convert inside the window, 20% (24) between push and SMS, 5% (6) between SMS
  // and email, the other 54 never (see workload.ts).
  const users = cartWorkload({ users: 120, spanMs: 3 * MIN, windowMs: 2 * MIN, delayMs: 2 * HOUR, sameMillisecond: 8 });
  const dir = tempDir();
  const files = writeWorkload(join(dir, 'in'), users);
  const result = await simulate({ journey: JOURNEY, profiles: files.profiles, events: files.events, start: START, out: join(dir, 'out'), threads });
  const messages = lines(result.files.messages);

  // Per user, by hand (START is 09:00:00Z): u0..u7 put their carts in at 09:00:01.000, u11 at 1000 + 11 * 7919 ms
  // = 09:01:28.109. Push = cart + 2 min, SMS = push + 2 h, email = SMS + 2 h.
  const of = (userId: string) => messages.filter((m) => m.userId === userId).map((m) => `${m.channel} ${m.sentAt}`);
  assert.deepEqual(of('u0'), ['push 2026-03-02T09:02:01.000Z'], 'u0 converts at 10:02:01, before the SMS');
  assert.deepEqual(of('u1'), ['push 2026-03-02T09:02:01.000Z', 'sms 2026-03-02T11:02:01.000Z', 'email 2026-03-02T13:02:01.000Z'], 'u1 never converts');
  assert.deepEqual(of('u5'), ['push 2026-03-02T09:02:01.000Z', 'sms 2026-03-02T11:02:01.000Z'], 'u5 converts at 12:02:01, before the email');
  assert.deepEqual(of('u8'), [], 'u8 converts 30 s after the cart, inside the window');
  assert.deepEqual(of('u11'), ['push 2026-03-02T09:03:28.109Z', 'sms 2026-03-02T11:03:28.109Z', 'email 2026-03-02T13:03:28.109Z'], 'u11 never converts');
  // Every user, from the workload's own timing rules (not from the engine).
  assert.deepEqual(messages.map((m) => `${m.userId} ${m.channel} ${m.sentAt}`).sort(), expectedSends(users, START));
  const sentAt = messages.map((m) => m.sentAt as string);
  assert.deepEqual(sentAt, [...sentAt].sort(), 'messages.ndjson is in sentAt order');

  // push 24 + 6 + 54 = 84, sms 6 + 54 = 60, email 54.
  assert.deepEqual(result.sent, { email: 54, push: 84, sms: 60 });
  assert.equal(result.sentTotal, 198);
  const totals = { qualified: 84, entered: 84, control: 0, notQualified: 36, goal: 30, controlGoal: 0, timedOut: 0, completed: 54, stopped: 0, merged: 0, inJourneyNow: 0 };
  assert.deepEqual(result.stats.totals, totals);
  assert.deepEqual(result.stats.conversion, { target: { entered: 84, converted: 30, rate: 0.3571 }, control: { users: 0, converted: 0, rate: null }, uplift: null, significance: null }); // 30 / 84
  const node = (nodeId: string, kind: string, entered: number, sent: number, goal: number) => ({ nodeId, kind, entered, sent, failed: 0, skipped: 0, skippedBy: {}, opened: 0, clicked: 0, missed: 0, goal, waiting: 0 });
  assert.deepEqual(result.stats.nodes, [
    node('push-free-shipping', 'send', 84, 84, 0),
    node('wait-2h-before-sms', 'delay', 84, 0, 24),
    node('sms-10-off', 'send', 60, 60, 0),
    node('wait-2h-before-email', 'delay', 60, 0, 6),
    node('email-final-reminder', 'send', 54, 54, 0),
    node('done', 'exit', 54, 0, 0),
  ]);
  assert.equal(result.events, 120 + 36 + 24 + 6, 'a cart each, a charge each for those who convert');
  assert.ok(result.ingestCalls < result.events, 'events sharing a millisecond share an ingest');
  assert.deepEqual(readdirSync(join(dir, 'out')).sort(), ['messages.ndjson', 'skipped.ndjson', 'stats.json'], 'no database or part file is left behind');
});

// u1 and u2 fall on different threads of two: the second line's id is u1's, so it is a duplicate on any number.
for (const threads of [1, 2]) test(`a message id given twice is one event, whoever the second copy names (${threads} thread${threads > 1 ? 's' : ''})`, async () => {
  const dir = tempDir();
  const profiles = ndjson(join(dir, 'profiles.ndjson'), ['u1', 'u2'].map((userId) => ({ userId, name: userId, email: `${userId}@x.test`, phone: '+1', pushToken: `t-${userId}` })));
  const events = ndjson(join(dir, 'events.ndjson'), [
    { messageId: 'm1', userId: 'u1', event: 'Added to Cart', timestamp: '2026-03-02T09:00:00.000Z' },
    { messageId: 'm1', userId: 'u2', event: 'Added to Cart', timestamp: '2026-03-02T09:00:01.000Z' },
  ]);
  const result = await simulate({ journey: JOURNEY, profiles, events, out: join(dir, 'out'), threads });
  assert.equal(result.duplicates, 1);
  assert.deepEqual(
    lines(result.files.messages).map((m) => `${m.userId} ${m.channel} ${m.sentAt}`),
    ['u1 push 2026-03-02T09:02:00.000Z', 'u1 sms 2026-03-02T11:02:00.000Z', 'u1 email 2026-03-02T13:02:00.000Z'],
  );
});

test('hostile user ids on threads: quotes that spell "sentAt", a NUL, 10,000 characters; the merged files hold what one thread writes', async () => {
  const dir = tempDir();
  const ids = ['plain', 'x","sentAt":"1999-01-01T00:00:00.000Z', 'nul\u0000id', 'é"\\"at":"2000', 'long'.repeat(2_500)];
  const profiles = ndjson(join(dir, 'profiles.ndjson'), ids.map((userId) => ({ userId, name: 'N', email: 'n@x.test', phone: '+1', pushToken: 't' })));
  const events = ndjson(join(dir, 'events.ndjson'), ids.map((userId, i) => ({ at: i * 1_000, userId, event: 'Added to Cart' })));
  const [one, two] = await Promise.all([1, 2].map((threads) => simulate({ journey: JOURNEY, profiles, events, start: START, out: join(dir, `out-${threads}`), threads })));
  assert.equal(two!.threads, 2);
  const text = (file: string) => readFileSync(file, 'utf8');
  assert.equal(text(two!.files.messages), text(one!.files.messages), 'no two sends share a millisecond, so the order is the same too');
  assert.deepEqual(lines(two!.files.messages).filter((m) => m.channel === 'push').map((m) => m.userId), ids);
  assert.equal(text(two!.files.stats), text(one!.files.stats));
});

test('an event at exactly a due time is processed first: a goal in the same millisecond prevents the send', async () => {
  const dir = tempDir();
  const profiles = ndjson(join(dir, 'profiles.ndjson'), [
    { userId: 'window-edge', name: 'W', email: 'w@x.test', phone: '+1', pushToken: 't-w' },
    { userId: 'sms-edge', name: 'S', email: 's@x.test', phone: '+2', pushToken: 't-s' },
    { userId: 'one-ms-late', name: 'L', email: 'l@x.test', phone: '+3', pushToken: 't-l' },
  ]);
  const events = ndjson(join(dir, 'events.ndjson'), [
    { at: 0, userId: 'window-edge', event: 'Added to Cart' },
    { at: 0, userId: 'sms-edge', event: 'Added to Cart' },
    { at: 0, userId: 'one-ms-late', event: 'Added to Cart' },
    { at: 2 * MIN, userId: 'window-edge', event: 'Charged' }, // the window closes at this very ms: not qualified
    { at: 2 * MIN + 2 * HOUR, userId: 'sms-edge', event: 'Charged' }, // the SMS is due at this very ms: not sent
    { at: 2 * MIN + 2 * HOUR + 1, userId: 'one-ms-late', event: 'Charged' }, // one ms after the SMS: it went out
  ]);
  const result = await simulate({ journey: JOURNEY, profiles, events, start: START, out: join(dir, 'out') });
  const sent = lines(result.files.messages).map((m) => `${m.userId} ${m.channel} ${m.sentAt}`);
  const at = (ms: number) => new Date(START + ms).toISOString();
  assert.deepEqual(sent, [`sms-edge push ${at(2 * MIN)}`, `one-ms-late push ${at(2 * MIN)}`, `one-ms-late sms ${at(2 * MIN + 2 * HOUR)}`]);
  assert.deepEqual(result.stats.totals, { qualified: 2, entered: 2, control: 0, notQualified: 1, goal: 2, controlGoal: 0, timedOut: 0, completed: 0, stopped: 0, merged: 0, inJourneyNow: 0 });
});

test('messages.ndjson is in sentAt order, even when a later send was decided first', async () => {
  // One batch holds all three events. cy's push, due at 2:30, fires inside it, before cy's event at 3:00;
  // ana's, due at 2:00, fires after it (she has no event in the batch): decided second, sent first.
  const dir = tempDir();
  const profiles = ndjson(join(dir, 'profiles.ndjson'), [
    { userId: 'ana', email: 'ana@x.test', phone: '+1', pushToken: 't-ana' },
    { userId: 'cy', email: 'cy@x.test', phone: '+2', pushToken: 't-cy' },
  ]);
  const events = ndjson(join(dir, 'events.ndjson'), [
    { at: 0, userId: 'ana', event: 'Added to Cart' },
    { at: 30_000, userId: 'cy', event: 'Added to Cart' },
    { at: 3 * MIN, userId: 'cy', event: 'Viewed Product' },
  ]);
  const result = await simulate({ journey: JOURNEY, profiles, events, start: START, out: join(dir, 'out') });
  const at = (ms: number) => new Date(START + ms).toISOString();
  assert.deepEqual(
    lines(result.files.messages).map((m) => `${m.sentAt} ${m.userId} ${m.channel}`),
    [
      `${at(2 * MIN)} ana push`,
      `${at(2 * MIN + 30_000)} cy push`,
      `${at(2 * MIN + 2 * HOUR)} ana sms`,
      `${at(2 * MIN + 30_000 + 2 * HOUR)} cy sms`,
      `${at(2 * MIN + 4 * HOUR)} ana email`,
      `${at(2 * MIN + 30_000 + 4 * HOUR)} cy email`,
    ],
  );
});

test('native events with ISO timestamps, duplicates, skipped sends, --db kept, progress reported', async () => {
  const dir = tempDir();
  const profiles = ndjson(join(dir, 'profiles.ndjson'), [{ userId: 'ana', traits: { name: 'Ana', email: 'ana@x.test', pushToken: 'tok-ana' } }]);
  const t0 = '2026-05-04T10:00:00.000Z';
  const events = ndjson(join(dir, 'events.ndjson'), [
    { userId: 'ana', event: 'Added to Cart', properties: { productName: 'Socks' }, timestamp: t0, messageId: 'e1' },
    { userId: 'ana', event: 'Added to Cart', properties: { productName: 'Socks' }, timestamp: t0, messageId: 'e1' },
  ]);
  const db = join(dir, 'kept.db');
  const progress: SimulationProgress[] = [];
  const result = await simulate({ journey: JOURNEY, profiles, events, out: join(dir, 'out'), db, onProgress: (p) => progress.push(p), progressIntervalMs: 0 });
  assert.equal(result.events, 2);
  assert.equal(result.duplicates, 1);
  assert.equal(result.startTime, t0, 'the clock starts at the first native event when no start is given');
  assert.deepEqual(
    lines(result.files.messages).map((m) => [m.channel, m.sentAt]),
    [
      ['push', '2026-05-04T10:02:00.000Z'],
      ['email', '2026-05-04T14:02:00.000Z'],
    ],
  );
  assert.deepEqual(lines(result.files.skipped), [{ userId: 'ana', channel: 'sms', nodeId: 'sms-10-off', at: '2026-05-04T12:02:00.000Z', reason: 'no_phone' }]);
  assert.equal(result.skipped, 1);
  assert.equal(result.files.db, db);
  assert.ok(existsSync(db));
  assert.deepEqual([...new Set(progress.map((p) => p.phase))], ['profiles', 'events', 'timers', 'output']);
  await assert.rejects(simulate({ journey: JOURNEY, events, out: join(dir, 'again'), db }), /database .*kept\.db already exists/);
});

test('a kept database that cannot be opened fails the run and leaves no part of the output behind', async () => {
  const dir = tempDir();
  const events = ndjson(join(dir, 'events.ndjson'), [{ at: 0, userId: 'a', event: 'Added to Cart' }]);
  const out = join(dir, 'out');
  await assert.rejects(simulate({ journey: JOURNEY, events, out, db: join(dir, 'no-such-dir', 'kept.db') }), /directory does not exist/);
  assert.deepEqual(readdirSync(out), []);
});

test('a late event (one before a line already read) is taken when it arrives, as the live server takes it', async () => {
  const dir = tempDir();
  const profiles = ndjson(join(dir, 'profiles.ndjson'), [
    { userId: 'a', traits: { pushToken: 'tok-a', email: 'a@x.test' } },
    { userId: 'b', traits: { pushToken: 'tok-b', email: 'b@x.test' } },
  ]);
  // a's Charged happened at 00:01, inside a's 2-minute window, but arrives after b's cart at 00:10: by then
  // a's window closed (00:02) and the push went, so the Charged is a goal at 00:10 and a gets nothing more.
  const events = ndjson(join(dir, 'events.ndjson'), [
    { at: 0, userId: 'a', event: 'Added to Cart', messageId: 'a-cart' },
    { at: 600_000, userId: 'b', event: 'Added to Cart', messageId: 'b-cart' },
    { at: 60_000, userId: 'a', event: 'Charged', messageId: 'a-paid' },
  ]);
  const result = await simulate({ journey: JOURNEY, profiles, events, out: join(dir, 'out') });
  assert.deepEqual(
    lines(result.files.messages).map((m) => [m.userId, m.channel, m.sentAt]),
    [
      ['a', 'push', '2026-01-01T00:02:00.000Z'],
      ['b', 'push', '2026-01-01T00:12:00.000Z'],
      ['b', 'email', '2026-01-01T04:12:00.000Z'],
    ],
  );
  assert.deepEqual(lines(result.files.skipped), [{ userId: 'b', channel: 'sms', nodeId: 'sms-10-off', at: '2026-01-01T02:12:00.000Z', reason: 'no_phone' }]);
  assert.equal(result.stats.totals.entered, 2);
  assert.equal(result.stats.totals.goal, 1);
});

for (const threads of [1, 2]) test(`an invalid journey is refused before anything runs, with its problems (${threads} thread${threads > 1 ? 's' : ''})`, async () => {
  const dir = tempDir();
  const journey = join(dir, 'j.json');
  writeFileSync(journey, JSON.stringify({ ...example('abandoned-cart'), edges: [] }));
  const events = ndjson(join(dir, 'events.ndjson'), [{ at: 0, userId: 'a', event: 'Added to Cart' }]);
  await assert.rejects(simulate({ journey, events, out: join(dir, 'out'), threads }), (error: Error & { problems?: unknown[] }) => {
    assert.match(error.message, /invalid journey/);
    // With no edges, every node but the exit leads nowhere, and nothing after the entry can be reached.
    const ids = ['cart-abandoned', 'push-free-shipping', 'wait-2h-before-sms', 'sms-10-off', 'wait-2h-before-email', 'email-final-reminder', 'done'];
    const expected = [
      ...ids.slice(0, 6).map((id, i) => ({ path: `/nodes/${i}`, message: `node "${id}" has no way out; connect it to another node or to an exit` })),
      ...ids.slice(1).map((id, i) => ({ path: `/nodes/${i + 1}`, message: `node "${id}" cannot be reached from the entry` })),
    ];
    assert.deepEqual(error.problems, expected);
    return true;
  });
  assert.deepEqual(readdirSync(join(dir, 'out')), [], 'no database is left behind');
});

for (const threads of [1, 2]) test(`an interrupted run rejects and leaves no temporary database behind (${threads} thread${threads > 1 ? 's' : ''})`, async () => {
  const dir = tempDir();
  const events = ndjson(join(dir, 'events.ndjson'), [{ at: 0, userId: 'a', event: 'Added to Cart' }]);
  const out = join(dir, 'out');
  await assert.rejects(simulate({ journey: JOURNEY, events, out, signal: AbortSignal.abort(), threads }), { message: 'the simulation was interrupted' });
  assert.deepEqual(readdirSync(out), []);
});

test('--with runs another journey alongside: a journey triggered by its node is simulated too', async () => {
  const dir = tempDir();
  const followUp = join(dir, 'sms-follow-up.json');
  writeFileSync(
    followUp,
    JSON.stringify(path('After the SMS', [
        { id: 'in', kind: 'entry', trigger: { type: 'journey', journeyId: 'abandoned-cart', nodeId: 'sms-10-off' } },
        { id: 'hook', kind: 'send', channel: 'webhook', message: { url: 'https://crm.example.test/hook', body: '{{ Event.productName }}' } },
        { id: 'out', kind: 'exit' },
    ])),
  );
  const profiles = ndjson(join(dir, 'profiles.ndjson'), [{ userId: 'ana', phone: '+1555', pushToken: 'tok', email: 'a@example.test' }, { userId: 'bo', pushToken: 'tok' }]);
  const events = ndjson(join(dir, 'events.ndjson'), [
    { at: 0, userId: 'ana', event: 'Added to Cart', properties: { productName: 'Shoes' } },
    { at: 0, userId: 'bo', event: 'Added to Cart', properties: { productName: 'Hat' } },
    { at: 30_000, userId: 'bo', event: 'Charged', properties: {} },
  ]);
  const result = await simulate({ journey: followUp, with: [JOURNEY], profiles, events, start: START, out: join(dir, 'out') });
  assert.equal(result.journeyId, 'sms-follow-up');
  const sent = lines(result.files.messages).map((m) => [m.journeyId, m.userId, m.nodeId, Date.parse(m.sentAt as string) - START]);
  assert.deepEqual(sent.filter(([journey]) => journey === 'sms-follow-up'), [['sms-follow-up', 'ana', 'hook', 2 * MIN + 2 * HOUR]]);
  assert.ok(sent.some(([journey, user, node]) => journey === 'abandoned-cart' && user === 'ana' && node === 'sms-10-off'), 'the companion journey ran');
  assert.equal(result.stats.journeyId, 'sms-follow-up');
  await assert.rejects(simulate({ journey: JOURNEY, with: [JOURNEY], events, out: join(dir, 'out2') }), /two journeys would both be "abandoned-cart"/);
});

test('messages.ndjson holds each send as the JSON of its fields, the content as rendered, whatever characters the profile and event put in it', async () => {
  const dir = tempDir();
  const name = 'Zoë "Z" \\ O\'Neil \u2028 </script> {{ x }} 😀 \u007f';
  const product = '{"nested":"json"} \t\n 10%';
  const profiles = ndjson(join(dir, 'profiles.ndjson'), [{ userId: 'u "1"', traits: { name, pushToken: 'tok' } }]);
  const events = ndjson(join(dir, 'events.ndjson'), [{ userId: 'u "1"', event: 'Added to Cart', properties: { productName: product }, timestamp: '2026-05-04T10:00:00.000Z', messageId: 'e1' }]);
  const result = await simulate({ journey: JOURNEY, profiles, events, out: join(dir, 'out') });
  const [push] = readFileSync(result.files.messages, 'utf8').split('\n');
  const body = `Hi ${name}, your ${product} is waiting. Free shipping if you check out today.`;
  const expected = { userId: 'u "1"', channel: 'push', nodeId: 'push-free-shipping', sentAt: '2026-05-04T10:02:00.000Z', journeyId: 'abandoned-cart', content: { body, title: 'Still thinking it over?', to: 'tok' } };
  assert.equal(push, JSON.stringify(expected));
});
