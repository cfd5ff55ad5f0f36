/**
 * Setup of the segment benchmark (bench/segment.ts): the data set written straight into the store's own tables,
 * as fast as they take it, then the independent count the measured run is checked against.
 *
 * The store first creates its schema itself (opening it runs its migrations). Rows then go in as multi-row
 * INSERTs in large transactions, with exactly the columns and encodings the store writes:
 *  - SQLite: profiles.traits through json_patch('{}', ?) as upsertProfiles does; events.properties as
 *    JSON.stringify text, seq the rowid in arrival order; trait_names. The file is loaded without a journal
 *    and without syncing (journal_mode OFF, synchronous OFF, a 1 GB page cache), then set back to WAL, the
 *    mode the store opens it in. No ANALYZE: the store never runs it, so neither does the benchmark.
 *  - PostgreSQL: profiles.traits and events.properties as jsonb cast from the same JSON text; every event's
 *    dedupe key in event_ids with its received_at, as ingest writes it; seq from the store's own sequence in
 *    arrival order; the day partitions of events made by the store's own helper (EventPartitions, as ingest
 *    makes them, with the store's lock key) before the rows go in. Loaded with synchronous_commit off, two
 *    statements in flight; then VACUUM ANALYZE, what autovacuum does for a database that has been running
 *    (statistics, hint bits and the visibility map), so the measured run pays for none of that.
 * Message ids are sequential ("ev00000000", ...), not random as an SDK's would be: the unique indexes on them
 * fill in order, which makes loading faster and does not change what the scheduled run reads.
 */
import Database from 'better-sqlite3';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import { EventPartitions } from '../src/store/postgres/event-partitions.ts';
import { hash53, PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { Dataset, DAY_MS, GENERATOR_VERSION, LOAD_AT, RUN_AT, SEGMENT_RULE, type EventRow } from './segment-data.ts';

export type Target = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema: string };

/** What a kept database holds, so that a later run can reuse it. */
export interface Meta {
  bench: 'segment';
  /** False while loading: a schema or file left by a load that did not finish is never reused. */
  complete: boolean;
  generator: number;
  profiles: number;
  events: number;
  seed: number;
  expectedMatches: number;
  summary: string;
  setupSeconds: Record<string, number>;
}

type Log = (line: string) => void;

const PROFILE_ROWS = 100; // rows per SQLite statement
const EVENT_ROWS = 100;
const SQLITE_TRANSACTION = 200_000; // rows per SQLite transaction
const PG_BATCH = 10_000; // rows per PostgreSQL statement
const PG_IN_FLIGHT = 2;

/** Prints progress at most every 5 s. */
function progress(log: Log, what: string, total: number): (done: number) => void {
  const started = performance.now();
  let last = started;
  return (done) => {
    const now = performance.now();
    if (now - last < 5_000 && done < total) return;
    last = now;
    const rate = done / ((now - started) / 1000);
    const eta = done < total && rate > 0 ? `, about ${Math.ceil((total - done) / rate)} s left` : '';
    log(`  ${what}: ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} (${Math.round(rate).toLocaleString('en-US')}/s${eta})`);
  };
}

function seconds(since: number): number {
  return Math.round((performance.now() - since) / 100) / 10;
}

// ---------------------------------------------------------------------------------------------------------
// Kept databases
// ---------------------------------------------------------------------------------------------------------

function metaFile(file: string): string {
  return `${file}.bench.json`;
}

export async function readMeta(target: Target): Promise<Meta | null> {
  if (target.kind === 'sqlite') {
    if (!existsSync(target.file) || !existsSync(metaFile(target.file))) return null;
    return JSON.parse(readFileSync(metaFile(target.file), 'utf8')) as Meta;
  }
  return withPool(target, 1, async (pool) => {
    const { rows } = await pool.query<{ comment: string | null }>('SELECT obj_description(oid, $2) AS comment FROM pg_namespace WHERE nspname = $1', [target.schema, 'pg_namespace']);
    const comment = rows[0]?.comment;
    if (!comment?.startsWith('{')) return null;
    const meta = JSON.parse(comment) as Meta;
    return meta.bench === 'segment' ? meta : null;
  });
}

export async function writeMeta(target: Target, meta: Meta): Promise<void> {
  if (target.kind === 'sqlite') {
    writeFileSync(metaFile(target.file), `${JSON.stringify(meta, null, 2)}\n`);
    return;
  }
  await withPool(target, 1, (pool) => pool.query(`COMMENT ON SCHEMA "${target.schema}" IS ${pg.escapeLiteral(JSON.stringify(meta))}`));
}

export function metaMatches(meta: Meta | null, data: { profiles: number; events: number; seed: number }): boolean {
  return meta !== null && meta.complete && meta.generator === GENERATOR_VERSION && meta.profiles === data.profiles && meta.events === data.events && meta.seed === data.seed;
}

/** Removes the database (SQLite file and its WAL, PostgreSQL schema). */
export async function dropTarget(target: Target): Promise<void> {
  if (target.kind === 'sqlite') {
    for (const suffix of ['', '-wal', '-shm', '.bench.json']) rmSync(target.file + suffix, { force: true });
    return;
  }
  await withPool(target, 1, (pool) => pool.query(`DROP SCHEMA IF EXISTS "${target.schema}" CASCADE`));
}

/** Bytes on disk: the SQLite file (and WAL), or the schema's tables and indexes. */
export async function databaseBytes(target: Target): Promise<number> {
  if (target.kind === 'sqlite') {
    return ['', '-wal'].reduce((sum, suffix) => sum + (existsSync(target.file + suffix) ? statSync(target.file + suffix).size : 0), 0);
  }
  return withPool(target, 1, async (pool) => {
    const { rows } = await pool.query<{ bytes: string }>(
      `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind = 'r'`,
      [target.schema],
    );
    return Number(rows[0]!.bytes);
  });
}

/**
 * Deletes what earlier measured runs wrote into a kept database (journeys, runs, instances, messages, stats,
 * and their `$enter` events, all received after LOAD_AT), so a run on it starts like one on a fresh load.
 */
export async function resetRuns(target: Target): Promise<void> {
  const statements = [
    'DELETE FROM journey_runs',
    'DELETE FROM journey_versions',
    'DELETE FROM journeys',
    'DELETE FROM instances',
    'DELETE FROM messages',
    'DELETE FROM stats',
    `DELETE FROM events WHERE received_at > ${LOAD_AT}`,
  ];
  if (target.kind === 'sqlite') {
    const db = new Database(target.file);
    try {
      db.transaction(() => {
        for (const sql of statements) db.exec(sql);
      })();
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
    return;
  }
  await withPool(target, 1, async (pool) => {
    for (const sql of [...statements, `DELETE FROM event_ids WHERE received_at > ${LOAD_AT}`]) await pool.query(sql);
    await pool.query('VACUUM ANALYZE journey_runs, journeys, journey_versions, instances, messages, stats');
  });
}

// ---------------------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------------------

/**
 * Writes the data set; returns the seconds each step took. The database must not exist. `marker` (an
 * incomplete Meta) is written as soon as the store has made it, so a load cut short is known as this
 * benchmark's (dropped, never reused).
 */
export async function loadData(target: Target, data: Dataset, marker: Meta, log: Log): Promise<Record<string, number>> {
  return target.kind === 'sqlite' ? loadSqlite(target, data, marker, log) : loadPostgres(target, data, marker, log);
}

async function loadSqlite(target: Extract<Target, { kind: 'sqlite' }>, data: Dataset, marker: Meta, log: Log): Promise<Record<string, number>> {
  const timings: Record<string, number> = {};
  const file = target.file;
  // The store makes its schema (migrations), exactly as on a first start.
  await new SqliteStore(file).close();
  await writeMeta(target, marker);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -1048576');
    db.pragma('temp_store = MEMORY');
    const { profiles: n, events: e } = data.params;

    let started = performance.now();
    const profileSql = (rows: number) => `INSERT INTO profiles (user_id, traits, updated_at) VALUES ${Array(rows).fill("(?, json_patch('{}', ?), ?)").join(', ')}`;
    const profileFull = db.prepare(profileSql(PROFILE_ROWS));
    let tick = progress(log, 'profiles', n);
    for (let i = 0; i < n; ) {
      const end = Math.min(n, i + SQLITE_TRANSACTION);
      db.transaction(() => {
        while (i < end) {
          const rows = Math.min(PROFILE_ROWS, end - i);
          const values: unknown[] = [];
          for (let r = 0; r < rows; r++, i++) values.push(data.userId(i), JSON.stringify(data.traits(i)), LOAD_AT);
          (rows === PROFILE_ROWS ? profileFull : db.prepare(profileSql(rows))).run(...values);
        }
      })();
      tick(i);
    }
    db.transaction(() => {
      const insert = db.prepare('INSERT OR IGNORE INTO trait_names (name) VALUES (?)');
      for (const name of Dataset.TRAIT_NAMES) insert.run(name);
    })();
    timings.profiles = seconds(started);

    started = performance.now();
    const eventSql = (rows: number) => `INSERT INTO events (message_id, user_id, name, ts, properties, received_at) VALUES ${Array(rows).fill('(?, ?, ?, ?, ?, ?)').join(', ')}`;
    const eventFull = db.prepare(eventSql(EVENT_ROWS));
    tick = progress(log, 'events', e);
    for (let k = 0; k < e; ) {
      const end = Math.min(e, k + SQLITE_TRANSACTION);
      db.transaction(() => {
        while (k < end) {
          const rows = Math.min(EVENT_ROWS, end - k);
          const values: unknown[] = [];
          for (let r = 0; r < rows; r++, k++) values.push(...data.event(k));
          (rows === EVENT_ROWS ? eventFull : db.prepare(eventSql(rows))).run(...values);
        }
      })();
      tick(k);
    }
    timings.events = seconds(started);

    started = performance.now();
    db.pragma('journal_mode = WAL');
    timings.finish = seconds(started);
  } finally {
    db.close();
  }
  return timings;
}

async function loadPostgres(target: Extract<Target, { kind: 'postgres' }>, data: Dataset, marker: Meta, log: Log): Promise<Record<string, number>> {
  const timings: Record<string, number> = {};
  // The store makes the schema (migrations), exactly as on a first start.
  await (await PostgresStore.open(target.url, { schema: target.schema, poolSize: 1 })).close();
  await writeMeta(target, marker);
  await withPool(target, PG_IN_FLIGHT, async (pool) => {
    const { profiles: n, events: e } = data.params;

    // The day partitions, by the store's own helper and lock key, as ingest makes them.
    let started = performance.now();
    const partitions = new EventPartitions(async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    }, String(hash53(`waymark:${target.schema}:event-partitions`)));
    const days = data.receivedDays();
    for (let day = days.first; day <= days.last; day++) await partitions.ensure(day * DAY_MS);
    timings.partitions = seconds(started);

    started = performance.now();
    let tick = progress(log, 'profiles', n);
    await inFlight(PG_IN_FLIGHT, function* () {
      for (let i = 0; i < n; ) {
        const ids: string[] = [];
        const traits: string[] = [];
        for (const end = Math.min(n, i + PG_BATCH); i < end; i++) {
          ids.push(data.userId(i));
          traits.push(JSON.stringify(data.traits(i)));
        }
        const done = i;
        yield pool
          .query('INSERT INTO profiles (user_id, traits, updated_at) SELECT u, t::jsonb, $3 FROM unnest($1::text[], $2::text[]) AS x(u, t)', [ids, traits, LOAD_AT])
          .then(() => tick(done));
      }
    });
    await pool.query(`INSERT INTO trait_names (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING`, [[...Dataset.TRAIT_NAMES]]);
    timings.profiles = seconds(started);

    started = performance.now();
    tick = progress(log, 'events', e);
    await inFlight(PG_IN_FLIGHT, function* () {
      for (let k = 0; k < e; ) {
        const columns: [string[], string[], string[], number[], string[], number[]] = [[], [], [], [], [], []];
        for (const end = Math.min(e, k + PG_BATCH); k < end; k++) {
          const row = data.event(k);
          for (let c = 0; c < 6; c++) (columns[c] as unknown[]).push(row[c]);
        }
        const done = k;
        yield pool
          .query(
            `WITH input AS (
               SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::bigint[]) WITH ORDINALITY AS x(m, u, n, t, p, r, ord)
             ),
             ids AS (INSERT INTO event_ids (message_id, received_at) SELECT m, r FROM input)
             INSERT INTO events (message_id, user_id, name, ts, properties, received_at)
             SELECT m, u, n, t, p::jsonb, r FROM input ORDER BY ord`,
            columns,
          )
          .then(() => tick(done));
      }
    });
    timings.events = seconds(started);

    started = performance.now();
    log('  VACUUM ANALYZE');
    await pool.query('VACUUM ANALYZE profiles, events, event_ids, trait_names');
    timings.vacuumAnalyze = seconds(started);
  });
  return timings;
}

/** Runs the promises a generator yields, at most `limit` at once. */
async function inFlight(limit: number, make: () => Generator<Promise<unknown>>): Promise<void> {
  const running = new Set<Promise<unknown>>();
  for (const started of make()) {
    const p = started.finally(() => running.delete(p));
    running.add(p);
    if (running.size >= limit) await Promise.race(running);
  }
  await Promise.all(running);
}

export async function withPool<T>(target: Extract<Target, { kind: 'postgres' }>, max: number, fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: target.url, max, options: `-c search_path="${target.schema}" -c synchronous_commit=off` });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

// ---------------------------------------------------------------------------------------------------------
// Spot check of the load
// ---------------------------------------------------------------------------------------------------------

/**
 * Reads a sample of users back through the store's own reads (getProfile, userEvents) and compares them with
 * what the generator made: the loaders wrote exactly what the store would have. Throws on a difference.
 */
export async function checkSample(target: Target, data: Dataset, users = 40): Promise<number> {
  const { profiles: n } = data.params;
  const sample = new Set<number>();
  for (let j = 0; j < users && sample.size < n; j++) sample.add(Math.floor(((j + 0.5) / users) * n));
  const expected = new Map<string, EventRow[]>();
  for (const row of data.eventsOf(sample)) {
    const list = expected.get(row[1]) ?? [];
    list.push(row);
    expected.set(row[1], list);
  }
  const store = target.kind === 'sqlite' ? new SqliteStore(target.file) : await PostgresStore.open(target.url, { schema: target.schema, poolSize: 1 });
  let events = 0;
  try {
    for (const i of sample) {
      const userId = data.userId(i);
      const profile = await store.getProfile(userId);
      if (!profile || !isDeepStrictEqual(profile.traits, data.traits(i)) || profile.updatedAt !== LOAD_AT) {
        throw new Error(`profile ${userId} reads back as ${JSON.stringify(profile)}, not ${JSON.stringify(data.traits(i))}`);
      }
      const want = (expected.get(userId) ?? []).map(([messageId, user, name, timestamp, properties, receivedAt]) => ({ messageId, userId: user, name, timestamp, properties: JSON.parse(properties) as unknown, receivedAt }));
      const got = await store.userEvents(userId, want.length + 1);
      const byId = (a: { messageId: string }, b: { messageId: string }) => (a.messageId < b.messageId ? -1 : 1);
      if (!isDeepStrictEqual([...got].sort(byId), [...want].sort(byId))) {
        throw new Error(`the events of ${userId} read back differ from the generated ones (${got.length} read, ${want.length} made)`);
      }
      events += got.length;
    }
  } finally {
    await store.close();
  }
  return events;
}

// ---------------------------------------------------------------------------------------------------------
// The independent count
// ---------------------------------------------------------------------------------------------------------

/**
 * How many profiles match the measured segment at RUN_AT, in one SQL statement over the whole tables (no
 * page, no engine): plan in (pro, business), at least 3 Viewed Product in (RUN_AT - 7 d, RUN_AT], no Charged
 * in (RUN_AT - 30 d, RUN_AT].
 */
export async function independentCount(target: Target): Promise<number> {
  const plans = SEGMENT_RULE.plans.map((p) => `'${p}'`).join(', ');
  const viewedFrom = RUN_AT - SEGMENT_RULE.viewedWithinMs;
  const chargedFrom = RUN_AT - SEGMENT_RULE.notChargedWithinMs;
  if (target.kind === 'sqlite') {
    const db = new Database(target.file, { readonly: true });
    try {
      db.pragma('cache_size = -262144');
      // NOT INDEXED: one pass over the table rather than an index walk with a table lookup per event.
      const row = db
        .prepare(
          `WITH viewed AS (
             SELECT user_id FROM events NOT INDEXED WHERE name = 'Viewed Product' AND ts > ${viewedFrom} AND ts <= ${RUN_AT}
             GROUP BY user_id HAVING count(*) >= ${SEGMENT_RULE.viewedAtLeast}
           ),
           charged AS (SELECT DISTINCT user_id FROM events NOT INDEXED WHERE name = 'Charged' AND ts > ${chargedFrom} AND ts <= ${RUN_AT})
           SELECT count(*) AS n FROM viewed JOIN profiles p ON p.user_id = viewed.user_id
           WHERE json_extract(p.traits, '$.plan') IN (${plans}) AND viewed.user_id NOT IN (SELECT user_id FROM charged)`,
        )
        .get() as { n: number };
      return row.n;
    } finally {
      db.close();
    }
  }
  return withPool(target, 1, async (pool) => {
    await pool.query('SET work_mem = \'256MB\'');
    const { rows } = await pool.query<{ n: string }>(
      `WITH viewed AS (
         SELECT user_id FROM events WHERE name = 'Viewed Product' AND ts > ${viewedFrom} AND ts <= ${RUN_AT}
         GROUP BY user_id HAVING count(*) >= ${SEGMENT_RULE.viewedAtLeast}
       ),
       charged AS (SELECT DISTINCT user_id FROM events WHERE name = 'Charged' AND ts > ${chargedFrom} AND ts <= ${RUN_AT})
       SELECT count(*) AS n FROM viewed JOIN profiles p ON p.user_id = viewed.user_id
       WHERE p.traits ->> 'plan' IN (${plans}) AND NOT EXISTS (SELECT 1 FROM charged c WHERE c.user_id = viewed.user_id)`,
    );
    return Number(rows[0]!.n);
  });
}
