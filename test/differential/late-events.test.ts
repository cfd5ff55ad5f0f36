/**
 * A late event moves a user on to a wait that is already over. u2's Click happened at 9 min but arrives after
 * u1's Ping of 10 min, so it is taken at 10 min: the email goes then, and `later`, a wait measured from when u2
 * clicked (1 s), timed out at 9 min 1 s, a moment already past. Live, that timer fires when the engine gets to
 * it (at 10 min), before the next event that happened after it, and after one that happened before it.
 * `simulate` must do the same: it used to fire the timer at 9 min 1 s, sending the SMS before the Click that led
 * to it had arrived (the differential soak's case 51,102). So must a group-commit batch holding several of those
 * late events. Every expectation is worked out by hand.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyEvent } from '../../src/core/instance.ts';
import { withPostgres } from '../store/postgres-fixture.ts';
import { STARTS, type DiffCase } from './arbitraries.ts';
import { run, type Driver } from './drivers.ts';

const T = STARTS[0]!;
const MIN = 60_000;
const at = (ms: number) => new Date(T + ms).toISOString();
const event = (messageId: string, userId: string, name: string, ms: number): JourneyEvent => ({ messageId, userId, name, timestamp: T + ms, properties: {} });

const journey: DiffCase['journey'] = {
  name: 'A late click',
  setup: { reentry: 'never' },
  nodes: [
    { id: 'entry', kind: 'entry', trigger: { type: 'action', event: 'Start' } },
    { id: 'first', kind: 'wait', event: 'Click', timeout: '1h' },
    { id: 'mail', kind: 'send', channel: 'email', message: { subject: 'Thanks', body: 'x' } },
    { id: 'later', kind: 'wait', event: 'Click', timeout: '1s' },
    { id: 'again', kind: 'send', channel: 'sms', message: { body: 'clicked twice' } },
    { id: 'text', kind: 'send', channel: 'sms', message: { body: 'clicked once' } },
    { id: 'done', kind: 'exit' },
  ],
  edges: [
    { from: 'entry', to: 'first' },
    { from: 'first', to: 'mail', branch: 'yes' },
    { from: 'first', to: 'done', branch: 'timeout' },
    { from: 'mail', to: 'later' },
    { from: 'later', to: 'again', branch: 'yes' },
    { from: 'later', to: 'text', branch: 'timeout' },
    { from: 'again', to: 'done' },
    { from: 'text', to: 'done' },
  ],
};

/** u2 starts at 0, u1 pings at 10 min, then u2's Click of 9 min arrives: each case adds what comes after. */
const lateCase = (after: JourneyEvent[]): DiffCase => ({
  start: T,
  journey,
  settings: {},
  profiles: [{ userId: 'u2', traits: { email: 'b@example.com', phone: '+15550100' } }],
  events: [event('e1', 'u2', 'Start', 0), event('e2', 'u1', 'Ping', 10 * MIN), event('e3', 'u2', 'Click', 9 * MIN), ...after],
});

const cases: Array<{ name: string; c: DiffCase; expected: string[][] }> = [
  {
    name: 'the overdue timer fires when the late event was taken, not at its due time',
    c: lateCase([]),
    expected: [
      ['mail', at(10 * MIN)],
      ['text', at(10 * MIN)],
    ],
  },
  {
    name: 'a second late Click that happened inside the window goes before the timer',
    c: lateCase([event('e4', 'u2', 'Click', 9 * MIN + 500)]),
    expected: [
      ['again', at(10 * MIN)],
      ['mail', at(10 * MIN)],
    ],
  },
  {
    name: "another user's event that happened after the timer was due fires it first",
    c: lateCase([event('e5', 'u1', 'Ping', 11 * MIN), event('e4', 'u2', 'Click', 9 * MIN + 500)]),
    expected: [
      ['mail', at(10 * MIN)],
      ['text', at(10 * MIN)],
    ],
  },
  {
    // u3's Ping is late too, so group commit takes all of 10 min's arrivals as one batch: it must fire the
    // timer between them as events taken one at a time do.
    name: "another user's late event that happened after the timer was due fires it first, in the same batch too",
    c: lateCase([event('e5', 'u3', 'Ping', 9 * MIN + 30_000), event('e4', 'u2', 'Click', 9 * MIN + 500)]),
    expected: [
      ['mail', at(10 * MIN)],
      ['text', at(10 * MIN)],
    ],
  },
];

async function check(driver: Driver, c: DiffCase, expected: string[][]): Promise<void> {
  const outcome = await run(driver, c);
  assert.ok(!('refused' in outcome), JSON.stringify(outcome));
  assert.deepEqual(
    outcome.rows.map((r) => [r.nodeId, r.at]),
    expected,
  );
  assert.ok(outcome.rows.every((r) => r.userId === 'u2' && r.status === 'sent'));
}

for (const { name, c, expected } of cases) {
  for (const driver of ['one-by-one', 'batches', 'simulate', 'simulate-threads'] as Driver[]) test(`${driver}: ${name}`, () => check(driver, c, expected));
}

await withPostgres('late events on PostgreSQL', () => {
  for (const { name, c, expected } of cases) test(`postgres: ${name}`, () => check('postgres', c, expected));
});
