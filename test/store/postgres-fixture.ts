/**
 * PostgreSQL for the store tests: every opened store gets a fresh schema (dropped afterwards), so test files
 * run in parallel and repeatedly against one server. The server comes from WAYMARK_TEST_DATABASE_URL.
 * An unreachable server fails the tests with a clear message, unless WAYMARK_SKIP_POSTGRES=1.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import pg from 'pg';
import { PostgresStore, redact, type PostgresOptions } from '../../src/store/postgres/postgres-store.ts';

export const PG_URL = process.env.WAYMARK_TEST_DATABASE_URL || 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const SKIP = process.env.WAYMARK_SKIP_POSTGRES === '1';

let admin: pg.Pool | null = null;
const schemas = new Set<string>();

function adminPool(): pg.Pool {
  admin ??= new pg.Pool({ connectionString: PG_URL, max: 4, connectionTimeoutMillis: 5_000 });
  return admin;
}

after(async () => {
  if (!admin) return;
  for (const schema of schemas) await dropSchema(schema).catch(() => {});
  await admin.end();
});

async function dropSchema(schema: string): Promise<void> {
  await adminPool().query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  schemas.delete(schema);
}

/**
 * Registers `suite` when PostgreSQL is reachable; otherwise one failing test that says why (or one skipped
 * test with WAYMARK_SKIP_POSTGRES=1).
 */
export async function withPostgres(name: string, suite: () => void): Promise<void> {
  if (SKIP) {
    test(name, { skip: 'WAYMARK_SKIP_POSTGRES=1' }, () => {});
    return;
  }
  const problem = await unreachable();
  if (problem) {
    test(`${name}: PostgreSQL is reachable`, () => {
      assert.fail(`${problem}. Start PostgreSQL, point WAYMARK_TEST_DATABASE_URL at one, or set WAYMARK_SKIP_POSTGRES=1 to skip the PostgreSQL tests.`);
    });
    return;
  }
  suite();
}

async function unreachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return `PostgreSQL is unreachable at ${redact(PG_URL)}: ${(error as Error).message || String(error)}`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Drops schema `name` (one the code under test made, e.g. a project's) when the test file ends. */
export function dropWhenDone(name: string): void {
  schemas.add(name);
}

export interface TestSchema {
  name: string;
  /** Opens a store on this schema: call it twice for two "processes" sharing one database. */
  open(options?: Omit<PostgresOptions, 'schema'>): Promise<PostgresStore>;
  /** Runs SQL in this schema on a separate connection (assertions on the tables). */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<R[]>;
  /** A connection of its own with search_path on this schema (release it). */
  connect(): Promise<pg.PoolClient>;
  drop(): Promise<void>;
}

export function testSchema(): TestSchema {
  const name = `wm_test_${process.pid}_${randomBytes(5).toString('hex')}`;
  schemas.add(name);
  return {
    name,
    open: (options = {}) => PostgresStore.open(PG_URL, { poolSize: 4, ...options, schema: name }),
    async query(sql, values = []) {
      const client = await adminPool().connect();
      try {
        await client.query(`SET search_path = "${name}"`);
        return (await client.query(sql, values)).rows;
      } finally {
        await client.query('RESET search_path').catch(() => {});
        client.release();
      }
    },
    async connect() {
      const client = await adminPool().connect();
      await client.query(`SET search_path = "${name}"`);
      return client;
    },
    drop: () => dropSchema(name),
  };
}

/** A fresh, empty store in its own schema; closing it drops the schema. */
export async function openTestStore(options: Omit<PostgresOptions, 'schema'> = {}): Promise<PostgresStore> {
  const schema = testSchema();
  const store = await schema.open(options);
  const close = store.close.bind(store);
  store.close = async () => {
    await close();
    await schema.drop();
  };
  return store;
}

