/**
 * Durability on the embedded store: kill -9 the server at random moments while thousands of users are in
 * flight, restart it on the same SQLite file, and check that every user resumed: nothing lost, nothing sent
 * twice, and counters that agree with the message log.
 */
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers.ts';
import { runKillScenario, sleep } from './scenario.ts';
import { verdict } from './verdict.ts';

const KILLS = 3;

test('kill -9 at random moments: every user resumes, no message lost or sent twice', { timeout: 400_000 }, async () => {
  const dir = tempDir();
  const db = join(dir, 'waymark.db');
  const live = () => {
    const look = new Database(db, { readonly: true });
    try {
      return (look.prepare("SELECT count(*) AS n FROM instances WHERE status <> 'exited'").get() as { n: number }).n;
    } finally {
      look.close();
    }
  };
  const run = await runKillScenario({ dir, database: ['--db', db], users: 3_000, spanMs: 5_000, windowMs: 1_000, delayMs: 3_000, kills: KILLS, liveInstances: async () => live() });
  assert.equal(run.inFlightAtKill.length, KILLS, 'the server was killed and restarted');
  assert.ok(run.inFlightAtKill.some((n) => n > 100), `users were in flight when it died: ${run.inFlightAtKill.join(', ')}`);

  // Wait until every instance has finished its path (no timers left), then stop the server cleanly.
  await sleep(run.lastDue - Date.now());
  const check = new Database(db, { readonly: true });
  const deadline = Date.now() + 180_000;
  while ((check.prepare('SELECT count(*) AS n FROM instances WHERE wake_at IS NOT NULL').get() as { n: number }).n > 0 && Date.now() < deadline) await sleep(200);
  assert.equal(await run.stop(), 0, 'a clean stop on SIGTERM');

  // Nothing lost on the way in.
  assert.equal((check.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n, run.events, 'every event stored once');

  // Nothing sent twice: one message per (user, node), whatever its id.
  const duplicates = check.prepare('SELECT user_id, node_id, count(*) AS n FROM messages GROUP BY user_id, node_id HAVING n > 1').all();
  assert.deepEqual(duplicates, [], 'no duplicate sends');

  const sent = new Map<string, number>();
  for (const row of check.prepare("SELECT user_id, node_id, sent_at FROM messages WHERE status = 'sent'").all() as Array<{ user_id: string; node_id: string; sent_at: number }>) {
    sent.set(`${row.user_id}/${row.node_id}`, row.sent_at);
  }
  const chargeReceived = new Map<string, number>();
  for (const row of check.prepare("SELECT user_id, received_at FROM events WHERE name = 'Charged'").all() as Array<{ user_id: string; received_at: number }>) {
    chargeReceived.set(row.user_id, row.received_at);
  }
  const { missing, unexplained } = verdict(run.expected, sent, chargeReceived, run.t0);
  assert.deepEqual(missing, [], 'no expected message is missing');
  assert.deepEqual(unexplained, [], 'no unexpected message except those the downtime explains');

  // Stats agree with the message log.
  const statSent = check.prepare("SELECT node_id, sum(count) AS n FROM stats WHERE metric = 'node_sent' GROUP BY node_id ORDER BY node_id").all();
  const logSent = check.prepare("SELECT node_id, count(*) AS n FROM messages WHERE status = 'sent' GROUP BY node_id ORDER BY node_id").all();
  assert.deepEqual(statSent, logSent, 'node_sent counters match the message log');
  const entered = (check.prepare("SELECT sum(count) AS n FROM stats WHERE metric = 'entered'").get() as { n: number }).n;
  const enteredInstances = (check.prepare('SELECT count(*) AS n FROM instances WHERE entered_at IS NOT NULL').get() as { n: number }).n;
  assert.equal(entered, enteredInstances, 'entered counter matches the instances');
  check.close();
});
