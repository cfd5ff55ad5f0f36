/**
 * Durability on PostgreSQL: the same scenario as kill.test.ts with `serve --database postgres://...` (one
 * process, role all, on a schema of its own): kill -9 at random moments, restart, and check that every user
 * resumed: nothing lost, nothing sent twice, counters that agree with the message log.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tempDir } from '../helpers.ts';
import { PG_URL, testSchema, withPostgres, type TestSchema } from '../store/postgres-fixture.ts';
import { runKillScenario, sleep } from './scenario.ts';
import { readDeliveryLog } from './postgres-log.ts';
import { POSTGRES_INGEST_WAIT_MS, verdict } from './verdict.ts';

const KILLS = 3;

await withPostgres('durability on PostgreSQL', () => {
  test('PostgreSQL: kill -9 at random moments: every user resumes, no message lost or sent twice', { timeout: 400_000 }, async () => {
    const schema = testSchema();
    const count = async (sql: string) => (await schema.query<{ n: number }>(sql))[0]!.n;
    try {
      const run = await runKillScenario({
        dir: tempDir(),
        database: ['--database', schemaUrl(schema)],
        users: 3_000,
        spanMs: 5_000,
        windowMs: 1_000,
        delayMs: 3_000,
        kills: KILLS,
        liveInstances: () => count("SELECT count(*)::int AS n FROM instances WHERE status <> 'exited'"),
      });
      assert.equal(run.inFlightAtKill.length, KILLS, 'the server was killed and restarted');
      assert.ok(run.inFlightAtKill.some((n) => n > 100), `users were in flight when it died: ${run.inFlightAtKill.join(', ')}`);

      // Wait until every instance has finished its path (no timers left), then stop the server cleanly.
      await sleep(run.lastDue - Date.now());
      const deadline = Date.now() + 180_000;
      while ((await count('SELECT count(*)::int AS n FROM instances WHERE wake_at IS NOT NULL')) > 0 && Date.now() < deadline) await sleep(200);
      assert.equal(await run.stop(), 0, 'a clean stop on SIGTERM');

      // Nothing lost on the way in.
      assert.equal(await count('SELECT count(*)::int AS n FROM events'), run.events, 'every event stored once');

      // Nothing sent twice: one message per (user, node), whatever its id.
      const log = await readDeliveryLog(schema);
      assert.deepEqual(log.duplicates, [], 'no duplicate sends');

      const { missing, unexplained } = verdict(run.expected, log.sent, log.chargeReceived, run.t0, POSTGRES_INGEST_WAIT_MS);
      assert.deepEqual(missing, [], 'no expected message is missing');
      assert.deepEqual(unexplained, [], 'no unexpected message except those the downtime explains');

      // Stats agree with the message log.
      assert.deepEqual(log.sentCounters.stats, log.sentCounters.log, 'node_sent counters match the message log');
      const entered = await count("SELECT sum(count)::int AS n FROM stats WHERE metric = 'entered'");
      const enteredInstances = await count('SELECT count(*)::int AS n FROM instances WHERE entered_at IS NOT NULL');
      assert.equal(entered, enteredInstances, 'entered counter matches the instances');
    } finally {
      await schema.drop();
    }
  });
});

/** The test server with this test's schema, as `serve --database` takes it. */
function schemaUrl(schema: TestSchema): string {
  const url = new URL(PG_URL);
  url.searchParams.set('schema', schema.name);
  return url.toString();
}
