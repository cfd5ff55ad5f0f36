/**
 * A database as an earlier release left it, with rows in it, for testing that a new migration upgrades
 * existing data: built by the migrations before `version` only, then seeded.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type pg from 'pg';
import type { Instance } from '../../src/core/instance.ts';
import { migrate, migrationFiles } from '../../src/store/postgres/migrate.ts';
import { hash53 } from '../../src/store/postgres/postgres-store.ts';
import { tempDir } from '../helpers.ts';
import type { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { testSchema, type TestSchema } from './postgres-fixture.ts';

const SQLITE_MIGRATIONS = fileURLToPath(new URL('../../src/store/sqlite/migrations/', import.meta.url));
const SQLITE_FILES = readdirSync(SQLITE_MIGRATIONS)
  .filter((f) => /^\d+_.+\.sql$/.test(f))
  .sort();

/** The newest SQLite migration, which opening a store brings every database up to. */
export const LATEST_SQLITE = Math.max(...SQLITE_FILES.map((f) => Number.parseInt(f, 10)));

/** A SQLite file made by the migrations before `version`, seeded; opening a store on it runs the rest. */
export function sqliteBefore(version: number, seed: (db: Database.Database) => void): string {
  const file = join(tempDir(), `v${version - 1}.db`);
  const db = new Database(file);
  const earlier = SQLITE_FILES.filter((f) => Number.parseInt(f, 10) < version);
  if (earlier.length !== version - 1) throw new Error(`expected ${version - 1} SQLite migrations before ${version}, found ${earlier.join(', ')}`);
  for (const name of earlier) db.exec(readFileSync(SQLITE_MIGRATIONS + name, 'utf8'));
  db.pragma(`user_version = ${version - 1}`);
  seed(db);
  db.close();
  return file;
}

/** A PostgreSQL schema made by the migrations before `version`, seeded; opening a store on it runs the rest. */
export async function postgresBefore(schema: TestSchema, version: number, seed: (client: pg.PoolClient) => Promise<void>): Promise<void> {
  const client = await schema.connect();
  try {
    await migrate(client, schema.name, String(hash53(`waymark:${schema.name}:migrate`)), migrationFiles().filter((m) => m.version < version));
    await seed(client);
  } finally {
    client.release();
  }
}

/**
 * A store opened on a fresh schema made by the migrations before `version` and seeded (so opening it runs
 * the rest); `check` runs on it, then the schema is dropped.
 */
export async function onPostgresBefore(version: number, seed: (client: pg.PoolClient) => Promise<void>, check: (store: PostgresStore, schema: TestSchema) => Promise<void>): Promise<void> {
  const schema = testSchema();
  await postgresBefore(schema, version, seed);
  const store = await schema.open();
  try {
    await check(store, schema);
  } finally {
    await store.close();
    await schema.drop();
  }
}

/** An instance row as the release before 003 wrote it (no exited_at): the SQL per dialect and its values. */
export const INSERT_INSTANCE = {
  sqlite: 'INSERT INTO instances (id, journey_id, version, user_id, status, wake_at, entered_at, state, updated_at) VALUES (?, ?, 1, ?, ?, ?, 1, ?, 1)',
  postgres: 'INSERT INTO instances (id, journey_id, version, user_id, status, wake_at, entered_at, state, updated_at) VALUES ($1, $2, 1, $3, $4, $5, 1, $6, 1)',
};

export function instanceValues(i: Instance): unknown[] {
  return [i.id, i.journeyId, i.userId, i.status, i.wakeAt, JSON.stringify(i)];
}

/** A pass of journey `cart` (or `extra.journeyId`) as the migration tests seed it: live when `exitAt` is null, else over then. */
export function seededPass(id: string, userId: string, exitAt: number | null, extra: Partial<Instance> = {}): Instance {
  return {
    id,
    journeyId: 'cart',
    version: 1,
    userId,
    status: exitAt === null ? 'active' : 'exited',
    nodeId: exitAt === null ? 'wait' : null,
    wakeAt: exitAt === null ? 5_000 : null,
    createdAt: 1,
    enteredAt: 1,
    step: 1,
    entryEvent: { messageId: id, name: 'Added to Cart', timestamp: 1, properties: {} },
    nodeUntil: null,
    timeoutAt: null,
    convertedAt: null,
    exit: exitAt === null ? null : { reason: 'completed', at: exitAt, nodeId: 'wait' },
    ...extra,
  };
}

/** An instance row as releases from 006 to 022 wrote it (the whole record in state): its columns and their values. */
export const WHOLE_RECORD_COLUMNS = 'id, journey_id, version, user_id, status, wake_at, entered_at, exited_at, node_id, state, updated_at';
export const SQLITE_INSERT_WHOLE_RECORD = `INSERT INTO instances (${WHOLE_RECORD_COLUMNS}) VALUES (${WHOLE_RECORD_COLUMNS.split(',').map(() => '?').join(', ')})`;
export function wholeRecordValues(i: Instance): unknown[] {
  return [i.id, i.journeyId, i.version, i.userId, i.status, i.wakeAt, i.enteredAt, i.exit?.at ?? null, i.nodeId, JSON.stringify(i), 1];
}

/** Inserts instances into a PostgreSQL schema as releases from 006 to 022 wrote them (the whole record in state). */
export async function insertWholeRecords(client: pg.PoolClient, instances: readonly Instance[]): Promise<void> {
  const placeholders = WHOLE_RECORD_COLUMNS.split(',').map((_, n) => `$${n + 1}`).join(', ');
  for (const i of instances) await client.query(`INSERT INTO instances (${WHOLE_RECORD_COLUMNS}) VALUES (${placeholders})`, wholeRecordValues(i));
}
