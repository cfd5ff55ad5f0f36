/**
 * The PostgreSQL store shared by several engine processes: two PostgresStore instances (two pools, as two
 * processes would have) on one schema, racing on timers, ingestion and the outbox.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { Channel } from '../../src/core/definition.ts';
import type { Instance, JourneyEvent } from '../../src/core/instance.ts';
import { Catalog } from '../../src/engine/catalog.ts';
import { decideEvents, decideTimers } from '../../src/engine/decide.ts';
import { userLockKey, type PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import type { Changes, NewMessage } from '../../src/store/store.ts';
import { T0, example } from '../helpers.ts';
import { testSchema, withPostgres, type TestSchema } from './postgres-fixture.ts';

const NONE: Changes = { instances: [], messages: [], stats: [] };

const event = (messageId: string, userId = 'u1', name = 'Added to Cart', timestamp = 1_000): JourneyEvent => ({ messageId, userId, name, timestamp, properties: {} });

function sleeper(id: string, userId: string, wakeAt: number): Instance {
  return {
    id,
    journeyId: 'cart',
    version: 1,
    userId,
    status: 'active',
    nodeId: 'wait',
    wakeAt,
    createdAt: 1,
    enteredAt: 1,
    step: 1,
    entryEvent: { messageId: `e-${id}`, name: 'Added to Cart', timestamp: 1, properties: {} },
    nodeUntil: wakeAt,
    timeoutAt: null,
    convertedAt: null,
    exit: null,
  };
}

function message(id: string, overrides: Partial<NewMessage> = {}): NewMessage {
  return { id, journeyId: 'cart', version: 1, instanceId: `i-${id}`, nodeId: 'push', userId: 'u1', channel: 'push', status: 'pending', reason: null, content: { body: 'hi' }, createdAt: 1, sentAt: null, ...overrides };
}

/**
 * Resolves once some other connection waits for a lock `holder` holds: proof, from the server, that the
 * operation under test is blocked, however slow the machine. Fails after a generous limit.
 */
async function blockedBy(schema: TestSchema, holder: pg.PoolClient): Promise<void> {
  const pid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const rows = await schema.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))', [pid]);
    if (rows[0]!.n > 0) return;
    if (Date.now() > deadline) throw new Error(`nothing waited for the lock of backend ${pid} within 30 s`);
    await sleep(10);
  }
}

/** Two "processes" on one fresh schema. */
async function twoStores(options: Parameters<TestSchema['open']>[0] = {}): Promise<{ schema: TestSchema; a: PostgresStore; b: PostgresStore; done(): Promise<void> }> {
  const schema = testSchema();
  const a = await schema.open(options);
  const b = await schema.open(options);
  return {
    schema,
    a,
    b,
    async done() {
      await a.close();
      await b.close();
      await schema.drop();
    },
  };
}

/** Deterministic pseudo-random numbers in [0, 1). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const count = async (schema: TestSchema, sql: string, values: unknown[] = []): Promise<number> => Number((await schema.query<{ n: number }>(sql, values))[0]!.n);

await withPostgres('PostgreSQL store under concurrency', () => {
  test('two stores revoking the only two admin keys at once: one is revoked, the other refused as the last', async () => {
    const { a, b, done } = await twoStores();
    try {
      for (let round = 0; round < 20; round++) {
        // Each round from no keys at all: the one left by the last round becomes a write key and goes.
        for (const k of await a.listApiKeys()) {
          await a.replaceApiKey(k.hash, { kind: 'write', hash: `old-${k.hash}`, createdAt: 0 });
          assert.equal(await a.removeApiKey(`old-${k.hash}`), 'removed');
        }
        await a.addApiKey({ kind: 'admin', hash: `x${round}`, createdAt: round });
        await a.addApiKey({ kind: 'admin', hash: `y${round}`, createdAt: round });
        const outcomes = await Promise.all([a.removeApiKey(`x${round}`), b.removeApiKey(`y${round}`)]);
        assert.deepEqual(outcomes.sort(), ['last_admin', 'removed'], `round ${round}`);
        assert.equal((await b.listApiKeys()).length, 1);
      }
    } finally {
      await done();
    }
  });

  test('two stores claiming due timers at once advance every instance exactly once', async () => {
    const { schema, a, b, done } = await twoStores();
    try {
      const n = 2_000;
      const sleepers = Array.from({ length: n }, (_, k) => sleeper(`i${k}`, `u${k}`, 1_000 + (k % 97)));
      await a.ingestEvents([event('seed')], 1, () => ({ ...NONE, instances: sleepers }));
      const claims = new Map<string, number>();
      const fired = { a: 0, b: 0 };
      const worker = async (store: PostgresStore, name: 'a' | 'b') => {
        for (;;) {
          const got = await store.fireDueTimers(10_000, 13, (view) => {
            for (const i of view.instances) claims.set(i.id, (claims.get(i.id) ?? 0) + 1);
            return {
              instances: view.instances.map((i) => ({ ...i, step: i.step + 1, status: 'exited' as const, wakeAt: null, nodeUntil: null, exit: { reason: 'completed' as const, at: 10_000, nodeId: i.nodeId } })),
              messages: view.instances.map((i) => message(`${i.id}:done`, { instanceId: i.id, userId: i.userId })),
              stats: [{ journeyId: 'cart', version: 1, nodeId: '', metric: 'completed' as const, count: view.instances.length }],
            };
          });
          fired[name] += got;
          if (got === 0 && (await store.nextWakeAt()) === null) return;
        }
      };
      await Promise.all([worker(a, 'a'), worker(a, 'a'), worker(b, 'b'), worker(b, 'b')]);

      assert.equal(claims.size, n, 'every instance was claimed');
      assert.deepEqual([...new Set(claims.values())], [1], 'no instance was claimed twice');
      assert.equal(fired.a + fired.b, n);
      assert.ok(fired.a > 0 && fired.b > 0, `both stores fired timers (a ${fired.a}, b ${fired.b})`);
      assert.equal(await count(schema, "SELECT count(*) AS n FROM instances WHERE (state->>'step')::int = 2 AND status = 'exited' AND wake_at IS NULL"), n);
      assert.equal(await count(schema, 'SELECT count(*) AS n FROM messages'), n);
      assert.deepEqual(await a.journeyStats('cart'), [{ version: 1, nodeId: '', metric: 'completed', count: n }]);
    } finally {
      await done();
    }
  });

  test('concurrent ingest and timers for the same users from two stores (abandoned cart) keep one live instance and count every step once', async () => {
    const { schema, a, b, done } = await twoStores();
    try {
      const definition = example('abandoned-cart');
      await a.createJourney({ id: 'cart', name: definition.name, draft: definition, layout: {} }, T0);
      await a.publishJourney('cart', T0);
      const users = Array.from({ length: 12 }, (_, k) => `user-${k}`);
      await a.upsertProfiles(users.map((u) => ({ userId: u, traits: { Name: u, pushToken: `tok-${u}`, phone: '+15550000', email: `${u}@x.test` } })), T0);
      const inStore = new Set<Channel>();
      let clock = T0;
      let messageSeq = 0;
      let sent = 0;
      let ingesting = 4;
      const ingester = async (store: PostgresStore, seed: number) => {
        const catalog = await Catalog.load(store);
        const random = lcg(seed);
        try {
          for (let round = 0; round < 60; round++) {
            clock += 15_000;
            const now = clock;
            const batch = users
              .filter(() => random() < 0.6)
              .map((userId) => event(`m${++messageSeq}`, userId, random() < 0.85 ? 'Added to Cart' : 'Charged', now));
            sent += batch.length;
            await store.ingestEvents(batch, now, (view) => decideEvents(catalog, view, { now: now, inStore, time: 'arrival' }).toChanges(), catalog.lookback());
          }
        } finally {
          ingesting--;
        }
      };
      const timers = async (store: PostgresStore) => {
        const catalog = await Catalog.load(store);
        while (ingesting > 0 || (await store.nextWakeAt()) !== null) {
          const now = clock;
          const fired = await store.fireDueTimers(now, 3, (view) => decideTimers(catalog, view, { now: now, inStore, time: 'arrival' }).toChanges());
          if (fired === 0) {
            if (ingesting === 0) clock += 3_600_000; // let the tail of the journeys run out
            await sleep(1);
          }
        }
      };
      const work = [ingester(a, 1), ingester(b, 2), ingester(a, 3), ingester(b, 4)];
      await Promise.all([...work, timers(a), timers(b)]);

      assert.equal(await count(schema, 'SELECT count(*) AS n FROM events'), sent, 'every event was accepted once');
      assert.equal(await count(schema, "SELECT count(*) AS n FROM (SELECT 1 FROM instances WHERE status <> 'exited' GROUP BY journey_id, user_id HAVING count(*) > 1) d"), 0);
      const stats = new Map((await a.journeyStats('cart')).filter((s) => s.nodeId === '').map((s) => [s.metric, s.count]));
      const entered = await count(schema, 'SELECT count(*) AS n FROM instances WHERE entered_at IS NOT NULL');
      assert.ok(entered > 20, `enough journeys ran to mean something (${entered})`);
      assert.equal(stats.get('qualified'), entered, 'each pending instance qualified once');
      assert.equal(stats.get('entered'), entered);
      assert.equal(stats.get('not_qualified') ?? 0, await count(schema, "SELECT count(*) AS n FROM instances WHERE state->'exit'->>'reason' = 'not_qualified'"));
      assert.equal(stats.get('goal') ?? 0, await count(schema, "SELECT count(*) AS n FROM instances WHERE state->'exit'->>'reason' = 'goal'"));
      assert.equal(stats.get('completed') ?? 0, await count(schema, "SELECT count(*) AS n FROM instances WHERE state->'exit'->>'reason' = 'completed'"));
      // A user whose conversion came after the window closed but before the window's timer fired enters and
      // converts at once, at the entry node, with no message; every other entered user gets the push.
      const convertedOnEntry = await count(schema, "SELECT count(*) AS n FROM instances WHERE state->'exit'->>'reason' = 'goal' AND state->'exit'->>'nodeId' = 'cart-abandoned'");
      assert.equal(await count(schema, "SELECT count(*) AS n FROM messages WHERE node_id = 'push-free-shipping'"), entered - convertedOnEntry, 'one push per entered instance that did not convert on entry');
      assert.equal(await count(schema, "SELECT count(*) AS n FROM instances WHERE status <> 'exited'"), 0, 'every journey ran out');
    } finally {
      await done();
    }
  });

  test('two stores ingesting overlapping batches in opposite orders accept each event once, without deadlock', async () => {
    const { a, b, done } = await twoStores();
    try {
      const events = Array.from({ length: 2_000 }, (_, k) => event(`e${k}`, `u${k % 150}`));
      const decided = new Map<string, number>();
      const decide = (view: { events: JourneyEvent[] }) => {
        for (const e of view.events) decided.set(e.messageId, (decided.get(e.messageId) ?? 0) + 1);
        return NONE;
      };
      const run = async (store: PostgresStore, reverse: boolean) => {
        let accepted = 0;
        for (let i = 0; i < events.length; i += 250) {
          const chunk = events.slice(i, i + 250);
          accepted += (await store.ingestEvents(reverse ? chunk.reverse() : chunk, 5, decide)).accepted;
        }
        return accepted;
      };
      // All four work on the same chunk at about the same time, two of them in the opposite order.
      const accepted = await Promise.all([run(a, false), run(b, true), run(a, true), run(b, false)]);
      assert.equal(accepted.reduce((x, y) => x + y, 0), events.length);
      assert.equal(decided.size, events.length);
      assert.deepEqual([...new Set(decided.values())], [1], 'decide saw each event once');
    } finally {
      await done();
    }
  });

  test('a leased message goes to no other dispatcher until its lease runs out; then another picks it up', async () => {
    // A lease no slow machine outlives by accident; its running out is played by moving it back a lease.
    const LEASE = 60_000;
    const { schema, a, b, done } = await twoStores({ leaseMs: LEASE });
    try {
      await a.ingestEvents([event('e1')], 1, () => ({ ...NONE, messages: [message('m1'), message('m2'), message('m3')] }));
      assert.deepEqual((await a.pendingMessages(2)).map((m) => m.id), ['m1', 'm2']);
      assert.deepEqual((await b.pendingMessages(10)).map((m) => m.id), ['m3'], 'the leased messages are not handed out again');
      assert.deepEqual(await a.pendingMessages(10), []);
      await b.recordOutcomes([{ id: 'm3', status: 'sent', at: 5 }]);
      await a.recordOutcomes([{ id: 'm1', status: 'sent', at: 10 }]); // then store a "dies" holding m2
      assert.deepEqual(await b.pendingMessages(10), []);
      await schema.query('UPDATE messages SET lease_until = lease_until - $1 WHERE id = $2', [LEASE, 'm2']);
      const retaken = await b.pendingMessages(10);
      assert.deepEqual(retaken.map((m) => m.id), ['m2'], 'an expired lease makes the message claimable again');
      assert.equal(retaken[0]!.status, 'pending');
      await b.recordOutcomes([{ id: 'm2', status: 'failed', at: 20, error: 'provider timeout' }]);
      await a.recordOutcomes([{ id: 'm2', status: 'sent', at: 30 }]); // the late outcome of the first claim is ignored
      const log = await a.listMessages({ limit: 10 });
      assert.deepEqual(log.map((m) => [m.id, m.status, m.reason, m.sentAt, m.attempts]), [
        ['m1', 'sent', null, 10, 1],
        ['m2', 'failed', 'provider timeout', 20, 1],
        ['m3', 'sent', null, 5, 1],
      ]);
      assert.deepEqual((await a.journeyStats('cart')).map((s) => [s.metric, s.count]), [['node_failed', 1], ['node_sent', 2]]);
      assert.deepEqual(await a.pendingMessages(10), []);
    } finally {
      await done();
    }
  });

  test('concurrent dispatchers never hold one message at the same time', async () => {
    const { a, b, done } = await twoStores();
    try {
      const n = 600;
      await a.ingestEvents([event('e1')], 1, () => ({ ...NONE, messages: Array.from({ length: n }, (_, k) => message(`m${k}`, { nodeId: `n${k % 3}` })) }));
      const claimed = new Map<string, number>();
      const dispatcher = async (store: PostgresStore) => {
        for (;;) {
          const batch = await store.pendingMessages(17);
          if (batch.length === 0) return;
          for (const m of batch) claimed.set(m.id, (claimed.get(m.id) ?? 0) + 1);
          await sleep(1);
          await store.recordOutcomes(batch.map((m) => ({ id: m.id, status: 'sent' as const, at: 2 })));
        }
      };
      await Promise.all([dispatcher(a), dispatcher(a), dispatcher(b), dispatcher(b)]);
      assert.equal(claimed.size, n);
      assert.deepEqual([...new Set(claimed.values())], [1]);
      const sentCounts = (await a.journeyStats('cart')).filter((s) => s.metric === 'node_sent').reduce((sum, s) => sum + s.count, 0);
      assert.equal(sentCounts, n);
    } finally {
      await done();
    }
  });

  test('a due timer whose user is being ingested elsewhere is left for the next claim; ingest waits for the user', async () => {
    const { schema, a, b, done } = await twoStores();
    const holder = await schema.connect();
    try {
      await a.ingestEvents([event('e0', 'ana')], 1, () => ({ ...NONE, instances: [sleeper('i1', 'ana', 100), sleeper('i2', 'bo', 100)] }));
      // Another process's ingest of ana between taking her lock and locking her rows, held open.
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1::bigint)', [String(userLockKey(schema.name, 'ana'))]);
      const seen: string[] = [];
      const advance = (view: { instances: Instance[] }): Changes => {
        seen.push(...view.instances.map((i) => i.id));
        return { ...NONE, instances: view.instances.map((i) => ({ ...i, step: i.step + 1, wakeAt: null, status: 'exited' as const })) };
      };
      assert.equal(await b.fireDueTimers(1_000, 10, advance), 1);
      assert.deepEqual(seen, ['i2'], 'ana is skipped, bo advances');
      let ingested = false;
      const ingest = a.ingestEvents([event('e1', 'ana', 'Charged')], 500, (view) => {
        assert.deepEqual(view.live.get('ana')?.map((i) => i.id), ['i1']);
        return NONE;
      });
      void ingest.then(() => (ingested = true));
      await blockedBy(schema, holder);
      assert.equal(ingested, false, 'the ingest of ana waits for her lock');
      await holder.query('COMMIT');
      assert.deepEqual(await ingest, { accepted: 1, duplicates: 0 });
      assert.equal(await b.fireDueTimers(1_000, 10, advance), 1);
      assert.deepEqual(seen, ['i2', 'i1'], 'ana is claimed once nobody is ingesting her events');
    } finally {
      holder.release();
      await done();
    }
  });

  test('two stores racing to claim one run: exactly one wins, and exactly one takes it over once its lease ran out', async () => {
    const { a, b, done } = await twoStores();
    try {
      for (let run = 0; run < 20; run++) {
        const claims = await Promise.all([a, b, a, b, a, b].map((store) => store.claimRun('j', run, 1_000, 500)));
        assert.equal(claims.filter((c) => c !== null).length, 1, `run ${run}: one claim wins`);
        await (run % 2 ? a : b).saveRunCursor('j', run, `user-${run}`, 1_100, 500);
        const takeOvers = await Promise.all([a, b, a, b, a, b].map((store) => store.claimRun('j', run, 1_600, 500)));
        assert.deepEqual(takeOvers.filter((c) => c !== null), [{ cursor: `user-${run}` }], `run ${run}: one take-over wins, from the cursor`);
        await a.finishRun('j', run, 1_700);
        assert.deepEqual(await Promise.all([a.claimRun('j', run, 9_000, 500), b.claimRun('j', run, 9_000, 500)]), [null, null]);
      }
    } finally {
      await done();
    }
  });

  test('moveInstances waits for a unit of work holding an instance, then moves the state it wrote (or leaves it, if it left the nodes)', async () => {
    const { schema, a, b, done } = await twoStores();
    const holder = await schema.connect();
    try {
      await a.ingestEvents([event('e0', 'ana')], 1, () => ({ ...NONE, instances: [sleeper('i1', 'ana', 100), sleeper('i2', 'bo', 100)] }));
      const hold = async (id: string, patch: Record<string, unknown>) => {
        // What a unit of work does: lock the instance as it reads it, then write it from what it read.
        await holder.query('BEGIN');
        await holder.query('SELECT state FROM instances WHERE id = $1 FOR UPDATE', [id]);
        return async () => {
          await holder.query('UPDATE instances SET state = (state::jsonb || $2::jsonb)::json WHERE id = $1', [id, JSON.stringify(patch)]);
          await holder.query('COMMIT');
        };
      };
      // ana's unit moves her on to another node that moves too.
      let commit = await hold('i1', { step: 2, nodeId: 'wait-2', version: 1 });
      let finished = false;
      let move = b.moveInstances('cart', 2, ['wait', 'wait-2'], 10).finally(() => (finished = true));
      await blockedBy(schema, holder);
      assert.equal(finished, false, 'the move waits for the unit holding ana');
      await commit();
      assert.equal(await move, 2);
      const ana = (await a.userInstances('ana'))[0]!;
      assert.deepEqual([ana.version, ana.step, ana.nodeId], [2, 2, 'wait-2'], 'moved as the unit left it');
      assert.equal((await schema.query<{ version: number }>("SELECT version FROM instances WHERE id = 'i1'"))[0]!.version, 2);

      // bo's unit moves him on to a node that stays: the move checks again and leaves him.
      commit = await hold('i2', { step: 2, nodeId: 'push', version: 2 });
      finished = false;
      move = b.moveInstances('cart', 3, ['wait', 'wait-2'], 20).finally(() => (finished = true));
      await blockedBy(schema, holder);
      assert.equal(finished, false);
      await commit();
      assert.equal(await move, 1, 'only ana moved');
      const bo = (await a.userInstances('bo'))[0]!;
      assert.deepEqual([bo.version, bo.step, bo.nodeId], [2, 2, 'push']);

      // A unit of work reading during a move reads the moved state (and the timer claim skips it meanwhile).
      await holder.query('BEGIN');
      await holder.query("UPDATE instances SET version = 4, state = jsonb_set(state::jsonb, '{version}', '4')::json WHERE id = 'i1'"); // a move in progress
      let seen: number[] = [];
      const ingest = a.ingestEvents([event('e1', 'ana', 'Charged')], 30, (view) => {
        seen = (view.live.get('ana') ?? []).map((i) => i.version);
        return NONE;
      });
      assert.equal(await b.fireDueTimers(1_000, 10, () => NONE), 1, 'bo fires; ana, being moved, is skipped');
      await blockedBy(schema, holder);
      await holder.query('COMMIT');
      await ingest;
      assert.deepEqual(seen, [4]);
    } finally {
      holder.release();
      await done();
    }
  });
  test('two stores draining the inbox at once process every inbox event exactly once, follow-ups of follow-ups included', async () => {
    const { schema, a, b, done } = await twoStores();
    try {
      const n = 600;
      const users = Array.from({ length: 40 }, (_, k) => `u${k}`);
      await a.ingestEvents([event('seed')], 1, () => ({ ...NONE, followUps: Array.from({ length: n }, (_, k) => event(`f${k}`, users[k % users.length]!, 'Journey Reached')) }));
      assert.equal(await a.inboxSize(), n);
      const decided = new Map<string, number>();
      const drained = { a: 0, b: 0 };
      const drainer = async (store: PostgresStore, name: 'a' | 'b') => {
        for (;;) {
          const got = await store.drainInbox(10, 7, (view) => {
            for (const e of view.events) decided.set(e.messageId, (decided.get(e.messageId) ?? 0) + 1);
            // Every first-generation event causes one more, drained by whoever gets it.
            const followUps = view.events.filter((e) => !e.messageId.endsWith(':2')).map((e) => event(`${e.messageId}:2`, e.userId, 'Next'));
            return {
              ...NONE,
              followUps,
              stats: [{ journeyId: 'cart', version: 1, nodeId: '', metric: 'entered' as const, count: view.events.length }],
            };
          });
          drained[name] += got;
          if (got === 0 && (await store.inboxSize()) === 0) return;
          await sleep(0);
        }
      };
      await Promise.all([drainer(a, 'a'), drainer(a, 'a'), drainer(b, 'b'), drainer(b, 'b')]);
      assert.equal(decided.size, 2 * n, 'every inbox event was processed');
      assert.deepEqual([...new Set(decided.values())], [1], 'none twice');
      assert.equal(drained.a + drained.b, 2 * n, 'and claimed once');
      assert.ok(drained.a > 0 && drained.b > 0, `both stores drained (a ${drained.a}, b ${drained.b})`);
      assert.equal(await a.inboxSize(), 0);
      assert.equal(await count(schema, 'SELECT count(*) AS n FROM events'), 2 * n + 1);
      assert.deepEqual(await a.journeyStats('cart'), [{ version: 1, nodeId: '', metric: 'entered', count: 2 * n }]);
    } finally {
      await done();
    }
  });

  test('a drain waits for its users like ingest; meanwhile a unit adding a follow-up it holds goes on without waiting', async () => {
    const { schema, a, b, done } = await twoStores();
    const holder = await schema.connect();
    try {
      await a.ingestEvents([event('e0', 'bo')], 1, () => ({ ...NONE, instances: [sleeper('i1', 'ana', 100)], followUps: [event('f1', 'ana', 'Journey Reached')] }));
      // Another process's unit of work on ana, between taking her lock and committing, held open.
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1::bigint)', [String(userLockKey(schema.name, 'ana'))]);
      const seen: string[][] = [];
      let drainedCount: number | null = null;
      const drain = b.drainInbox(50, 10, (view) => {
        seen.push(view.events.map((e) => e.messageId), (view.live.get('ana') ?? []).map((i) => i.id));
        return NONE;
      }).then((n) => (drainedCount = n));
      await blockedBy(schema, holder);
      assert.equal(drainedCount, null, 'the drain waits for ana\'s lock, holding f1');
      assert.equal(await a.drainInbox(50, 10, () => assert.fail('f1 is claimed')), 0, 'another drain skips the claimed row');
      // A unit of bo's (which may hold other users' locks) adding f1 again: f1 waits already, so it is left
      // as it is, without waiting for the drain that holds it.
      const ingest = a.ingestEvents([event('e1', 'bo')], 60, () => ({ ...NONE, followUps: [event('f1', 'ana', 'Journey Reached'), event('f2', 'bo', 'Journey Reached')] }));
      // Were it to wait for the drain it would wait for ever (the drain waits for the holder): a generous limit.
      const first = await Promise.race([ingest, sleep(30_000, 'still waiting', { ref: false })]);
      assert.deepEqual(first, { accepted: 1, duplicates: 0 }, 'the follow-up insert did not wait for the drain');
      assert.equal(drainedCount, null);
      await holder.query('COMMIT');
      await ingest;
      await drain;
      assert.equal(drainedCount, 1);
      assert.deepEqual(seen, [['f1'], ['i1']]);
      assert.deepEqual((await a.userEvents('ana', 10)).map((e) => e.messageId), ['f1']);
      assert.equal(await a.inboxSize(), 1, 'f2 waits');
      assert.equal(await a.drainInbox(70, 10, () => NONE), 1);
    } finally {
      await holder.query('ROLLBACK').catch(() => {}); // a failed assertion may leave ana's lock held
      holder.release();
      await done();
    }
  });
});
