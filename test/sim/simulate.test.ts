import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { journeyStats } from '../../src/app/stats.ts';
import { simulate, type SimulationProgress } from '../../src/sim/simulate.ts';
import { parseEventLine, parseProfileLine } from '../../src/sim/records.ts';
import { example, tempDir, virtualWaymark } from '../helpers.ts';
import { cartWorkload, writeWorkload } from './workload.ts';

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

test('same results as feeding the engine one event at a time (the reference driver in test/helpers)', async () => {
  const users = cartWorkload({ users: 120, spanMs: 3 * MIN, windowMs: 2 * MIN, delayMs: 2 * HOUR, sameMillisecond: 8 });
  const dir = tempDir();
  const files = writeWorkload(join(dir, 'in'), users);
  const result = await simulate({ journey: JOURNEY, profiles: files.profiles, events: files.events, start: START, out: join(dir, 'out') });

  // Reference: one ingest per event, every due timer fired and dispatched before the next event.
  const w = await virtualWaymark(START);
  await w.store.upsertProfiles(readFileSync(files.profiles, 'utf8').trim().split('\n').map((l, i) => parseProfileLine(l, i + 1)!), START);
  await w.journeys.create({ id: 'abandoned-cart', definition: example('abandoned-cart') });
  await w.journeys.publish('abandoned-cart');
  const eventLines = readFileSync(files.events, 'utf8').trim().split('\n');
  for (const [i, line] of eventLines.entries()) {
    const { event } = parseEventLine(line, i + 1, START)!;
    await w.runUntil(event.timestamp - 1); // timers due strictly before the event
    w.clock.set(event.timestamp);
    await w.engine.ingestNow([event]);
    await w.engine.dispatch();
  }
  await w.runUntil(START + 10 * HOUR);
  const reference = (await w.store.listMessages({ limit: 10_000 })).map((m) => ({
    userId: m.userId,
    channel: m.channel,
    nodeId: m.nodeId,
    sentAt: new Date(m.sentAt!).toISOString(),
    journeyId: m.journeyId,
    content: m.content,
  }));

  const sort = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();
  assert.deepEqual(sort(lines(result.files.messages)), sort(reference));
  const sentAt = lines(result.files.messages).map((m) => m.sentAt as string);
  assert.deepEqual(sentAt, [...sentAt].sort(), 'messages.ndjson is in sentAt order');
  assert.deepEqual(result.stats, await journeyStats(w.store, 'abandoned-cart'), 'the same stats as the reference run');
  assert.equal(result.sentTotal, users.reduce((n, u) => n + Object.keys(u.sends).length, 0));
  assert.ok(result.ingestCalls < result.events, 'events sharing a millisecond share an ingest');
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
  assert.deepEqual(result.stats.totals, { qualified: 2, entered: 2, control: 0, notQualified: 1, goal: 2, controlGoal: 0, timedOut: 0, completed: 0, stopped: 0 });
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

test('events out of time order are refused with the line number', async () => {
  const dir = tempDir();
  const events = ndjson(join(dir, 'events.ndjson'), [
    { at: 10, userId: 'a', event: 'Added to Cart' },
    { at: 5, userId: 'b', event: 'Added to Cart' },
  ]);
  await assert.rejects(simulate({ journey: JOURNEY, events, out: join(dir, 'out') }), {
    message: `${events}: line 2: events must be in time order, and 2026-01-01T00:00:00.005Z comes after 2026-01-01T00:00:00.010Z`,
  });
});

test('an invalid journey is refused before anything runs, with its problems', async () => {
  const dir = tempDir();
  const journey = join(dir, 'j.json');
  writeFileSync(journey, JSON.stringify({ ...example('abandoned-cart'), edges: [] }));
  const events = ndjson(join(dir, 'events.ndjson'), [{ at: 0, userId: 'a', event: 'Added to Cart' }]);
  await assert.rejects(simulate({ journey, events, out: join(dir, 'out') }), (error: Error & { problems?: unknown[] }) => {
    assert.match(error.message, /invalid journey/);
    assert.ok((error.problems?.length ?? 0) >= 2);
    return true;
  });
});

test('an interrupted run rejects and leaves no temporary database behind', async () => {
  const dir = tempDir();
  const events = ndjson(join(dir, 'events.ndjson'), [{ at: 0, userId: 'a', event: 'Added to Cart' }]);
  const out = join(dir, 'out');
  await assert.rejects(simulate({ journey: JOURNEY, events, out, signal: AbortSignal.abort() }), { message: 'the simulation was interrupted' });
  const { readdirSync } = await import('node:fs');
  assert.deepEqual(readdirSync(out), []);
});

test('--with runs another journey alongside: a journey triggered by its node is simulated too', async () => {
  const dir = tempDir();
  const followUp = join(dir, 'sms-follow-up.json');
  writeFileSync(
    followUp,
    JSON.stringify({
      name: 'After the SMS',
      nodes: [
        { id: 'in', kind: 'entry', trigger: { type: 'journey', journeyId: 'abandoned-cart', nodeId: 'sms-10-off' } },
        { id: 'hook', kind: 'send', channel: 'webhook', message: { url: 'https://crm.example.test/hook', body: '{{ Event.productName }}' } },
        { id: 'out', kind: 'exit' },
      ],
      edges: [
        { from: 'in', to: 'hook' },
        { from: 'hook', to: 'out' },
      ],
    }),
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
