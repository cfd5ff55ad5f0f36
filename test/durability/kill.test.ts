/**
 * Durability: kill -9 the server at random moments while thousands of users are in flight, restart it on the
 * same database, and check that every user resumed: nothing lost, nothing sent twice.
 */
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateWorkload } from '../../bench/workload.ts';
import { ROOT, tempDir } from '../helpers.ts';
import { verdict } from './verdict.ts';

const ADMIN = 'wm_admin_durability_test';
const WRITE = 'wm_write_durability_test';
const USERS = 3_000;
const SPAN_MS = 5_000;
const WINDOW_MS = 1_000;
const DELAY_MS = 3_000;
const KILLS = 3;

interface Expected {
  users: Array<{ userId: string; chargedAt: number | null; sends: Record<string, number> }>;
}


test('kill -9 at random moments: every user resumes, no message lost or sent twice', { timeout: 120_000 }, async () => {
  const dir = tempDir();
  const db = join(dir, 'waymark.db');
  generateWorkload({ users: USERS, spanMs: SPAN_MS, windowMs: WINDOW_MS, delayMs: DELAY_MS, seed: 7 }, join(dir, 'workload'));
  const expected = JSON.parse(readFileSync(join(dir, 'workload', 'expected.json'), 'utf8')) as Expected;
  const events = readFileSync(join(dir, 'workload', 'events.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const profiles = readFileSync(join(dir, 'workload', 'profiles.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let server = start(db, port);
  await healthy(base);
  const definition = JSON.parse(readFileSync(join(ROOT, 'examples/abandoned-cart.json'), 'utf8'));
  definition.nodes[0].trigger.within = `${WINDOW_MS}ms`;
  for (const node of definition.nodes) if (node.kind === 'delay') node.duration = `${DELAY_MS}ms`;
  await call(base, '/v1/journeys', ADMIN, { id: 'cart', definition });
  await call(base, '/v1/journeys/cart/publish', ADMIN, {});
  for (let i = 0; i < profiles.length; i += 1000) {
    await call(base, '/v1/profiles', WRITE, { batch: profiles.slice(i, i + 1000).map(({ userId, ...traits }) => ({ userId, traits })) });
  }

  // The client: one batch in flight at a time, retried until the server takes it, like an SDK's queue.
  const t0 = Date.now() + 300;
  const queue: unknown[] = [];
  let replayDone = false;
  const sender = (async () => {
    while (!replayDone || queue.length > 0) {
      if (queue.length === 0) {
        await sleep(5);
        continue;
      }
      const batch = queue.slice(0, 500);
      for (;;) {
        try {
          await call(base, '/v1/events', WRITE, { batch });
          break;
        } catch {
          await sleep(50); // the server is down: retry the same batch (same messageIds, so no duplicates)
        }
      }
      queue.splice(0, batch.length);
    }
  })();

  const kills = Array.from({ length: KILLS }, () => 500 + Math.random() * (SPAN_MS + WINDOW_MS + DELAY_MS)).sort((a, b) => a - b);
  const inFlightAtKill: number[] = [];
  const killer = (async () => {
    for (const at of kills) {
      await sleep(t0 + at - Date.now());
      server.kill('SIGKILL');
      await new Promise((resolve) => server.once('exit', resolve));
      const look = new Database(db, { readonly: true });
      inFlightAtKill.push((look.prepare("SELECT count(*) AS n FROM instances WHERE status <> 'exited'").get() as { n: number }).n);
      look.close();
      server = start(db, port);
      await healthy(base);
    }
  })();

  let next = 0;
  while (next < events.length) {
    const elapsed = Date.now() - t0;
    while (next < events.length && events[next].at <= elapsed) {
      const e = events[next];
      queue.push({ messageId: `e${next}`, userId: e.userId, event: e.event, properties: e.properties, timestamp: t0 + e.at });
      next++;
    }
    await sleep(5);
  }
  replayDone = true;
  await Promise.all([sender, killer]);
  assert.equal(inFlightAtKill.length, KILLS, 'the server was killed and restarted');
  assert.ok(inFlightAtKill.some((n) => n > 100), `users were in flight when it died: ${inFlightAtKill.join(', ')}`);

  // Wait until every instance has finished its path (no timers left), then stop the server cleanly.
  const lastDue = t0 + Math.max(...expected.users.flatMap((u) => Object.values(u.sends)));
  await sleep(Math.max(0, lastDue - Date.now()));
  const check = new Database(db, { readonly: true });
  const deadline = Date.now() + 30_000;
  while ((check.prepare('SELECT count(*) AS n FROM instances WHERE wake_at IS NOT NULL').get() as { n: number }).n > 0 && Date.now() < deadline) await sleep(200);
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));

  // Nothing lost on the way in.
  assert.equal((check.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n, events.length, 'every event stored once');

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
  const { missing, unexplained } = verdict(expected.users, sent, chargeReceived, t0);
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

function start(db: string, port: number): ChildProcess {
  return spawn(process.execPath, [join(ROOT, 'bin/waymark.mjs'), 'serve', '--db', db, '--port', String(port)], {
    env: { ...process.env, WAYMARK_ADMIN_KEY: ADMIN, WAYMARK_WRITE_KEY: WRITE },
    stdio: 'ignore',
  });
}

async function healthy(base: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {
      // not up yet
    }
    await sleep(25);
  }
  throw new Error('server did not come up');
}

async function call(base: string, path: string, key: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
