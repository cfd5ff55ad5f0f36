/**
 * The SQLite file: its options, the pragmas and migrations applied on opening, and Sql, which prepares each
 * statement once and runs it (better-sqlite3 is synchronous: every call returns when the statement is done).
 */
import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { NewMessage } from '../message-records.ts';
import type { Row } from '../rows.ts';
import type { MessageNumbers } from '../shards/message-numbers.ts';
import { createShardViews } from './shard-views.ts';
import { loadWalBatch } from './wal-batch.ts';

export interface SqliteOptions {
  /** 'safe' survives power loss up to the last commit; 'fast' (simulations) may lose recent commits on a crash of the machine. */
  durability?: 'safe' | 'fast';
  /** 'background': checkpoints in a thread of their own (checkpointer.ts), for the connection that writes most. */
  checkpoints?: 'inline' | 'background';
  /** A background checkpoint failed (the writer's own checkpoints go on). */
  onCheckpointError?: (error: Error) => void;
  /** Background checkpoints: the log's size, in pages, at which the thread hands over to the writer (default 1 GB of them; tests make it small). */
  checkpointLogPages?: number;
  /**
   * 'engine': only the indexes the engine reads (API_ONLY_INDEXES are dropped), for a new file thrown away after
   * one run, which no API reads: simulate's temporary database, a backtest's. Default 'all'. (CAPS_INDEX is
   * kept by the settings, whatever this says: caps-index.ts.)
   */
  indexes?: 'all' | 'engine';
  /** Parsed profiles kept for the units of work (unit-views.ts): default 200,000, about 65 MB of short ones. */
  profileCache?: number;
  /**
   * 'memory': the live instances and their timers in memory, none in the file (live-instances.ts), for a new
   * file thrown away after one run (simulate's, a backtest's); the store then refuses the reads of a user's
   * passes and a journey's history. Default 'file'.
   */
  instances?: 'file' | 'memory';
  /**
   * 'none': no message written to the file, for a new file thrown away after one run whose units read no message
   * back (no frequency cap, no journey asking for outcomes): simulate's, a backtest's. A message log is then only
   * what onMessages keeps, and the store refuses the reads of messages. Default 'file'.
   */
  messages?: 'file' | 'none';
  /**
   * Only the events of these names written to the file, for a new file thrown away after one run whose units read
   * back no other (engine/catalog.ts, eventsReadBack): simulate's, a backtest's. The others are accepted without
   * a look at the file, so the caller vouches that it gives none twice: a simulation drops a messageId given
   * again as it reads, derives the others from their lines, and its engine makes each id of its own once (a
   * simulation never runs a unit again). The store refuses the reads of other events, and counts the users with
   * events in memory (kept-events.ts). Default: every event.
   */
  eventsKept?: ReadonlySet<string>;
  /**
   * Each unit of work's messages, in the order decided, handed over once the unit has committed (simulate writes
   * its output files from them as the run goes: sim/output.ts). They are what the unit decided: the file's unique
   * key, which keeps a send at most once when a unit is run again after a crash, does not sit between them, and
   * a simulation never runs a unit again.
   */
  onMessages?: (messages: readonly NewMessage[]) => void;
  /**
   * A shard of a database split by user (store/shards/): its messages are numbered from the counter the shards
   * share, not by the file (store/shards/message-numbers.ts).
   */
  numbers?: MessageNumbers;
  /**
   * The other shards' files, for a connection that reads all of them (shard-views.ts): each is
   * attached, and a temporary view named for each table of users' rows reads that table in every file.
   */
  shardViews?: readonly string[];
}

/**
 * The indexes only the API and operations read: a user's and a journey's message log, event retention, the
 * user an inbound SMS comes from. Each costs every cart an entry, most at a random place;
 * a simulation without them ran 5-8% faster (bench/RESULTS.md). test/sim/engine-indexes.test.ts holds every
 * statement a simulation runs to the plan it has with them.
 */
export const API_ONLY_INDEXES = ['messages_by_user', 'messages_by_journey', 'events_by_received_at', 'profiles_by_phone'] as const;
/** A user's recent sends: only frequency caps read it (unit-views.ts, loadContext), and it exists only while one is set (caps-index.ts). */
export const CAPS_INDEX = 'messages_by_user_created';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
/** Bounds the size of IN (...) lists. */
export const IN_CHUNK = 500;

/** A simulation's one long transaction dirties most of its pages: they stay in a cache of 64 MB. */
const SIMULATION_CACHE_KB = 65_536;
/** A server's cache, 8 MB; its spill threshold, 16,384 pages of 4 KB (64 MB). */
const SERVER_CACHE_KB = 8_192;
const SPILL_PAGES = 16_384;

export function openDatabase(file: string, options: SqliteOptions): Database.Database {
  loadWalBatch();
  const db = new Database(file);
  // 'fast' is for throwaway databases (simulations): no write-ahead log to write twice, no syncing.
  db.pragma(`journal_mode = ${options.durability === 'fast' ? 'MEMORY' : 'WAL'}`);
  db.pragma(`synchronous = ${options.durability === 'fast' ? 'OFF' : 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  if (options.durability === 'fast') db.pragma(`cache_size = -${SIMULATION_CACHE_KB}`);
  else {
    // A server's page cache holds what the memory map cannot serve: pages whose newest version is in the log,
    // and pages being written. SQLite scans the whole cache at the end of a commit that rebalanced a b-tree in a
    // file under 1 GB (it moves a page through the locking page's number, 262,145, for a moment), so its size is
    // paid at nearly every commit: at 3,000 and 5,000 carts/s the engine's thread took 4-15% less CPU with 8 MB
    // than with 64 MB, in six pairs (docs/performance.md). Dirty pages still spill to the log only past 64 MB.
    db.pragma(`cache_size = -${SERVER_CACHE_KB}`);
    db.pragma(`cache_spill = ${SPILL_PAGES}`);
  }
  db.pragma('temp_store = MEMORY');
  // Reads through a memory map instead of a read() a page: the whole file, up to the 2 GB this SQLite is built
  // to map. A scheduled segment reading 1,100,000 scattered events of a 2 GB file took 10 s where a 256 MB map
  // took 13-15 s (bench/RESULTS.md). The mapped pages are the kernel's page cache, which the file used anyway.
  db.pragma('mmap_size = 2147418112');
  const from = migrate(db);
  if (options.shardViews && options.shardViews.length > 0) createShardViews(db, options.shardViews);
  // Instances of a file that lives on would be missed by a store keeping them in memory.
  if (options.instances === 'memory' && from !== 0) throw new Error(`${file}: only a new database can keep its instances in memory`);
  if (options.messages === 'none' && from !== 0) throw new Error(`${file}: only a new database can go without its messages`);
  if (options.indexes !== undefined && options.indexes !== 'all') {
    // Dropped from a file that lives on, they would be gone for good: the migrations that made them have run.
    if (from !== 0) throw new Error(`${file}: only a new database can go without the API's indexes`);
    for (const name of API_ONLY_INDEXES) db.exec(`DROP INDEX ${name}`);
  }
  return db;
}

/** Applies the migrations the file has not had; returns the version it was at. */
function migrate(db: Database.Database): number {
  const files = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const file of files) {
    const version = Number.parseInt(file, 10);
    if (version <= current) continue;
    db.transaction(() => {
      db.exec(readFileSync(MIGRATIONS_DIR + file, 'utf8'));
      db.pragma(`user_version = ${version}`);
    }).immediate();
  }
  return current;
}

/** Statements by their text, each prepared on first use and kept; IN lists of every length, kept bounded. */
export class Sql {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly inLists = new Map<string, Database.Statement>();
  private readonly rawStatements = new Map<string, Database.Statement>();
  /** Runs before each transaction that is not inside another one (the background checkpoints' handover). */
  beforeTransaction: (() => void) | null = null;

  constructor(readonly db: Database.Database) {}

  statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  all(sql: string, ...params: unknown[]): Row[] {
    return this.statement(sql).all(...params) as Row[];
  }

  get(sql: string, ...params: unknown[]): Row | undefined {
    return this.statement(sql).get(...params) as Row | undefined;
  }

  /**
   * Rows as arrays of their columns' values, in the order selected: for the reads of many rows of many columns,
   * where building an object a row cost twice as much (2.8 µs a row of ten columns against 1.5, measured alone).
   */
  raw(sql: string, ...params: unknown[]): unknown[][] {
    let statement = this.rawStatements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql).raw(true);
      this.rawStatements.set(sql, statement);
    }
    return statement.all(...params) as unknown[][];
  }

  run(sql: string, ...params: unknown[]): Database.RunResult {
    return this.statement(sql).run(...params);
  }

  /**
   * Runs `fn` in a write transaction (a savepoint inside another one), taking the write lock at BEGIN
   * (IMMEDIATE). Deferred, a transaction that reads and then writes would fail at once with
   * SQLITE_BUSY_SNAPSHOT, without waiting, whenever the other connection on the file (the API's, or the
   * engine's thread) committed in between; taken first, the lock makes the other wait its busy timeout instead.
   */
  transaction<T>(fn: () => T): T {
    if (this.beforeTransaction && !this.db.inTransaction) this.beforeTransaction();
    return this.db.transaction(fn).immediate();
  }

  /** Runs `prefix (?, ?, …) suffix` with one placeholder per value after `prefix`'s own. */
  inList(prefix: string, values: Array<string | number>, suffix = ''): Row[] {
    const own = prefix.split('?').length - 1;
    const sql = `${prefix} (${values.slice(own).map(() => '?').join(',')}) ${suffix}`;
    let statement = this.inLists.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      if (this.inLists.size > 2000) this.inLists.clear();
      this.inLists.set(sql, statement);
    }
    return statement.all(...values) as Row[];
  }
}

export function* chunks<T>(values: T[]): Generator<T[]> {
  for (let i = 0; i < values.length; i += IN_CHUNK) yield values.slice(i, i + IN_CHUNK);
}
