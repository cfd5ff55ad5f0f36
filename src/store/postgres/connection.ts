/**
 * The PostgreSQL store's connection: the options, the pool (bigints parsed to numbers, search_path set to the
 * schema), the schema brought up to date at start-up, and the one way the store's modules run a transaction.
 */
import pg from 'pg';
import { log } from '../../ops/logger.ts';
import { hash53 } from './locks.ts';
import { migrate } from './migrate.ts';

export interface PostgresOptions {
  /**
   * The schema holding Waymark's tables (created when missing); several deployments can share a database
   * in different schemas. Default: the connection's current schema (normally "public").
   */
  schema?: string;
  /** Most connections of this process's pool. Default 10. */
  poolSize?: number;
  /** How long a dispatcher owns the pending messages it claimed before another may take them. Default 30 s. */
  leaseMs?: number;
  /** Connect timeout. Default 10 s. */
  connectionTimeoutMillis?: number;
  /** Errors of idle pooled connections (the server restarted, the network dropped). Default: the process's logger. */
  onError?: (error: Error) => void;
  /** Extra pg.Pool settings (ssl, application_name, statement_timeout, idle_in_transaction_session_timeout (default 60 s), ...). */
  pool?: Omit<pg.PoolConfig, 'connectionString' | 'types' | 'options' | 'max'>;
}

export type Client = pg.PoolClient;

/** An open connection: the pool, the schema it works in, and the dispatchers' lease. */
export interface Connection {
  pool: pg.Pool;
  schema: string;
  leaseMs: number;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const INT8_OID = 20;

/** pg returns bigint as a string; Waymark's bigints (epoch ms, sequences, counters) fit in a double. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format: 'text' | 'binary' = 'text') =>
    oid === INT8_OID && format === 'text' ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** Connects a pool and brings the schema up to date (under an advisory lock, so processes may start together). */
export async function connect(url: string, options: PostgresOptions): Promise<Connection> {
  if (options.schema !== undefined && !IDENTIFIER.test(options.schema)) throw new Error(`schema must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*), got ${JSON.stringify(options.schema)}`);
  const leaseMs = options.leaseMs ?? 30_000;
  if (!Number.isSafeInteger(leaseMs) || leaseMs < 1) throw new Error(`leaseMs must be a positive integer, got ${leaseMs}`);
  const pool = new pg.Pool({
    connectionTimeoutMillis: 10_000,
    // A process that stalls inside a unit of work (a network partition, a frozen VM) must not hold its
    // users' locks for ever: the server ends such a session and its transaction rolls back.
    idle_in_transaction_session_timeout: 60_000,
    ...options.pool,
    connectionString: url,
    max: options.poolSize ?? 10,
    types,
    ...(options.connectionTimeoutMillis !== undefined ? { connectionTimeoutMillis: options.connectionTimeoutMillis } : {}),
    // jit off: the batch lookups over many day partitions are costed high enough that the server JIT-compiles
    // their first executions on each connection, 1.5 s of compiling for a query that runs in 0.1 s
    // (bench/RESULTS.md, "Scheduled segment entry"). The schema is quoted; IDENTIFIER leaves nothing to escape.
    options: ['-c jit=off', ...(options.schema !== undefined ? [`-c search_path="${options.schema}"`] : [])].join(' '),
  });
  const onError = options.onError ?? ((error: Error) => log().error({ err: error, component: 'postgres' }, 'an idle PostgreSQL connection failed'));
  pool.on('error', onError);
  try {
    const client = await pool.connect();
    try {
      let schema = options.schema;
      if (schema === undefined) {
        const { rows } = await client.query<{ schema: string | null }>('SELECT current_schema() AS schema');
        schema = rows[0]?.schema ?? undefined;
        if (!schema) throw new Error('the connection has no current schema (empty search_path); pass options.schema');
        if (!IDENTIFIER.test(schema)) throw new Error(`the current schema ${JSON.stringify(schema)} is not a plain identifier; pass options.schema`);
      }
      await migrate(client, schema, String(hash53(`waymark:${schema}:migrate`)));
      return { pool, schema, leaseMs };
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => {});
    throw new Error(`PostgresStore: cannot open ${redact(url)}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * How a unit of work's transaction begins: with full scans priced out of its plans. A unit reads and writes a
 * batch's users by key; a connection keeps the plan it made for a statement after a few runs, and one made while
 * instances held a few hundred rows (a full scan the cheapest read then, and a batch of ~700 users costed as 10)
 * went on reading the whole table at every unit once it held 80,000: 50-80 ms a unit where an index read takes
 * 1-2, seen in runs of the bench at 4,000 carts/s that failed (bench/RESULTS.md, 2026-12-06 night). Sent with
 * BEGIN, in the same round trip; LOCAL ends with the transaction, so the API's own reads are planned as usual.
 */
export const UNIT_BEGIN = 'BEGIN; SET LOCAL enable_seqscan = off';

/** Runs `fn` in one transaction on one pooled client (begun with `begin`); rolls back if it throws. */
export async function transaction<T>(pool: pg.Pool, fn: (client: Client) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(begin);
    try {
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError; // the connection is unusable: discard it rather than return it to the pool
      });
      throw error;
    }
  } finally {
    client.release(broken);
  }
}

/** A database URL fit to print: the password masked. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(an unparsable database URL)';
  }
}
