/**
 * Fault test: 3 `--role worker` processes and 1 `--role api` process on one PostgreSQL schema, thousands of
 * users in flight on a compressed timeline (the abandoned-cart workload with a 1 s window and 4 s delays),
 * and every few seconds a random worker is killed with SIGKILL and started again. At the end: every event
 * stored once, zero duplicate sends, zero lost users (every expected message sent, every instance ended),
 * and every counter equal to what the message log and the instances say.
 *
 * Size: the issue asks for 50,000 users. On the 2-core machine this was written on (4 Waymark processes,
 * the PostgreSQL server and this test sharing 2 cores) 1,000 carts a second is a rate held with margin
 * (2,000 is not: timers fall behind), so 50,000 users take 50 s of replay and about 70 s in all. The default
 * is 10,000 users over 20 s, so that `npm test` stays short and keeps a margin while other test files run
 * beside it. The full size, by hand:
 *   WAYMARK_FAULT_USERS=50000 WAYMARK_FAULT_SPAN_MS=50000 node --import tsx --test test/cluster/fault.test.ts
 * WAYMARK_FAULT_SPAN_MS sets the replay span (default 2 ms per user: 500 carts a second).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateWorkload } from '../../bench/workload.ts';
import { example, tempDir } from '../helpers.ts';
import { readDeliveryLog } from '../durability/postgres-log.ts';
import { replayInRealTime } from '../durability/scenario.ts';
import { POSTGRES_INGEST_WAIT_MS, verdict } from '../durability/verdict.ts';
import { testSchema, withPostgres } from '../store/postgres-fixture.ts';
import { ADMIN, WRITE, cartJourney, post, schemaUrl, sleep, startServe, type Serve } from './cluster.ts';

const USERS = Number(process.env.WAYMARK_FAULT_USERS || 10_000);
const SPAN_MS = Number(process.env.WAYMARK_FAULT_SPAN_MS || USERS * 2);
const WINDOW_MS = 1_000;
const DELAY_MS = 4_000;
const WORKERS = 3;
/** A kill every 2 to 4 s. */
const KILL_EVERY_MS = [2_000, 4_000] as const;

interface Expected {
  users: Array<{ userId: string; chargedAt: number | null; sends: Record<string, number> }>;
}

const NODE_OF_CHANNEL: Record<string, string> = { push: 'push-free-shipping', sms: 'sms-10-off', email: 'email-final-reminder' };

await withPostgres('fault test on PostgreSQL', () => {
  test(`${WORKERS} workers killed with -9 at random while ${USERS} users are in flight: nothing lost, nothing sent twice, stats agree`, { timeout: 600_000 + SPAN_MS * 4 }, async (t) => {
    const dir = tempDir('waymark-fault-');
    generateWorkload({ users: USERS, spanMs: SPAN_MS, windowMs: WINDOW_MS, delayMs: DELAY_MS, seed: 11 }, join(dir, 'workload'));
    const expected = JSON.parse(readFileSync(join(dir, 'workload', 'expected.json'), 'utf8')) as Expected;
    const events = readFileSync(join(dir, 'workload', 'events.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const profiles = readFileSync(join(dir, 'workload', 'profiles.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

    const schema = testSchema();
    const database = schemaUrl(schema.name);
    const processes: Serve[] = [];
    let finished = false;
    const count = async (sql: string) => (await schema.query<{ n: number }>(sql))[0]!.n;
    try {
      const api = await startServe('api', database);
      processes.push(api);
      const base = api.url;
      await post(base, '/v1/journeys', ADMIN, { id: 'cart', definition: cartJourney(example('abandoned-cart'), WINDOW_MS, DELAY_MS) });
      await post(base, '/v1/journeys/cart/publish', ADMIN, {});
      for (let i = 0; i < profiles.length; i += 1000) {
        await post(base, '/v1/profiles', WRITE, { batch: profiles.slice(i, i + 1000).map(({ userId, ...traits }) => ({ userId, traits })) });
      }
      // Workers started after the publish know the journey from their start (no waiting for a reload).
      const workers = await Promise.all(Array.from({ length: WORKERS }, () => startServe('worker', database)));
      processes.push(...workers);

      const t0 = Date.now() + 300;

      // The killer: until the last message is due, SIGKILL a random worker every few seconds and start a new one.
      const lastDue = t0 + Math.max(...expected.users.flatMap((u) => Object.values(u.sends)));
      const inFlightAtKill: number[] = [];
      const killedAt: number[] = [];
      const killer = (async () => {
        for (;;) {
          await sleep(KILL_EVERY_MS[0] + Math.random() * (KILL_EVERY_MS[1] - KILL_EVERY_MS[0]));
          // At least two kills however slow the restarts are; more while messages are still to come.
          if (finished || (Date.now() > lastDue - 1_000 && killedAt.length >= 2)) return;
          const k = Math.floor(Math.random() * workers.length);
          const victim = workers[k]!;
          killedAt.push(Date.now() - t0);
          victim.child.kill('SIGKILL');
          await victim.exited;
          inFlightAtKill.push(await count("SELECT count(*)::int AS n FROM instances WHERE status <> 'exited'"));
          const replacement = await startServe('worker', database);
          processes.push(replacement);
          workers[k] = replacement;
        }
      })();
      killer.catch(() => {}); // awaited below; a failed restart must not go unhandled meanwhile

      await Promise.all([replayInRealTime(base, WRITE, events, t0, 1000), killer]);
      t.diagnostic(`${USERS} users over ${SPAN_MS} ms; ${inFlightAtKill.length} workers killed and restarted, at ${killedAt.map((ms) => `+${ms}`).join(', ')} ms, with ${inFlightAtKill.join(', ')} instances live at each kill`);
      assert.ok(inFlightAtKill.length >= 2, `workers were killed and restarted (${inFlightAtKill.length} times)`);
      assert.ok(inFlightAtKill.some((n) => n > 100), `users were in flight when workers died: ${inFlightAtKill.join(', ')}`);

      // Every instance finishes its path (no timer left), then everything stops cleanly.
      await sleep(lastDue - Date.now());
      const deadline = Date.now() + 180_000;
      while ((await count('SELECT count(*)::int AS n FROM instances WHERE wake_at IS NOT NULL')) > 0 && Date.now() < deadline) await sleep(200);
      const codes = await Promise.all([api, ...workers].map((p) => p.stop()));
      for (const [i, p] of [api, ...workers].entries()) assert.equal(codes[i], 0, `${p.role} stopped cleanly on SIGTERM: ${p.output().stderr}`);

      // How late the sends were (due = the cart's timestamp + window, + delay, + 2 delays), and when the worst were.
      const lateness = `SELECT m.node_id, m.sent_at - e.ts - CASE m.node_id WHEN 'push-free-shipping' THEN ${WINDOW_MS} WHEN 'sms-10-off' THEN ${WINDOW_MS + DELAY_MS} ELSE ${WINDOW_MS + 2 * DELAY_MS} END AS late, m.sent_at - ${t0} AS at
                        FROM messages m JOIN instances i ON i.id = m.instance_id JOIN events e ON e.message_id = i.state -> 'entryEvent' ->> 'messageId'`;
      for (const row of await schema.query<{ node_id: string; p50: number; p99: number; max: number }>(
        `SELECT node_id, percentile_disc(0.5) WITHIN GROUP (ORDER BY late)::int AS p50, percentile_disc(0.99) WITHIN GROUP (ORDER BY late)::int AS p99, max(late)::int AS max FROM (${lateness}) l GROUP BY node_id ORDER BY node_id`,
      )) {
        t.diagnostic(`lateness of ${row.node_id}: p50 ${row.p50} ms, p99 ${row.p99} ms, max ${row.max} ms`);
      }
      const slow = await schema.query<{ second: number; late: number }>(`SELECT (at / 1000)::int AS second, max(late)::int AS late FROM (${lateness}) l GROUP BY 1 HAVING max(late) > 500 ORDER BY 1`);
      if (slow.length > 0) t.diagnostic(`seconds (after t0) with a send over 500 ms late: ${slow.map((r) => `+${r.second} s (${r.late} ms)`).join(', ')}`);

      // Nothing lost on the way in.
      assert.equal(await count('SELECT count(*)::int AS n FROM events'), events.length, 'every event stored once');

      // Nothing sent twice: one message per (user, node), whatever its id.
      const log = await readDeliveryLog(schema);
      assert.deepEqual(log.duplicates, [], 'no duplicate sends');
      const { sent, chargeReceived } = log;

      const { missing, unexplained } = verdict(expected.users, sent, chargeReceived, t0, POSTGRES_INGEST_WAIT_MS);
      assert.deepEqual(missing.slice(0, 20), [], `no expected message is missing (${missing.length} are)`);
      assert.deepEqual(unexplained.slice(0, 20), [], `no unexpected message except those a late conversion explains (${unexplained.length})`);

      // No user lost: each has one instance, and every instance has ended.
      assert.equal(await count('SELECT count(DISTINCT user_id)::int AS n FROM instances'), USERS, 'every user has an instance');
      assert.equal(await count('SELECT count(*)::int AS n FROM instances'), USERS, 'one instance per user');
      assert.equal(await count("SELECT count(*)::int AS n FROM instances WHERE status <> 'exited'"), 0, 'every instance has ended');

      // Every counter agrees with the message log and the instances.
      assert.deepEqual(log.sentCounters.stats, log.sentCounters.log, 'node_sent counters match the message log');
      const metric = (name: string, node = '') => count(`SELECT coalesce(sum(count), 0)::int AS n FROM stats WHERE metric = '${name}' AND node_id = '${node}'`);
      const exits = (reason: string) => count(`SELECT count(*)::int AS n FROM instances WHERE state -> 'exit' ->> 'reason' = '${reason}'`);
      assert.equal(await metric('entered'), await count('SELECT count(*)::int AS n FROM instances WHERE entered_at IS NOT NULL'), 'entered = instances entered');
      assert.equal(await metric('not_qualified'), await exits('not_qualified'), 'not_qualified = instances that did not qualify');
      assert.equal(await metric('goal'), await count("SELECT count(*)::int AS n FROM instances WHERE state ->> 'convertedAt' IS NOT NULL"), 'goal = instances converted');
      assert.equal(await metric('completed'), await exits('completed'), 'completed = instances that reached the exit');
      for (const node of Object.values(NODE_OF_CHANNEL)) {
        const visits = await count(`SELECT count(*)::int AS n FROM messages WHERE node_id = '${node}'`);
        assert.equal(await metric('node_entered', node), visits, `node_entered of ${node} = its messages`);
      }
    } catch (error) {
      for (const p of processes) if (p.output().stderr) t.diagnostic(`${p.role} ${p.child.pid} stderr: ${p.output().stderr.slice(0, 2000)}`);
      throw error;
    } finally {
      finished = true;
      for (const p of processes) p.child.kill('SIGKILL');
      if (process.env.WAYMARK_FAULT_KEEP_SCHEMA === '1') process.stderr.write(`fault test: kept schema ${schema.name}\n`);
      else await schema.drop();
    }
  });
});
