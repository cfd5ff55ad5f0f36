/**
 * PostgreSQL events in day partitions (migration 002): rows land in the partition of their received_at day,
 * a day's partition is made just in time (also when processes race for it), rows of a version-1 schema
 * are moved over, and pruning drops whole partitions while dedupe keeps working inside the window.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyEvent } from '../../src/core/instance.ts';
import { migrate, migrationFiles } from '../../src/store/postgres/migrate.ts';
import { DAY_MS, dayOf, partitionName } from '../../src/store/postgres/event-partitions.ts';
import type { Changes } from '../../src/store/store.ts';
import { T0 } from '../helpers.ts';
import { testSchema, withPostgres, type TestSchema } from './postgres-fixture.ts';

const NONE: Changes = { instances: [], messages: [], stats: [] };
const HOUR = 3_600_000;
const D0 = dayOf(T0) * DAY_MS; // midnight UTC of T0's day

const event = (messageId: string, userId = 'u1', timestamp = T0): JourneyEvent => ({ messageId, userId, name: 'Added to Cart', timestamp, properties: { messageId } });

async function partitions(schema: TestSchema): Promise<string[]> {
  const rows = await schema.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

/** Each stored event's partition, in arrival order. */
async function placement(schema: TestSchema): Promise<Array<[string, string]>> {
  const rows = await schema.query<{ part: string; message_id: string }>('SELECT tableoid::regclass::text AS part, message_id FROM events ORDER BY seq');
  return rows.map((r) => [r.message_id, r.part]);
}

await withPostgres('PostgreSQL events partitioned by day', () => {
  test('events land in the partition of their received_at day, made just in time; there is no default partition', async () => {
    const schema = testSchema();
    const store = await schema.open();
    try {
      assert.deepEqual(await partitions(schema), [], 'a fresh schema has no partition yet');
      await store.ingestEvents([event('a'), event('b', 'u2')], T0, () => NONE);
      assert.deepEqual(await partitions(schema), ['events_20261102']);
      await store.ingestEvents([event('c')], D0 + DAY_MS - 1, () => NONE);
      await store.ingestEvents([event('d', 'u1', T0 - 7 * DAY_MS)], D0 + DAY_MS, () => NONE); // an old timestamp arrives today: today's partition
      assert.deepEqual(await partitions(schema), ['events_20261102', 'events_20261103']);
      assert.deepEqual(await placement(schema), [
        ['a', 'events_20261102'],
        ['b', 'events_20261102'],
        ['c', 'events_20261102'],
        ['d', 'events_20261103'],
      ]);
      const [table] = await schema.query<{ default_partition: number }>("SELECT partdefid::int AS default_partition FROM pg_partitioned_table WHERE partrelid = 'events'::regclass");
      assert.equal(table?.default_partition, 0);
      // Reads span the partitions.
      assert.deepEqual((await store.userEvents('u1', 10)).map((e) => e.messageId), ['c', 'a', 'd']);
      assert.equal(partitionName(dayOf(T0)), 'events_20261102');
    } finally {
      await store.close();
      await schema.drop();
    }
  });

  test('two stores racing to create the same days\' partitions both succeed, with one partition per day', async () => {
    const schema = testSchema();
    const a = await schema.open();
    const b = await schema.open();
    try {
      for (let day = 0; day < 8; day++) {
        const at = D0 + day * DAY_MS + HOUR;
        const results = await Promise.all([
          a.ingestEvents([event(`a${day}`)], at, () => NONE),
          b.ingestEvents([event(`b${day}`)], at + 1, () => NONE),
          a.ingestEvents([event(`a${day}-again`, 'u2')], at + 2, () => NONE), // and two units of one store
        ]);
        assert.deepEqual(results.map((r) => r.accepted), [1, 1, 1], `day ${day}`);
      }
      const names = await partitions(schema);
      assert.deepEqual(names, Array.from({ length: 8 }, (_, day) => partitionName(dayOf(D0) + day)));
      assert.equal((await placement(schema)).length, 24);
    } finally {
      await a.close();
      await b.close();
      await schema.drop();
    }
  });

  test('pruning drops partitions older than the cut and their ids; inside the window dedupe still holds', async () => {
    const schema = testSchema();
    const a = await schema.open();
    const b = await schema.open();
    try {
      await a.ingestEvents([event('d0-a'), event('d0-b', 'u2')], D0 + HOUR, () => NONE);
      await b.ingestEvents([event('d0-c')], D0 + 2 * HOUR, () => NONE); // b now knows day 0 has a partition
      await a.ingestEvents([event('d1')], D0 + DAY_MS + HOUR, () => NONE);
      await a.ingestEvents([event('d2')], D0 + 2 * DAY_MS + HOUR, () => NONE);
      const day = (n: number) => partitionName(dayOf(D0) + n);
      assert.deepEqual(await partitions(schema), [day(0), day(1), day(2)]);

      // A cut in the middle of day 2 drops days 0 and 1 whole and keeps all of day 2.
      assert.deepEqual(await a.pruneEvents(D0 + 2 * DAY_MS + 5 * HOUR), { events: 4, before: D0 + 2 * DAY_MS });
      assert.deepEqual(await partitions(schema), [day(2)]);
      assert.deepEqual(await placement(schema), [['d2', day(2)]]);
      assert.deepEqual((await schema.query<{ message_id: string }>('SELECT message_id FROM event_ids ORDER BY 1')).map((r) => r.message_id), ['d2']);

      // Inside the window an id is still a duplicate, from either process; a pruned one is accepted again.
      const now = D0 + 2 * DAY_MS + 6 * HOUR;
      assert.deepEqual(await b.ingestEvents([event('d2'), event('d0-a')], now, () => NONE), { accepted: 1, duplicates: 1 });
      assert.deepEqual(await a.ingestEvents([event('d2'), event('d0-a')], now, () => NONE), { accepted: 0, duplicates: 2 });
      assert.deepEqual(await placement(schema), [['d2', day(2)], ['d0-a', day(2)]]);

      // b still believes day 0 has a partition; an event received on that day (a clock behind) makes it again.
      assert.deepEqual(await b.ingestEvents([event('late')], D0 + 3 * HOUR, () => NONE), { accepted: 1, duplicates: 0 });
      assert.deepEqual(await partitions(schema), [day(0), day(2)]);
      assert.deepEqual(await a.pruneEvents(D0 + 2 * DAY_MS), { events: 1, before: D0 + 2 * DAY_MS });
      assert.deepEqual(await partitions(schema), [day(2)]);
    } finally {
      await a.close();
      await b.close();
      await schema.drop();
    }
  });

  test('migration 002 moves the events of a version-1 schema into day partitions, ids and seq kept', async () => {
    const schema = testSchema();
    const client = await schema.connect();
    try {
      await migrate(client, schema.name, `${Date.now()}`, migrationFiles().filter((m) => m.version === 1));
    } finally {
      client.release();
    }
    await schema.query(
      `INSERT INTO events (message_id, user_id, name, ts, properties, received_at) VALUES
         ('old-1', 'u1', 'Added to Cart', $1, '{}', $2), ('old-2', 'u1', 'Charged', $1, '{}', $3), ('old-3', 'u2', 'Charged', $1, '{}', $3)`,
      [T0, T0, T0 + DAY_MS],
    );
    const store = await schema.open();
    try {
      assert.deepEqual(await placement(schema), [
        ['old-1', 'events_20261102'],
        ['old-2', 'events_20261103'],
        ['old-3', 'events_20261103'],
      ]);
      assert.deepEqual((await schema.query<{ n: number }>('SELECT count(*)::int AS n FROM event_ids'))[0]?.n, 3);
      assert.deepEqual(await store.ingestEvents([event('old-2'), event('new')], T0 + 2 * DAY_MS, () => NONE), { accepted: 1, duplicates: 1 }, 'the old ids still deduplicate');
      const seqs = await schema.query<{ message_id: string; seq: number }>('SELECT message_id, seq::int AS seq FROM events ORDER BY seq');
      assert.deepEqual(seqs.map((r) => r.message_id), ['old-1', 'old-2', 'old-3', 'new'], 'seq goes on counting after the old rows');
      assert.deepEqual(await partitions(schema), ['events_20261102', 'events_20261103', 'events_20261104']);
      assert.deepEqual((await store.userEvents('u1', 10)).map((e) => e.messageId), ['new', 'old-2', 'old-1']);
    } finally {
      await store.close();
      await schema.drop();
    }
  });
});
