/**
 * Durability on the embedded store: kill -9 the server at random moments while thousands of users are in
 * flight, restart it on the same SQLite file (or files, split into shards), and check that every user resumed:
 * nothing lost, nothing sent twice, and counters that agree with the message log.
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
  const db = join(tempDir(), 'waymark.db');
  await killAndCheck([db], ['--db', db]);
});

test('kill -9 at random moments on two shards: every user resumes in their shard, no message lost or sent twice', { timeout: 400_000 }, async () => {
  const db = join(tempDir(), 'waymark.db');
  await killAndCheck([db, join(db, '..', 'waymark.shard_1.db')], ['--db', db, '--shards', '2']);
});

/**
 * Runs the scenario on the database of these files (the main one first), then checks them: a table is read in
 * every file at once, `(SELECT * FROM main.t UNION ALL SELECT * FROM shard_1.t ...)`, written out here rather than
 * through the server's own views.
 */
async function killAndCheck(files: string[], database: string[]): Promise<void> {
  const open = () => {
    const db = new Database(files[0]!, { readonly: true });
    files.slice(1).forEach((file, i) => db.prepare(`ATTACH DATABASE ? AS shard_${i + 1}`).run(file));
    return db;
  };
  const all = (table: string) => `(${files.map((_, i) => `SELECT * FROM ${i === 0 ? 'main' : `shard_${i}`}.${table}`).join(' UNION ALL ')})`;
  const live = () => {
    const look = open();
    try {
      return (look.prepare(`SELECT count(*) AS n FROM ${all('instances')} WHERE status <> 'exited'`).get() as { n: number }).n;
    } finally {
      look.close();
    }
  };
  const run = await runKillScenario({ dir: join(files[0]!, '..'), database, users: 3_000, spanMs: 5_000, windowMs: 1_000, delayMs: 3_000, kills: KILLS, liveInstances: async () => live() });
  assert.equal(run.inFlightAtKill.length, KILLS, 'the server was killed and restarted');
  assert.ok(run.inFlightAtKill.some((n) => n > 100), `users were in flight when it died: ${run.inFlightAtKill.join(', ')}`);

  // Wait until every instance has finished its path (no timers left), then stop the server cleanly.
  await sleep(run.lastDue - Date.now());
  const check = open();
  const deadline = Date.now() + 180_000;
  while ((check.prepare(`SELECT count(*) AS n FROM ${all('instances')} WHERE wake_at IS NOT NULL`).get() as { n: number }).n > 0 && Date.now() < deadline) await sleep(200);
  assert.equal(await run.stop(), 0, 'a clean stop on SIGTERM');

  // Nothing lost on the way in.
  assert.equal((check.prepare(`SELECT count(*) AS n FROM ${all('events')}`).get() as { n: number }).n, run.events, 'every event stored once');

  // Nothing sent twice: one message per (user, node), whatever its id.
  const duplicates = check.prepare(`SELECT user_id, node_id, count(*) AS n FROM ${all('messages')} GROUP BY user_id, node_id HAVING n > 1`).all();
  assert.deepEqual(duplicates, [], 'no duplicate sends');

  const sent = new Map<string, number>();
  for (const row of check.prepare(`SELECT user_id, node_id, sent_at FROM ${all('messages')} WHERE status = 'sent'`).all() as Array<{ user_id: string; node_id: string; sent_at: number }>) {
    sent.set(`${row.user_id}/${row.node_id}`, row.sent_at);
  }
  const chargeReceived = new Map<string, number>();
  for (const row of check.prepare(`SELECT user_id, received_at FROM ${all('events')} WHERE name = 'Charged'`).all() as Array<{ user_id: string; received_at: number }>) {
    chargeReceived.set(row.user_id, row.received_at);
  }
  const { missing, unexplained } = verdict(run.expected, sent, chargeReceived, run.t0);
  assert.deepEqual(missing, [], 'no expected message is missing');
  assert.deepEqual(unexplained, [], 'no unexpected message except those the downtime explains');

  // Stats agree with the message log.
  const statSent = check.prepare(`SELECT node_id, sum(count) AS n FROM ${all('stats')} WHERE metric = 'node_sent' GROUP BY node_id ORDER BY node_id`).all();
  const logSent = check.prepare(`SELECT node_id, count(*) AS n FROM ${all('messages')} WHERE status = 'sent' GROUP BY node_id ORDER BY node_id`).all();
  assert.deepEqual(statSent, logSent, 'node_sent counters match the message log');
  const entered = (check.prepare(`SELECT sum(count) AS n FROM ${all('stats')} WHERE metric = 'entered'`).get() as { n: number }).n;
  const enteredInstances = (check.prepare(`SELECT count(*) AS n FROM ${all('instances')} WHERE entered_at IS NOT NULL`).get() as { n: number }).n;
  assert.equal(entered, enteredInstances, 'entered counter matches the instances');
  if (files.length > 1) {
    // Each file holds users: the split happened.
    for (const [i] of files.entries()) assert.ok((check.prepare(`SELECT count(*) AS n FROM ${i === 0 ? 'main' : `shard_${i}`}.messages`).get() as { n: number }).n > 0, `file ${i} has messages`);
    // One counter numbered the messages of every file: no number twice.
    assert.deepEqual(check.prepare(`SELECT seq FROM ${all('messages')} GROUP BY seq HAVING count(*) > 1`).all(), [], 'message numbers unique across the files');
  }
  check.close();
}
