/**
 * The day partitions of `events` (migration 002): one per UTC day of received_at, named events_YYYYMMDD,
 * created just in time before the first batch of a day and dropped whole by retention.
 *
 * Creating: `CREATE TABLE ... PARTITION OF events` would take an ACCESS EXCLUSIVE lock on events, waiting for
 * every ingest under way while new ones queue behind it. A plain CREATE TABLE followed by ATTACH PARTITION
 * takes only SHARE UPDATE EXCLUSIVE on events, which ingest does not conflict with. Processes serialize on a
 * transaction advisory lock and look again once they hold it, so two racing for one day both succeed.
 *
 * Dropping: DETACH takes ACCESS EXCLUSIVE on events for a moment (ingest waits a few milliseconds, about
 * once a day); lock_timeout bounds the wait, so a long reader makes this run give up rather than stall ingest.
 */
import type pg from 'pg';

export const DAY_MS = 86_400_000;
const DROP_LOCK_TIMEOUT_MS = 2_000;

/** The UTC day number (days since 1970-01-01) of an epoch-ms instant. */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** events_YYYYMMDD, as migration 002 names the partitions it creates for existing rows. */
export function partitionName(day: number): string {
  const date = new Date(day * DAY_MS);
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `events_${pad(date.getUTCFullYear(), 4)}${pad(date.getUTCMonth() + 1, 2)}${pad(date.getUTCDate(), 2)}`;
}

export interface EventPartition {
  name: string;
  /** The range of received_at it holds: [from, to). */
  from: number;
  to: number;
}

type Transaction = <T>(fn: (client: pg.PoolClient) => Promise<T>) => Promise<T>;

export class EventPartitions {
  /** Days known to have a partition: a new day costs one round of DDL per process, the rest nothing. */
  private readonly known = new Set<number>();
  private readonly creating = new Map<number, Promise<void>>();

  /** `lockKey` serializes partition DDL of one schema across processes. */
  constructor(
    private readonly transaction: Transaction,
    private readonly lockKey: string,
  ) {}

  /** Makes sure the day of `receivedAt` has a partition. */
  async ensure(receivedAt: number): Promise<void> {
    const day = dayOf(receivedAt);
    if (this.known.has(day)) return;
    let pending = this.creating.get(day);
    if (!pending) {
      pending = this.create(day).finally(() => this.creating.delete(day));
      this.creating.set(day, pending);
    }
    await pending;
  }

  /** Forgets that the day of `receivedAt` has a partition (another process dropped it). */
  forget(receivedAt: number): void {
    this.known.delete(dayOf(receivedAt));
  }

  /**
   * Detaches and drops every partition that ends at or before `before`; returns how many events they held.
   * One short transaction per partition, so a failure keeps what was already dropped.
   */
  async dropBefore(before: number): Promise<number> {
    let events = 0;
    for (const partition of await this.transaction(listPartitions)) {
      if (partition.to > before) continue;
      events += await this.transaction(async (c) => {
        await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [this.lockKey]);
        // Another process may have dropped it since the list was read.
        if (!(await listPartitions(c)).some((p) => p.name === partition.name)) return 0;
        const table = c.escapeIdentifier(partition.name);
        const { rows } = await c.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
        await c.query(`SET LOCAL lock_timeout = ${DROP_LOCK_TIMEOUT_MS}`);
        await c.query(`ALTER TABLE events DETACH PARTITION ${table}`);
        await c.query(`DROP TABLE ${table}`);
        return rows[0]!.n;
      });
      for (let day = dayOf(partition.from); day * DAY_MS < partition.to; day++) this.known.delete(day);
    }
    return events;
  }

  private async create(day: number): Promise<void> {
    const from = day * DAY_MS;
    const to = from + DAY_MS;
    await this.transaction(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [this.lockKey]);
      // Looked up under the lock: a process that lost the race finds the winner's partition here.
      if ((await listPartitions(c)).some((p) => p.from <= from && from < p.to)) return;
      const table = c.escapeIdentifier(partitionName(day));
      // LIKE copies the columns, their collations and NOT NULL; ATTACH builds the parent's indexes on it.
      await c.query(`CREATE TABLE IF NOT EXISTS ${table} (LIKE events)`);
      await c.query(`ALTER TABLE events ATTACH PARTITION ${table} FOR VALUES FROM (${from}) TO (${to})`);
    });
    this.known.add(day);
  }
}

/** The partitions of events with their ranges (any DEFAULT or MINVALUE/MAXVALUE-bounded one is left out). */
export async function listPartitions(c: pg.ClientBase): Promise<EventPartition[]> {
  const { rows } = await c.query<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'events'::regclass`,
  );
  const partitions: EventPartition[] = [];
  for (const row of rows) {
    // e.g. FOR VALUES FROM ('1764028800000') TO ('1764115200000')
    const match = /FROM \('?(-?\d+)'?\) TO \('?(-?\d+)'?\)/.exec(row.bound);
    if (match) partitions.push({ name: row.name, from: Number(match[1]), to: Number(match[2]) });
  }
  return partitions.sort((a, b) => a.from - b.from);
}

/** The error of an insert whose received_at day has no partition (it was dropped by another process). */
export function isMissingPartition(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e.code === '23514' && /no partition of relation/.test(e.message ?? '');
}
