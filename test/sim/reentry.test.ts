/**
 * Re-entry in simulations: a simulation takes many events (and the timers between them) in one unit of work,
 * so a pass that enters or ends inside a batch must count for the batch's later events, as it does on the
 * server (test/engine/reentry.test.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { simulate } from '../../src/sim/simulate.ts';
import { tempDir } from '../helpers.ts';
import { path } from '../journeys.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const START = Date.parse('2026-03-02T09:00:00Z');
const at = (ms: number) => new Date(START + ms).toISOString();

function writeLines(file: string, rows: unknown[]): string {
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return file;
}

/** Simulates `entry -> push -> exit` over ana's events (hours after START); returns when each push went out. */
async function pushTimes(trigger: Record<string, unknown>, setup: Record<string, unknown>, hours: number[]): Promise<string[]> {
  const dir = tempDir();
  const journey = writeLines(join(dir, 'j.json'), [
    path(
      'reentry',
      [
        { id: 'in', kind: 'entry', trigger: trigger as never },
        { id: 'push', kind: 'send', channel: 'push', message: { title: 't', body: 'b' } },
        { id: 'out', kind: 'exit' },
      ],
      { setup: setup as never },
    ),
  ]);
  const profiles = writeLines(join(dir, 'profiles.ndjson'), [{ userId: 'ana', pushToken: 'tok' }]);
  const events = writeLines(join(dir, 'events.ndjson'), hours.map((h) => ({ at: h * HOUR, userId: 'ana', event: String(trigger.event) })));
  const result = await simulate({ journey, profiles, events, start: START, out: join(dir, 'out') });
  assert.equal(result.ingestCalls, 1, 'all the events in one batch');
  return readFileSync(result.files.messages, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l).sentAt);
}

const ACTION = { type: 'action', event: 'Opened' };
const INACTION = { type: 'inaction', event: 'Added', notEvent: 'Charged', within: '2m' };
const COOLDOWN = { reentry: 'afterExit', reentryCooldown: '1d' };

test('cool-down, action entry: blocked at 1 h, allowed at 25 h (a day after the exit at 0 h)', async () => {
  assert.deepEqual(await pushTimes(ACTION, COOLDOWN, [0, 1, 25]), [at(0), at(25 * HOUR)]);
});

test('cool-down, inaction entry: the pass enters and ends at 0 h 2 min inside the batch; blocked at 1 h, allowed at 25 h', async () => {
  assert.deepEqual(await pushTimes(INACTION, COOLDOWN, [0, 1, 25]), [at(2 * MIN), at(25 * HOUR + 2 * MIN)]);
});

test('re-entry never, inaction entry: one pass, entered at 0 h 2 min inside the batch', async () => {
  assert.deepEqual(await pushTimes(INACTION, { reentry: 'never' }, [0, 1, 2]), [at(2 * MIN)]);
});

test('re-entry never, action entry: one pass', async () => {
  assert.deepEqual(await pushTimes(ACTION, { reentry: 'never' }, [0, 1, 2]), [at(0)]);
});

test('afterExit without a cool-down still enters again after each exit (the control case)', async () => {
  assert.deepEqual(await pushTimes(INACTION, { reentry: 'afterExit' }, [0, 1]), [at(2 * MIN), at(HOUR + 2 * MIN)]);
});
