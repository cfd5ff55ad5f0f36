/**
 * Identity merges on PostgreSQL under concurrency: two stores on one schema (two processes), one merging
 * while the other ingests the ids merged (src/store/postgres/identities.ts has the rules).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Instance, JourneyEvent } from '../../src/core/instance.ts';
import { userLockKey } from '../../src/store/postgres/postgres-store.ts';
import type { Changes, EventBatchView } from '../../src/store/store.ts';
import { testSchema, withPostgres } from './postgres-fixture.ts';

const NONE: Changes = { instances: [], messages: [], stats: [] };
const event = (messageId: string, userId: string): JourneyEvent => ({ messageId, userId, name: 'Added to Cart', timestamp: 1_000, properties: {} });

function cartPass(e: JourneyEvent): Instance {
  return {
    id: `cart:${e.messageId}`, journeyId: 'cart', version: 1, userId: e.userId, status: 'active', nodeId: 'wait', wakeAt: 5_000, createdAt: e.timestamp, enteredAt: e.timestamp, step: 1,
    entryEvent: { messageId: e.messageId, name: e.name, timestamp: e.timestamp, properties: {} }, nodeUntil: 5_000, timeoutAt: null, convertedAt: null, exit: null,
  };
}

/** Starts a cart pass for each event whose user has none live: the journey's one-live-pass rule. */
function startPasses(view: EventBatchView): Changes {
  const instances: Instance[] = [];
  for (const e of view.events) {
    const live = view.live.get(e.userId) ?? [];
    if (live.some((i) => i.journeyId === 'cart') || instances.some((i) => i.userId === e.userId)) continue;
    instances.push(cartPass(e));
  }
  return { ...NONE, instances };
}

await withPostgres('PostgreSQL identity merges under concurrency', () => {
  test('an ingest waiting for an id whose merge commits meanwhile is run again as the user’s', async () => {
    const schema = testSchema();
    const store = await schema.open();
    const holder = await schema.connect();
    try {
      // A merge of anon into ana in another process, holding anon's lock, its map row not yet committed.
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1::bigint)', [String(userLockKey(schema.name, 'anon'))]);
      await holder.query('INSERT INTO identities (alias_id, user_id, merged_at) VALUES ($1, $2, $3)', ['anon', 'ana', 1]);
      const users: string[][] = [];
      const ingest = store.ingestEvents([event('e1', 'anon')], 2_000, (view) => (users.push(view.events.map((e) => e.userId)), NONE));
      // Proof from the server that the ingest waits for the merge's lock, however slow the machine.
      const pid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      for (const deadline = Date.now() + 30_000; ; await sleep(10)) {
        const waiting = await schema.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))', [pid]);
        if (waiting[0]!.n > 0) break;
        if (Date.now() > deadline) throw new Error('the ingest never waited for the merge');
      }
      await holder.query('COMMIT');
      assert.deepEqual(await ingest, { accepted: 1, duplicates: 0 });
      assert.deepEqual(users, [['ana']], 'decided once, as ana’s: the first try, as anon’s, was rolled back before deciding');
      assert.deepEqual(await schema.query('SELECT message_id, user_id FROM events'), [{ message_id: 'e1', user_id: 'ana' }]);
    } finally {
      holder.release();
      await store.close();
      await schema.drop();
    }
  });

  test('merges racing with ingest of the ids merged, from another store: every event and pass ends under its user, one live pass each', async () => {
    const schema = testSchema();
    const [a, b] = [await schema.open(), await schema.open()];
    try {
      const people = 30;
      const ingests = async () => {
        for (let round = 0; round < 6; round++) {
          await a.ingestEvents(Array.from({ length: people }, (_, k) => event(`r${round}-a${k}`, `a${k}`)), 2_000 + round, startPasses);
          await a.ingestEvents(Array.from({ length: people }, (_, k) => event(`r${round}-u${k}`, `u${k}`)), 2_000 + round, startPasses);
        }
      };
      const merges = async () => {
        for (let k = 0; k < people; k++) {
          const result = await b.mergeIdentity({ from: `a${k}`, into: `u${k}` }, 3_000);
          assert.equal(result.outcome, 'merged');
        }
      };
      await Promise.all([ingests(), merges()]);
      const byUser = await schema.query<{ user_id: string; n: number }>('SELECT user_id, count(*)::int AS n FROM events GROUP BY user_id ORDER BY user_id');
      assert.deepEqual(byUser.map((r) => [r.user_id, r.n]), Array.from({ length: people }, (_, k) => [`u${k}`, 12]).sort((x, y) => (x[0]! < y[0]! ? -1 : 1)));
      const live = await schema.query<{ user_id: string; n: number }>("SELECT user_id, count(*)::int AS n FROM instances WHERE status <> 'exited' GROUP BY user_id");
      assert.equal(live.length, people);
      assert.deepEqual([...new Set(live.map((r) => r.n))], [1]);
      assert.equal(Number((await schema.query<{ n: number }>("SELECT count(*)::int AS n FROM instances WHERE user_id LIKE 'a%'"))[0]!.n), 0);
    } finally {
      await a.close();
      await b.close();
      await schema.drop();
    }
  });
});
