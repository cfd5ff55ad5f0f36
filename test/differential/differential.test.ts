/**
 * Differential tests: random journeys and event streams (test/differential/arbitraries.ts) run through the
 * engine one event at a time, the engine in group-commit batches, `simulate`, and the engine on PostgreSQL,
 * which must all send, skip and count exactly alike. Many cheap SQLite cases (about 50 ms each), fewer
 * PostgreSQL ones (each costs many round trips to the server). A failure prints the shrunk case and its
 * replay line; WAYMARK_DIFF_SEED, WAYMARK_DIFF_PATH and WAYMARK_DIFF_RUNS replay it (docs/testing.md).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withPostgres } from '../store/postgres-fixture.ts';
import { STARTS, type DiffCase } from './arbitraries.ts';
import { run, type Driver } from './drivers.ts';
import { checkProperty, difference, emptyTally, replayFromEnv } from './property.ts';

const SQLITE_RUNS = 950;
const POSTGRES_RUNS = 50;
const replaying = process.env.WAYMARK_DIFF_RUNS !== undefined || process.env.WAYMARK_DIFF_SEED !== undefined;

test(`one event at a time, group-commit batches and simulate agree (SQLite, ${SQLITE_RUNS} random cases)`, { timeout: 600_000 }, async () => {
  const tally = emptyTally();
  await checkProperty({ drivers: ['one-by-one', 'batches', 'simulate'], tally, ...replayFromEnv(SQLITE_RUNS) });
  if (replaying) return;
  // The generator still reaches what the property is about: hand-chosen floors, far below what a run gives.
  assert.equal(tally.simulated, SQLITE_RUNS, 'simulate took part in every case');
  assert.ok(tally.outOfOrder >= SQLITE_RUNS / 10, `${tally.outOfOrder} cases had events out of order`);
  assert.ok(tally.redelivered >= SQLITE_RUNS / 10, `${tally.redelivered} cases had redeliveries`);
  assert.ok(tally.refused <= SQLITE_RUNS / 10, `${tally.refused} journeys were refused at publishing`);
  for (const kind of ['sent', 'skipped dnd', 'skipped frequency_cap', 'skipped no_email', 'skipped no_phone', 'skipped no_push_token', 'skipped unsubscribed']) {
    // Caps bite only when one user is due two sends within the window: rarer, so a lower floor.
    assert.ok((tally.messages[kind] ?? 0) >= (kind === 'skipped frequency_cap' ? 1 : 5), `only ${tally.messages[kind] ?? 0} messages "${kind}" in ${JSON.stringify(tally.messages)}`);
  }
  for (const [stat, cases] of Object.entries(tally.withStat)) assert.ok(cases >= 5, `only ${cases} cases counted any "${stat}"`);
});

const THREAD_RUNS = 60;

// Each case starts two threads (a few hundred ms from source), so fewer cases; the late events that cross
// threads are also worked out by hand in late-events.test.ts.
test(`simulate on 2 threads agrees with one event at a time (${THREAD_RUNS} random cases)`, { timeout: 600_000 }, async () => {
  const tally = emptyTally();
  await checkProperty({ drivers: ['one-by-one', 'simulate-threads'], tally, ...replayFromEnv(THREAD_RUNS) });
  if (replaying) return;
  assert.ok(tally.outOfOrder >= THREAD_RUNS / 10, `${tally.outOfOrder} cases had events out of order`);
  assert.ok((tally.messages.sent ?? 0) >= 5, `only ${tally.messages.sent ?? 0} messages sent`);
});

await withPostgres('differential on PostgreSQL', () => {
  test(`one event at a time on SQLite and on PostgreSQL agree (${POSTGRES_RUNS} random cases)`, { timeout: 600_000 }, async () => {
    await checkProperty({ drivers: ['one-by-one', 'postgres'], ...replayFromEnv(POSTGRES_RUNS) });
  });
});

/** A case small enough to work out by hand: the drivers are compared, and each also checked against it. */
const T = STARTS[0]!; // 2026-03-07T22:00Z: 17:00 in New York
const anchor: DiffCase = {
  start: T,
  journey: {
    name: 'Anchor',
    setup: { reentry: 'never' },
    nodes: [
      { id: 'entry', kind: 'entry', trigger: { type: 'action', event: 'Start' } },
      { id: 'mail', kind: 'send', channel: 'email', message: { subject: 'Hi', body: 'x' } },
      { id: 'pause', kind: 'delay', duration: '2h' },
      { id: 'text', kind: 'send', channel: 'sms', message: { body: 'y' } },
      { id: 'done', kind: 'exit' },
    ],
    edges: [
      { from: 'entry', to: 'mail' },
      { from: 'mail', to: 'pause' },
      { from: 'pause', to: 'text' },
      { from: 'text', to: 'done' },
    ],
  },
  settings: {},
  profiles: [{ userId: 'u1', traits: { email: 'a@example.com' } }],
  events: [
    { messageId: 'e1', userId: 'u1', name: 'Start', timestamp: T + 1_000, properties: {} },
    { messageId: 'e1', userId: 'u1', name: 'Start', timestamp: T + 1_000, properties: {} }, // redelivered
    { messageId: 'e2', userId: 'u2', name: 'Start', timestamp: T + 1_000, properties: {} }, // no profile
  ],
};

for (const driver of ['one-by-one', 'batches', 'simulate'] as Driver[]) {
  test(`${driver}: the hand-worked case sends, skips and counts as worked out`, async () => {
    const outcome = await run(driver, anchor);
    assert.ok(!('refused' in outcome), JSON.stringify(outcome));
    const at = (ms: number) => new Date(T + ms).toISOString();
    assert.deepEqual(
      outcome.rows.map((r) => [r.userId, r.nodeId, r.status, r.reason, r.at]),
      [
        ['u1', 'mail', 'sent', null, at(1_000)],
        ['u1', 'text', 'skipped', 'no_phone', at(1_000 + 7_200_000)],
        ['u2', 'mail', 'skipped', 'no_email', at(1_000)],
        ['u2', 'text', 'skipped', 'no_phone', at(1_000 + 7_200_000)],
      ],
    );
    assert.equal(outcome.failed, 0);
    assert.deepEqual([outcome.stats.totals.entered, outcome.stats.totals.completed], [2, 2]);
  });
}

/**
 * A cap must count a send made long before the moment a batch of timers runs up to. simulate fires every timer
 * up to the last one in one call (here u2's, at 2 h 30 min): u1's second email, due at 30 min, is decided at
 * its own time and must see u1's first email (at 1 s) in the cap's hour, though that is more than an hour
 * before the batch's end. Worked out by hand: each user's second email is capped.
 */
const capped: DiffCase = {
  start: T,
  journey: {
    name: 'Two emails half an hour apart',
    setup: { reentry: 'never' },
    nodes: [
      { id: 'entry', kind: 'entry', trigger: { type: 'action', event: 'Start' } },
      { id: 'first', kind: 'send', channel: 'email', message: { subject: 'One', body: 'x' } },
      { id: 'pause', kind: 'delay', duration: '30m' },
      { id: 'second', kind: 'send', channel: 'email', message: { subject: 'Two', body: 'y' } },
      { id: 'done', kind: 'exit' },
    ],
    edges: [
      { from: 'entry', to: 'first' },
      { from: 'first', to: 'pause' },
      { from: 'pause', to: 'second' },
      { from: 'second', to: 'done' },
    ],
  },
  settings: { frequencyCaps: [{ max: 1, per: '1h', channel: 'email' }] },
  profiles: [
    { userId: 'u1', traits: { email: 'a@example.com' } },
    { userId: 'u2', traits: { email: 'b@example.com' } },
  ],
  events: [
    { messageId: 'e1', userId: 'u1', name: 'Start', timestamp: T + 1_000, properties: {} },
    { messageId: 'e2', userId: 'u2', name: 'Start', timestamp: T + 7_200_000, properties: {} },
  ],
};

for (const driver of ['one-by-one', 'batches', 'simulate'] as Driver[]) {
  test(`${driver}: a cap counts a send made more than its window before the last timer of the run`, async () => {
    const outcome = await run(driver, capped);
    assert.ok(!('refused' in outcome), JSON.stringify(outcome));
    const at = (ms: number) => new Date(T + ms).toISOString();
    assert.deepEqual(
      outcome.rows.map((r) => [r.userId, r.nodeId, r.status, r.reason, r.at]),
      [
        ['u1', 'first', 'sent', null, at(1_000)],
        ['u1', 'second', 'skipped', 'frequency_cap', at(1_000 + 1_800_000)],
        ['u2', 'first', 'sent', null, at(7_200_000)],
        ['u2', 'second', 'skipped', 'frequency_cap', at(7_200_000 + 1_800_000)],
      ],
    );
  });
}

test('difference finds a moved send, a missing skip and a changed count', async () => {
  const base = await run('one-by-one', anchor);
  assert.ok(!('refused' in base));
  assert.equal(difference(base, base), null);
  const moved = { ...base, rows: base.rows.map((r, i) => (i === 0 ? { ...r, at: new Date(T).toISOString() } : r)) };
  assert.match(difference(base, moved) ?? '', /messages differ/);
  assert.match(difference(base, { ...base, rows: base.rows.slice(1) }) ?? '', /messages differ/);
  assert.match(difference(base, { ...base, stats: { ...base.stats, totals: { ...base.stats.totals, completed: 1 } } }) ?? '', /stats differ/);
  // And a real difference in the input shows in the output: u1 buys a phone number.
  const withPhone = await run('one-by-one', { ...anchor, profiles: [{ userId: 'u1', traits: { email: 'a@example.com', phone: '+15550100' } }] });
  assert.match(difference(base, withPhone) ?? '', /"nodeId":"text","channel":"sms","status":"sent"/);
});
