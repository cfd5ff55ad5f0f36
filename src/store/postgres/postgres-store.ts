/**
 * The PostgreSQL Store: several engine processes, on several machines, against one database.
 *
 * Every unit of work (ingestEvents, drainInbox, fireDueTimers, stopInstances, recordOutcomes) is one READ COMMITTED
 * transaction on one pooled client, with one multi-row statement per table (unnest over array parameters)
 * whatever the batch size; decide, synchronous, runs between the reads and the writes. Concurrency rules:
 *
 *  - A user's units of work are serialized across processes by a transaction-level advisory lock on a
 *    53-bit hash of (schema, user id). Ingest takes its batch users' locks in ascending key order, and only
 *    then reads, so it sees every earlier unit of work of those users committed: two processes never both
 *    create a live instance for one user, and never both advance one instance from the same state.
 *  - drainInbox is ingest on the inbox rows it claims: it takes them FOR UPDATE SKIP LOCKED first (processes
 *    share the inbox and never wait for each other's rows), then runs ingest's code and order exactly, and
 *    deletes the rows last, when it waits for nothing more (see drainInbox).
 *  - Ingest locks the live instance rows it reads (FOR UPDATE, in id order), so stopInstances, which locks
 *    a journey's live rows in id order too, either waits for it or is waited for; neither overwrites the other.
 *  - The timer claim takes due rows FOR UPDATE SKIP LOCKED (two processes never claim one instance and
 *    never wait for each other), then try-locks (never waits for) each claimed row's user and leaves the
 *    instances of users being ingested right now for the next claim.
 *  - moveInstances locks a page of a journey's live rows at a time in id order too, and holds nothing else:
 *    every unit of work holds the instances it read (FOR UPDATE) until it commits, so a move waits for it and
 *    re-checks the row as it was left, and a unit reading a row being moved reads it moved.
 *  - Everything else is taken in a fixed order, so waits cannot form a cycle: new event ids in message-id
 *    order (two processes may get overlapping batches), new inbox ids (follow-ups) in message-id order,
 *    stats counters (the only hot rows) sorted by key, then profiles, and new trait names (in name order) last.
 *  - A scheduled entry's run is claimed with one upsert (journey_runs), leased on the engine's clock: the
 *    row lock makes the insert or the take-over of an expired lease happen once.
 *  - Pending messages are leased (lease_until, on the database clock) so dispatchers do not send one message
 *    at the same time; an expired lease (a dead dispatcher) makes the message claimable again.
 *
 * Events live in day partitions of received_at (see event-partitions.ts), and their dedupe keys in event_ids,
 * both pruned by pruneEvents. Timestamps are epoch milliseconds from the engine (`now`), in bigint columns
 * parsed to numbers.
 */
import pg from 'pg';
import type { Channel, JourneyDefinition } from '../../core/definition.ts';
import type { Instance, JourneyEvent } from '../../core/instance.ts';
import type {
  ApiKeyRecord,
  Changes,
  EventBatchView,
  IngestResult,
  InstanceMessage,
  JourneyRecord,
  JourneyStatus,
  JourneyVersion,
  Lookback,
  Message,
  MessageQuery,
  NewMessage,
  Profile,
  ProfileUpsert,
  PruneResult,
  RunClaim,
  SendOutcome,
  StatDelta,
  StatRow,
  Store,
  StoredEvent,
  TimerBatchView,
  UserContext,
  UserContextSpec,
} from '../store.ts';
import { EVENTS_OF_USERS, INSTANCES_OF_USERS, MESSAGES_OF_INSTANCES, PROFILES_OF_USERS, RECENT_EVENTS_OF_USERS, SENDS_OF_USERS } from './batch-lookups.ts';
import { DAY_MS, dayOf, EventPartitions, isMissingPartition } from './event-partitions.ts';
import { migrate } from './migrate.ts';
import { exitedAt, MIN_TIMESTAMP, rowMappers, type Row } from '../rows.ts';
import { TraitNameCache } from '../trait-names.ts';

const {
  profile: toProfile,
  event: toEvent,
  journey: toJourney,
  message: toMessage,
  inboxEvent: toInboxEvent,
  instanceMessage: toInstanceMessage,
} = rowMappers((value) => value);

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
  /** Errors of idle pooled connections (the server restarted, the network dropped). Default: console.error. */
  onError?: (error: Error) => void;
  /** Extra pg.Pool settings (ssl, application_name, statement_timeout, idle_in_transaction_session_timeout (default 60 s), ...). */
  pool?: Omit<pg.PoolConfig, 'connectionString' | 'types' | 'options' | 'max'>;
}

type Client = pg.PoolClient;

/**
 * Where a unit of work on events gets them, inside its transaction: the batch given (ingestEvents), or the
 * inbox rows it claims (drainInbox), with what to do once the unit has written (delete them).
 */
type EventSource = (client: Client) => Promise<{ events: JourneyEvent[]; finish?: (client: Client) => Promise<void> }>;

interface EventUnitResult {
  /** How many events the source gave (drainInbox's count). */
  claimed: number;
  result: IngestResult;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const INT8_OID = 20;

/** pg returns bigint as a string; Waymark's bigints (epoch ms, sequences, counters) fit in a double. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format: 'text' | 'binary' = 'text') =>
    oid === INT8_OID && format === 'text' ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** event_ids rows deleted per statement when pruning: each batch is a short transaction of its own. */
const PRUNE_BATCH = 5_000;
/** Live instances looked at per statement (a transaction of its own) when moving instances to a new version. */
const MOVE_BATCH = 2_000;

const MESSAGE_COLUMNS = 'seq, id, journey_id, version, instance_id, node_id, user_id, channel, status, reason, content, created_at, sent_at, attempts, clicked_at';
const JOURNEY_COLUMNS = 'id, name, status, version, draft, layout, created_at, updated_at';

export class PostgresStore implements Store {
  readonly pool: pg.Pool;
  /** The schema this store works in. */
  readonly schema: string;
  private readonly leaseMs: number;
  private readonly partitions: EventPartitions;
  /** Trait names this process knows are recorded: a profile write inserts only others (usually none). */
  private readonly traitNameCache = new TraitNameCache();
  private closed = false;

  private constructor(pool: pg.Pool, schema: string, leaseMs: number) {
    this.pool = pool;
    this.schema = schema;
    this.leaseMs = leaseMs;
    this.partitions = new EventPartitions((fn) => this.transaction(fn), String(hash53(`waymark:${schema}:event-partitions`)));
  }

  /** Connects a pool and brings the schema up to date (under an advisory lock, so processes may start together). */
  static async open(url: string, options: PostgresOptions = {}): Promise<PostgresStore> {
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
      // The schema is quoted for the server; IDENTIFIER leaves nothing to escape.
      ...(options.schema !== undefined ? { options: `-c search_path="${options.schema}"` } : {}),
    });
    const onError = options.onError ?? ((error: Error) => console.error('waymark postgres pool:', error.message));
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
        return new PostgresStore(pool, schema, leaseMs);
      } finally {
        client.release();
      }
    } catch (error) {
      await pool.end().catch(() => {});
      throw new Error(`PostgresStore: cannot open ${redact(url)}: ${(error as Error).message}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  // ---- access keys

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    const { rows } = await this.pool.query({ name: 'wm-keys', text: 'SELECT hash, kind, created_at FROM api_keys ORDER BY created_at, hash' });
    return rows.map((r: Row) => ({ hash: r.hash as string, kind: r.kind as ApiKeyRecord['kind'], createdAt: r.created_at as number }));
  }

  async addApiKey(key: ApiKeyRecord): Promise<void> {
    await this.pool.query({ name: 'wm-add-key', text: 'INSERT INTO api_keys (hash, kind, created_at) VALUES ($1, $2, $3)', values: [key.hash, key.kind, key.createdAt] });
  }

  // ---- profiles

  async upsertProfiles(profiles: ProfileUpsert[], now: number): Promise<void> {
    if (profiles.length === 0) return;
    const names = await this.transaction(async (c) => {
      await writeProfiles(c, profiles, now);
      return this.recordTraitNames(c, profiles);
    });
    this.traitNameCache.remember(names);
  }

  async getProfile(userId: string): Promise<Profile | null> {
    const { rows } = await this.pool.query({ name: 'wm-profile', text: 'SELECT user_id, traits, updated_at FROM profiles WHERE user_id = $1', values: [userId] });
    return rows[0] ? toProfile(rows[0]) : null;
  }

  // ---- journeys

  async createJourney(j: { id: string; name: string; draft: JourneyDefinition; layout: JourneyRecord['layout'] }, now: number): Promise<JourneyRecord> {
    const { rows } = await this.pool.query({
      name: 'wm-create-journey',
      text: `INSERT INTO journeys (id, name, status, version, draft, layout, created_at, updated_at) VALUES ($1, $2, 'draft', NULL, $3, $4, $5, $5) RETURNING ${JOURNEY_COLUMNS}`,
      values: [j.id, j.name, JSON.stringify(j.draft), JSON.stringify(j.layout), now],
    });
    return toJourney(rows[0]);
  }

  async updateJourneyDraft(id: string, draft: JourneyDefinition, layout: JourneyRecord['layout'] | undefined, now: number): Promise<JourneyRecord | null> {
    const { rows } = await this.pool.query({
      name: 'wm-update-draft',
      text: `UPDATE journeys SET name = $1, draft = $2, layout = coalesce($3, layout), updated_at = $4 WHERE id = $5 RETURNING ${JOURNEY_COLUMNS}`,
      values: [draft.name, JSON.stringify(draft), layout === undefined ? null : JSON.stringify(layout), now, id],
    });
    return rows[0] ? toJourney(rows[0]) : null;
  }

  async publishJourney(id: string, now: number): Promise<JourneyVersion | null> {
    return this.transaction(async (c) => {
      // The row lock makes concurrent publishes of one journey take consecutive versions.
      const { rows } = await c.query({ name: 'wm-journey-for-publish', text: 'SELECT version, draft::text AS draft FROM journeys WHERE id = $1 FOR UPDATE', values: [id] });
      const row = rows[0] as Row | undefined;
      if (!row) return null;
      const version = ((row.version as number | null) ?? 0) + 1;
      await c.query({ name: 'wm-insert-version', text: 'INSERT INTO journey_versions (journey_id, version, definition, published_at) VALUES ($1, $2, $3, $4)', values: [id, version, row.draft, now] });
      await c.query({ name: 'wm-set-published', text: "UPDATE journeys SET version = $1, status = 'running', updated_at = $2 WHERE id = $3", values: [version, now, id] });
      return { journeyId: id, version, definition: JSON.parse(row.draft as string), publishedAt: now };
    });
  }

  async setJourneyStatus(id: string, status: JourneyStatus, now: number): Promise<JourneyRecord | null> {
    const { rows } = await this.pool.query({ name: 'wm-set-status', text: `UPDATE journeys SET status = $1, updated_at = $2 WHERE id = $3 RETURNING ${JOURNEY_COLUMNS}`, values: [status, now, id] });
    return rows[0] ? toJourney(rows[0]) : null;
  }

  async getJourney(id: string): Promise<JourneyRecord | null> {
    const { rows } = await this.pool.query({ name: 'wm-journey', text: `SELECT ${JOURNEY_COLUMNS} FROM journeys WHERE id = $1`, values: [id] });
    return rows[0] ? toJourney(rows[0]) : null;
  }

  async listJourneys(): Promise<JourneyRecord[]> {
    const { rows } = await this.pool.query({ name: 'wm-journeys', text: `SELECT ${JOURNEY_COLUMNS} FROM journeys ORDER BY created_at, id` });
    return rows.map(toJourney);
  }

  async listVersions(journeyId?: string): Promise<JourneyVersion[]> {
    const { rows } =
      journeyId === undefined
        ? await this.pool.query({ name: 'wm-versions', text: 'SELECT journey_id, version, definition, published_at FROM journey_versions ORDER BY journey_id, version' })
        : await this.pool.query({ name: 'wm-versions-of', text: 'SELECT journey_id, version, definition, published_at FROM journey_versions WHERE journey_id = $1 ORDER BY version', values: [journeyId] });
    return rows.map((r: Row) => ({ journeyId: r.journey_id as string, version: r.version as number, definition: r.definition as JourneyDefinition, publishedAt: r.published_at as number }));
  }

  // ---- engine units of work

  async ingestEvents(events: JourneyEvent[], now: number, decide: (view: EventBatchView) => Changes, lookback?: Lookback, context?: UserContextSpec): Promise<IngestResult> {
    if (events.length === 0) return { accepted: 0, duplicates: 0 };
    return (await this.eventUnit(now, async () => ({ events }), decide, lookback, context)).result;
  }

  /**
   * One transaction, the same unit of work as ingestEvents: claim the oldest `limit` inbox rows (FOR UPDATE
   * SKIP LOCKED: another drain's rows are skipped, never waited for), process them as ingested, and delete
   * them last. Until that delete the claimed rows are only locked, and a follow-up insert of the same id
   * (ON CONFLICT DO NOTHING) does not wait for a row that is only locked: so the rows never make a unit of work
   * that holds user locks wait for this one while it waits for those locks. Once deleted, this transaction
   * waits for nothing more.
   */
  async drainInbox(now: number, limit: number, decide: (view: EventBatchView) => Changes, lookback?: Lookback, context?: UserContextSpec): Promise<number> {
    if (limit <= 0) return 0;
    return (await this.eventUnit(now, (c) => this.claimInbox(c, limit), decide, lookback, context)).claimed;
  }

  async inboxSize(): Promise<number> {
    const { rows } = await this.pool.query({ name: 'wm-inbox-size', text: 'SELECT count(*) AS n FROM inbox' });
    return rows[0].n as number;
  }

  /**
   * A unit of work on events (ingestEvents, drainInbox): the events `source` gives, in one transaction. Their
   * rows all go to the partition of now's day: made first, in a transaction of its own.
   */
  private async eventUnit(now: number, source: EventSource, decide: (view: EventBatchView) => Changes, lookback?: Lookback, context?: UserContextSpec): Promise<EventUnitResult> {
    await this.partitions.ensure(now);
    try {
      return await this.eventTransaction(now, source, decide, lookback, context);
    } catch (error) {
      if (!isMissingPartition(error)) throw error;
      // Another process's pruning dropped the day this process thought it had: make it again, once. The
      // event insert comes before decide, and the whole transaction (an inbox claim too) was rolled back.
      this.partitions.forget(now);
      await this.partitions.ensure(now);
      return this.eventTransaction(now, source, decide, lookback, context);
    }
  }

  private async eventTransaction(now: number, source: EventSource, decide: (view: EventBatchView) => Changes, lookback?: Lookback, context?: UserContextSpec): Promise<EventUnitResult> {
    let names: string[] = [];
    const result = await this.transaction(async (c): Promise<EventUnitResult> => {
      const { events, finish } = await source(c);
      if (events.length === 0) return { claimed: 0, result: { accepted: 0, duplicates: 0 } };
      const processed = await this.processEvents(c, events, now, decide, lookback, context);
      names = processed.names;
      if (finish) await finish(c);
      return { claimed: events.length, result: processed.result };
    });
    this.traitNameCache.remember(names);
    return result;
  }

  /** The oldest `limit` inbox rows no other transaction holds, locked; deleted once the unit has written. */
  private async claimInbox(c: Client, limit: number): Promise<{ events: JourneyEvent[]; finish: (c: Client) => Promise<void> }> {
    const { rows } = await c.query({
      name: 'wm-claim-inbox',
      text: 'SELECT seq, message_id, user_id, name, ts, properties FROM inbox ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED',
      values: [limit],
    });
    return {
      events: (rows as Row[]).map(toInboxEvent),
      finish: async (client) => {
        await client.query({ name: 'wm-delete-inbox', text: 'DELETE FROM inbox WHERE seq = ANY ($1::bigint[])', values: [(rows as Row[]).map((r) => r.seq)] });
      },
    };
  }

  /**
   * Stores the events not seen before, then (for those) locks their users, reads the view, decides and
   * writes, in the caller's transaction. Returns the trait names recorded, to remember once it commits.
   */
  private async processEvents(
    c: Client,
    events: JourneyEvent[],
    now: number,
    decide: (view: EventBatchView) => Changes,
    lookback: Lookback | undefined,
    context: UserContextSpec | undefined,
  ): Promise<{ result: IngestResult; names: string[] }> {
    // 1. Store the events not seen before: their ids go into event_ids first, in message-id order, so two
    //    processes given overlapping batches never wait on each other's uncommitted ids in opposite orders
    //    (a deadlock). seq (arrival order) follows the order given.
    const firsts = new Map<string, JourneyEvent>();
    for (const e of events) if (!firsts.has(e.messageId)) firsts.set(e.messageId, e);
    const list = [...firsts.values()];
    const { rows: inserted } = await c.query({
      name: 'wm-insert-events',
      text: `WITH input AS (
               SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]) WITH ORDINALITY AS e(m, u, n, t, p, ord)
             ),
             fresh AS (
               INSERT INTO event_ids (message_id, received_at)
               SELECT m, $6 FROM input ORDER BY m COLLATE "C"
               ON CONFLICT (message_id) DO NOTHING RETURNING message_id
             ),
             numbered AS MATERIALIZED (
               SELECT input.*, nextval('events_seq_seq') AS seq FROM input WHERE m IN (SELECT message_id FROM fresh) ORDER BY ord
             )
             INSERT INTO events (seq, message_id, user_id, name, ts, properties, received_at)
             SELECT seq, m, u, n, t, p::jsonb, $6 FROM numbered
             RETURNING message_id`,
      values: [list.map((e) => e.messageId), list.map((e) => e.userId), list.map((e) => e.name), list.map((e) => e.timestamp), list.map((e) => JSON.stringify(e.properties)), now],
    });
    const freshIds = new Set(inserted.map((r: Row) => r.message_id as string));
    const fresh: StoredEvent[] = [];
    for (const e of events) {
      if (freshIds.delete(e.messageId)) fresh.push({ ...e, receivedAt: now });
    }
    if (fresh.length === 0) return { result: { accepted: 0, duplicates: events.length }, names: [] };

    // 2. Serialize per user across processes, then read what decide needs.
    const users = unique(fresh.map((e) => e.userId));
    await this.lockUsers(c, users);
    const view: EventBatchView = {
      events: fresh,
      profiles: await this.loadProfiles(c, users),
      live: new Map(),
      entered: new Map(),
      lastExits: new Map(),
      context: { history: new Map(), sends: new Map() },
      recent: new Map(),
    };
    const { rows } = await c.query({ name: 'wm-instances-of-users', text: INSTANCES_OF_USERS, values: [users] });
    const liveIds: string[] = [];
    for (const row of rows as Row[]) {
      const userId = row.user_id as string;
      const journeyId = row.journey_id as string;
      const state = row.state as Instance | null;
      if (state !== null) {
        if (state.enteredAt !== null) getOrCreate(view.entered, userId, () => new Set<string>()).add(journeyId);
        getOrCreate(view.live, userId, () => [] as Instance[]).push(state);
        liveIds.push(state.id);
        continue;
      }
      if (row.entered === true) getOrCreate(view.entered, userId, () => new Set<string>()).add(journeyId);
      if (row.last_exit !== null) getOrCreate(view.lastExits, userId, () => new Map<string, number>()).set(journeyId, row.last_exit as number);
    }
    view.context = await this.loadContext(c, users, liveIds, context);
    if (lookback) await this.loadRecent(c, fresh, lookback, view);

    // 3. Decide (synchronous), then write.
    const names = await this.apply(c, decide(view), now);
    return { result: { accepted: fresh.length, duplicates: events.length - fresh.length }, names };
  }

  async fireDueTimers(now: number, limit: number, decide: (view: TimerBatchView) => Changes, context?: UserContextSpec): Promise<number> {
    if (limit <= 0) return 0;
    let names: string[] = [];
    const fired = await this.transaction(async (c) => {
      // Rows another process has claimed are skipped, never waited for.
      const { rows } = await c.query({
        name: 'wm-claim-due',
        text: 'SELECT user_id, state FROM instances WHERE wake_at <= $1 ORDER BY wake_at LIMIT $2 FOR UPDATE SKIP LOCKED',
        values: [now, limit],
      });
      if (rows.length === 0) return 0;
      // A user whose events are being ingested in another transaction right now is left for the next claim:
      // that transaction read the instance and will write it.
      const keys = unique((rows as Row[]).map((r) => this.userLockKey(r.user_id as string)));
      const { rows: locks } = await c.query({
        name: 'wm-try-lock-users',
        text: 'SELECT k::text AS k, pg_try_advisory_xact_lock(k) AS ok FROM unnest($1::bigint[]) AS k',
        values: [keys.map(String)],
      });
      const locked = new Set((locks as Row[]).filter((r) => r.ok === true).map((r) => Number(r.k)));
      const instances = (rows as Row[]).filter((r) => locked.has(this.userLockKey(r.user_id as string))).map((r) => r.state as Instance);
      if (instances.length === 0) return 0;
      const users = unique(instances.map((i) => i.userId));
      const view: TimerBatchView = {
        instances,
        profiles: await this.loadProfiles(c, users),
        context: await this.loadContext(c, users, instances.map((i) => i.id), context),
      };
      names = await this.apply(c, decide(view), now);
      return instances.length;
    });
    this.traitNameCache.remember(names);
    return fired;
  }

  async nextWakeAt(): Promise<number | null> {
    const { rows } = await this.pool.query({ name: 'wm-next-wake', text: 'SELECT wake_at FROM instances WHERE wake_at IS NOT NULL ORDER BY wake_at LIMIT 1' });
    return (rows[0]?.wake_at as number | undefined) ?? null;
  }

  async stopInstances(journeyId: string, now: number): Promise<number> {
    // One statement: lock the journey's live instances in id order (waiting for units of work holding
    // them), exit them with the same state change as the SQLite store, and count them per version.
    const { rows } = await this.pool.query({
      name: 'wm-stop-instances',
      text: `WITH target AS MATERIALIZED (
               SELECT id FROM instances WHERE journey_id = $1 AND status <> 'exited' ORDER BY id FOR UPDATE
             ),
             stopped AS (
               UPDATE instances i SET status = 'exited', wake_at = NULL, exited_at = $2, updated_at = $2,
                 state = i.state || jsonb_build_object('status', 'exited', 'wakeAt', NULL, 'nodeUntil', NULL,
                   'exit', jsonb_build_object('reason', 'stopped', 'at', $2::bigint, 'nodeId', coalesce(i.state -> 'nodeId', 'null'::jsonb)))
               WHERE i.id = ANY (ARRAY(SELECT id FROM target)) AND i.status <> 'exited'
               RETURNING i.version
             ),
             counted AS (
               INSERT INTO stats (journey_id, version, node_id, metric, count)
               SELECT $1, version, '', 'stopped', count(*) FROM stopped GROUP BY version ORDER BY version
               ON CONFLICT (journey_id, version, node_id, metric) DO UPDATE SET count = stats.count + excluded.count
               RETURNING 1
             )
             SELECT count(*) AS n FROM stopped`,
      values: [journeyId, now],
    });
    return rows[0].n as number;
  }

  async liveInstanceCount(journeyId: string): Promise<number> {
    const { rows } = await this.pool.query({ name: 'wm-live-count', text: "SELECT count(*) AS n FROM instances WHERE journey_id = $1 AND status <> 'exited'", values: [journeyId] });
    return rows[0].n as number;
  }

  /**
   * In pages of the journey's live instances in user order (instances_one_live), one statement (and
   * transaction) each, so no user's units of work wait long. Each page's instances to move are locked in id
   * order, like every unit of work's (and stopInstances') row locks, so:
   *  - a unit of work that read an instance (it reads them FOR UPDATE, or claims them FOR UPDATE SKIP LOCKED)
   *    holds it until it commits: the move waits, then checks the instance again as that unit left it (still
   *    live, on another version, at a node to move) and moves that state, never an older one;
   *  - a unit of work that reads an instance during the move waits for it, then reads the moved state (the
   *    timer claim skips it until the next claim), so it never writes back the version it replaced.
   * Waits cannot form a cycle: everyone locks instance rows in id order, and the move holds nothing else.
   */
  async moveInstances(journeyId: string, toVersion: number, nodeIds: readonly string[], now: number): Promise<number> {
    let moved = 0;
    let after: string | null = null;
    for (;;) {
      const { rows } = await this.pool.query({
        name: after === null ? 'wm-move-instances-first' : 'wm-move-instances',
        text: moveInstancesSql(after !== null),
        values: [journeyId, toVersion, [...nodeIds], now, MOVE_BATCH, ...(after === null ? [] : [after])],
      });
      const row = rows[0] as Row;
      moved += row.moved as number;
      if ((row.scanned as number) < MOVE_BATCH) return moved;
      after = row.last as string;
    }
  }

  // ---- scheduled entries

  async scanProfiles(after: string | null, limit: number): Promise<Profile[]> {
    const { rows } =
      after === null
        ? await this.pool.query({ name: 'wm-scan-profiles-first', text: 'SELECT user_id, traits, updated_at FROM profiles ORDER BY user_id LIMIT $1', values: [limit] })
        : await this.pool.query({
            name: 'wm-scan-profiles',
            text: 'SELECT user_id, traits, updated_at FROM profiles WHERE user_id > $1::text COLLATE "C" ORDER BY user_id LIMIT $2',
            values: [after, limit],
          });
    return (rows as Row[]).map(toProfile);
  }

  async eventsOfUsers(userIds: readonly string[], names: readonly string[], since: number | null): Promise<StoredEvent[]> {
    if (userIds.length === 0 || names.length === 0) return [];
    const { rows } = await this.pool.query({ name: 'wm-events-of-users', text: EVENTS_OF_USERS, values: [unique([...userIds]), unique([...names]), since ?? MIN_TIMESTAMP] });
    return (rows as Row[]).map(toEvent);
  }

  /**
   * One statement, race-free: the insert, or the take-over of an unfinished run whose lease has run out,
   * happens under the row's lock, and a second claimer re-checks the lease on the row as the first left it.
   */
  async claimRun(journeyId: string, runAt: number, now: number, leaseMs: number): Promise<RunClaim | null> {
    const { rows } = await this.pool.query({
      name: 'wm-claim-run',
      text: `INSERT INTO journey_runs (journey_id, run_at, cursor, lease_until, finished_at) VALUES ($1, $2, NULL, $3, NULL)
             ON CONFLICT (journey_id, run_at) DO UPDATE SET lease_until = excluded.lease_until
             WHERE journey_runs.finished_at IS NULL AND (journey_runs.lease_until IS NULL OR journey_runs.lease_until <= $4)
             RETURNING cursor`,
      values: [journeyId, runAt, now + leaseMs, now],
    });
    return rows[0] ? { cursor: (rows[0].cursor as string | null) ?? null } : null;
  }

  /** The cursor only moves forward ("C" order): a late save of an owner that lost its lease does not rewind the run. */
  async saveRunCursor(journeyId: string, runAt: number, cursor: string, now: number, leaseMs: number): Promise<void> {
    await this.pool.query({
      name: 'wm-save-run-cursor',
      text: `UPDATE journey_runs SET cursor = CASE WHEN cursor IS NULL OR cursor < $3::text COLLATE "C" THEN $3 ELSE cursor END, lease_until = $4
             WHERE journey_id = $1 AND run_at = $2 AND finished_at IS NULL`,
      values: [journeyId, runAt, cursor, now + leaseMs],
    });
  }

  async finishRun(journeyId: string, runAt: number, now: number): Promise<void> {
    await this.pool.query({
      name: 'wm-finish-run',
      text: `INSERT INTO journey_runs (journey_id, run_at, cursor, lease_until, finished_at) VALUES ($1, $2, NULL, NULL, $3)
             ON CONFLICT (journey_id, run_at) DO UPDATE SET finished_at = coalesce(journey_runs.finished_at, excluded.finished_at), lease_until = NULL`,
      values: [journeyId, runAt, now],
    });
  }

  // ---- settings and trait names

  async getSettings(): Promise<Record<string, unknown>> {
    const { rows } = await this.pool.query({ name: 'wm-settings', text: 'SELECT document FROM settings WHERE id = 1' });
    return rows[0] ? (rows[0].document as Record<string, unknown>) : {};
  }

  async saveSettings(settings: Record<string, unknown>, now: number): Promise<void> {
    await this.pool.query({
      name: 'wm-save-settings',
      text: 'INSERT INTO settings (id, document, updated_at) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at',
      values: [JSON.stringify(settings), now],
    });
  }

  async traitNames(): Promise<Set<string>> {
    const { rows } = await this.pool.query({ name: 'wm-trait-names', text: 'SELECT name FROM trait_names ORDER BY name' });
    return new Set((rows as Row[]).map((r) => r.name as string));
  }

  // ---- outbox

  /**
   * Claims up to `limit` pending messages for this caller: they are leased for `leaseMs` on the database
   * clock, during which no other call returns them. recordOutcomes ends the lease; a lease that runs out
   * (its dispatcher died) makes the message claimable again, so delivery is at least once.
   */
  async pendingMessages(limit: number): Promise<Message[]> {
    if (limit <= 0) return [];
    const { rows } = await this.pool.query({
      name: 'wm-claim-pending',
      text: `WITH claim AS MATERIALIZED (
               SELECT seq FROM messages
               WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < (extract(epoch FROM statement_timestamp()) * 1000)::bigint)
               ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED
             )
             UPDATE messages m SET lease_until = (extract(epoch FROM statement_timestamp()) * 1000)::bigint + $2
             WHERE m.seq = ANY (ARRAY(SELECT seq FROM claim))
             RETURNING ${MESSAGE_COLUMNS.split(', ').map((c) => `m.${c}`).join(', ')}`,
      values: [limit, this.leaseMs],
    });
    return (rows as Row[]).map(toMessage).sort((a, b) => a.seq - b.seq);
  }

  async recordOutcomes(outcomes: SendOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    // The first outcome of a message counts, as when they are applied one by one.
    const firsts = new Map<string, SendOutcome>();
    for (const o of outcomes) if (!firsts.has(o.id)) firsts.set(o.id, o);
    const list = [...firsts.values()].sort((a, b) => compare(a.id, b.id));
    // One statement: only messages still pending change (idempotent), and each change is counted.
    await this.pool.query({
      name: 'wm-record-outcomes',
      text: `WITH target AS MATERIALIZED (
               SELECT m.seq, o.status, o.at, o.error
               FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) AS o(id, status, at, error) JOIN messages m ON m.id = o.id
               WHERE m.status = 'pending' ORDER BY m.id FOR UPDATE OF m
             ),
             recorded AS (
               UPDATE messages m SET status = t.status, sent_at = t.at, reason = t.error, attempts = m.attempts + 1, lease_until = NULL
               FROM target t
               WHERE m.seq = t.seq AND m.status = 'pending'
               RETURNING m.journey_id, m.version, m.node_id, t.status
             )
             INSERT INTO stats (journey_id, version, node_id, metric, count)
             SELECT journey_id, version, node_id, CASE status WHEN 'sent' THEN 'node_sent' ELSE 'node_failed' END AS metric, count(*)
             FROM recorded GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
             ON CONFLICT (journey_id, version, node_id, metric) DO UPDATE SET count = stats.count + excluded.count`,
      values: [list.map((o) => o.id), list.map((o) => o.status), list.map((o) => o.at), list.map((o) => o.error ?? null)],
    });
  }

  /**
   * One statement: the first click is set under the row's lock, and a concurrent second click re-checks the
   * row as the first left it (clicked), so it changes nothing. True when the message exists.
   */
  async recordClick(messageId: string, at: number): Promise<boolean> {
    const { rows } = await this.pool.query({
      name: 'wm-record-click',
      text: `WITH clicked AS (
               UPDATE messages SET clicked_at = $2 WHERE id = $1 AND clicked_at IS NULL RETURNING 1
             )
             SELECT EXISTS (SELECT 1 FROM clicked) OR EXISTS (SELECT 1 FROM messages WHERE id = $1) AS found`,
      values: [messageId, at],
    });
    return rows[0].found === true;
  }

  // ---- reads

  async listMessages(q: MessageQuery): Promise<Message[]> {
    const after = q.after ?? 0;
    const { rows } =
      q.userId !== undefined
        ? await this.pool.query({ name: 'wm-messages-of-user', text: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, values: [q.userId, after, q.limit] })
        : q.journeyId !== undefined
          ? await this.pool.query({ name: 'wm-messages-of-journey', text: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE journey_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, values: [q.journeyId, after, q.limit] })
          : await this.pool.query({ name: 'wm-messages', text: `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE seq > $1 ORDER BY seq LIMIT $2`, values: [after, q.limit] });
    return (rows as Row[]).map(toMessage);
  }

  async userEvents(userId: string, limit: number): Promise<StoredEvent[]> {
    const { rows } = await this.pool.query({
      name: 'wm-user-events',
      text: 'SELECT message_id, user_id, name, ts, properties, received_at FROM events WHERE user_id = $1 ORDER BY ts DESC, seq DESC LIMIT $2',
      values: [userId, limit],
    });
    return (rows as Row[]).map(toEvent);
  }

  async userInstances(userId: string): Promise<Instance[]> {
    const { rows } = await this.pool.query({ name: 'wm-user-instances', text: 'SELECT state FROM instances WHERE user_id = $1 ORDER BY updated_at DESC, id', values: [userId] });
    return (rows as Row[]).map((r) => r.state as Instance);
  }

  async journeyStats(journeyId: string): Promise<StatRow[]> {
    const { rows } = await this.pool.query({ name: 'wm-stats', text: 'SELECT version, node_id, metric, count FROM stats WHERE journey_id = $1 ORDER BY version, node_id, metric', values: [journeyId] });
    return (rows as Row[]).map((r) => ({ version: r.version as number, nodeId: r.node_id as string, metric: r.metric as string, count: r.count as number }));
  }

  // ---- retention

  async pruneEvents(before: number): Promise<PruneResult> {
    // Whole days only: the rest of before's day stays, and so do its events' ids.
    const cut = dayOf(before) * DAY_MS;
    const events = await this.partitions.dropBefore(cut);
    // The dedupe keys after the events (a failure in between leaves keys of dropped events, never events
    // without their keys), in batches: each a short statement of its own.
    for (;;) {
      const { rowCount } = await this.pool.query({
        name: 'wm-prune-event-ids',
        text: 'DELETE FROM event_ids WHERE message_id IN (SELECT message_id FROM event_ids WHERE received_at < $1 LIMIT $2)',
        values: [cut, PRUNE_BATCH],
      });
      if ((rowCount ?? 0) < PRUNE_BATCH) break;
    }
    return { events, before: cut };
  }

  // ---- internals

  /** Runs `fn` in one transaction on one pooled client; rolls back if it throws. */
  private async transaction<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
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

  private userLockKey(userId: string): number {
    return userLockKey(this.schema, userId);
  }

  /** Blocks until this transaction holds every user's lock, taken in ascending key order (no deadlock). */
  private async lockUsers(c: Client, users: string[]): Promise<void> {
    const keys = unique(users.map((u) => this.userLockKey(u))).sort((a, b) => a - b);
    // unnest yields the array in order and the function runs row by row, so the locks are taken in order.
    await c.query({ name: 'wm-lock-users', text: 'SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::bigint[]) AS k', values: [keys.map(String)] });
  }

  /** The stored events a journey started now may replay: see EventBatchView.recent. */
  private async loadRecent(c: Client, fresh: StoredEvent[], lookback: Lookback, view: EventBatchView): Promise<void> {
    const since = new Map<string, number>();
    for (const e of fresh) {
      if (lookback.startsJourney(e)) since.set(e.userId, Math.min(since.get(e.userId) ?? Infinity, e.timestamp));
    }
    if (since.size === 0 || lookback.names.size === 0) return;
    const { rows } = await c.query({
      name: 'wm-recent-events',
      text: RECENT_EVENTS_OF_USERS,
      values: [[...since.keys()], [...since.values()], [...lookback.names]],
    });
    for (const row of rows as Row[]) getOrCreate(view.recent, row.user_id as string, () => [] as StoredEvent[]).push(toEvent(row));
  }

  /**
   * What `spec` asks for about these users (and, for outcomes, these instances of theirs): one statement per
   * kind, in the unit's transaction (after its locks).
   */
  private async loadContext(c: Client, users: string[], instanceIds: string[], spec: UserContextSpec | undefined): Promise<UserContext> {
    const context: UserContext = { history: new Map(), sends: new Map() };
    if (!spec) return context;
    const history = spec.history;
    if (history && history.names.size > 0) {
      const { rows } = await c.query({ name: 'wm-history-of-users', text: EVENTS_OF_USERS, values: [users, [...history.names], history.since ?? MIN_TIMESTAMP] });
      for (const row of rows as Row[]) getOrCreate(context.history, row.user_id as string, () => [] as StoredEvent[]).push(toEvent(row));
    }
    if (spec.sendsSince !== null) {
      const { rows } = await c.query({ name: 'wm-sends-of-users', text: SENDS_OF_USERS, values: [users, spec.sendsSince] });
      for (const row of rows as Row[]) {
        getOrCreate(context.sends, row.user_id as string, () => [] as Array<{ channel: Channel; at: number }>).push({ channel: row.channel as Channel, at: row.created_at as number });
      }
    }
    if (spec.outcomes) {
      const messages = new Map<string, InstanceMessage[]>();
      if (instanceIds.length > 0) {
        const { rows } = await c.query({ name: 'wm-messages-of-instances', text: MESSAGES_OF_INSTANCES, values: [unique(instanceIds)] });
        for (const row of rows as Row[]) getOrCreate(messages, row.instance_id as string, () => [] as InstanceMessage[]).push(toInstanceMessage(row));
      }
      context.messages = messages;
    }
    return context;
  }

  /**
   * Records the trait names of these patches this process has not seen, in the caller's transaction; returns
   * them, to remember once it commits. In name order ("C"), last in every transaction that writes profiles,
   * so two transactions inserting the same new names never wait for each other in a cycle.
   */
  private async recordTraitNames(c: Client, profiles: ProfileUpsert[]): Promise<string[]> {
    const names = this.traitNameCache.unknown(profiles);
    if (names.length > 0) {
      await c.query({
        name: 'wm-insert-trait-names',
        text: 'INSERT INTO trait_names (name) SELECT n FROM unnest($1::text[]) AS n ORDER BY n COLLATE "C" ON CONFLICT (name) DO NOTHING',
        values: [names],
      });
    }
    return names;
  }

  private async loadProfiles(c: Client, users: string[]): Promise<Map<string, Profile>> {
    const { rows } = await c.query({ name: 'wm-profiles-of', text: PROFILES_OF_USERS, values: [users] });
    const profiles = new Map<string, Profile>();
    for (const row of rows as Row[]) profiles.set(row.user_id as string, toProfile(row));
    return profiles;
  }

  /** Writes a unit of work's changes with one statement per table; returns the trait names it recorded. */
  private async apply(c: Client, changes: Changes, now: number): Promise<string[]> {
    const instances = lastById(changes.instances);
    if (instances.length > 0) {
      // In the order decide gave: an instance that exits is written before the one that replaces it.
      await c.query({
        name: 'wm-upsert-instances',
        text: `INSERT INTO instances (id, journey_id, version, user_id, status, wake_at, entered_at, exited_at, state, updated_at)
               SELECT id, j, v, u, s, w, e, x, st::jsonb, $10
               FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::text[]) AS i(id, j, v, u, s, w, e, x, st)
               ON CONFLICT (id) DO UPDATE SET status = excluded.status, wake_at = excluded.wake_at, entered_at = excluded.entered_at,
                 exited_at = excluded.exited_at, state = excluded.state, updated_at = excluded.updated_at`,
        values: [
          instances.map((i) => i.id),
          instances.map((i) => i.journeyId),
          instances.map((i) => i.version),
          instances.map((i) => i.userId),
          instances.map((i) => i.status),
          instances.map((i) => i.wakeAt),
          instances.map((i) => i.enteredAt),
          instances.map(exitedAt),
          instances.map((i) => JSON.stringify(i)),
          now,
        ],
      });
    }
    const messages = firstById(changes.messages);
    if (messages.length > 0) {
      // In the order decide gave, which is the order of seq.
      await c.query({
        name: 'wm-insert-messages',
        text: `INSERT INTO messages (id, journey_id, version, instance_id, node_id, user_id, channel, status, reason, content, created_at, sent_at)
               SELECT id, j, v, i, n, u, ch, s, r, co::jsonb, ca, sa
               FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[], $12::bigint[])
                 AS m(id, j, v, i, n, u, ch, s, r, co, ca, sa)
               ON CONFLICT (id) DO NOTHING`,
        values: [
          messages.map((m) => m.id),
          messages.map((m) => m.journeyId),
          messages.map((m) => m.version),
          messages.map((m) => m.instanceId),
          messages.map((m) => m.nodeId),
          messages.map((m) => m.userId),
          messages.map((m) => m.channel),
          messages.map((m) => m.status),
          messages.map((m) => m.reason),
          messages.map((m) => (m.content === null ? null : JSON.stringify(m.content))),
          messages.map((m) => m.createdAt),
          messages.map((m) => m.sentAt),
        ],
      });
    }
    const followUps = firstByMessageId(changes.followUps ?? []);
    if (followUps.length > 0) {
      // seq (the drain order) follows the order given; the ids are inserted in message-id order, so two units
      // adding the same ids never wait on each other's uncommitted ones in opposite orders. An id already in
      // the inbox is left as it is (a row a drain has claimed but not yet deleted is only locked: no wait).
      await c.query({
        name: 'wm-insert-inbox',
        text: `WITH input AS (
                 SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]) WITH ORDINALITY AS e(m, u, n, t, p, ord)
               ),
               numbered AS MATERIALIZED (
                 SELECT input.*, nextval('inbox_seq_seq') AS seq FROM input ORDER BY ord
               )
               INSERT INTO inbox (seq, message_id, user_id, name, ts, properties, created_at)
               SELECT seq, m, u, n, t, p::jsonb, $6 FROM numbered ORDER BY m COLLATE "C"
               ON CONFLICT (message_id) DO NOTHING`,
        values: [
          followUps.map((e) => e.messageId),
          followUps.map((e) => e.userId),
          followUps.map((e) => e.name),
          followUps.map((e) => e.timestamp),
          followUps.map((e) => JSON.stringify(e.properties)),
          now,
        ],
      });
    }
    await addStats(c, changes.stats);
    if (!changes.profiles || changes.profiles.length === 0) return [];
    await writeProfiles(c, changes.profiles, now);
    return this.recordTraitNames(c, changes.profiles);
  }
}

/**
 * One page of moveInstances: $1 journey, $2 the version to move to, $3 the node ids whose instances move,
 * $4 now, $5 the page size, $6 the last user id of the previous page (when `after`). Returns how many
 * moved, how many live instances the page held, and its last user id.
 */
function moveInstancesSql(after: boolean): string {
  return `WITH page AS MATERIALIZED (
            SELECT id, user_id FROM instances
            WHERE journey_id = $1 AND status <> 'exited' ${after ? 'AND user_id > $6::text COLLATE "C"' : ''}
            ORDER BY user_id LIMIT $5
          ),
          target AS MATERIALIZED (
            SELECT id FROM instances
            WHERE id = ANY (ARRAY(SELECT id FROM page)) AND status <> 'exited' AND version <> $2
              AND (state ->> 'nodeId' IS NULL OR state ->> 'nodeId' = ANY ($3::text[]))
            ORDER BY id FOR UPDATE
          ),
          moved AS (
            UPDATE instances i SET version = $2, state = jsonb_set(i.state, '{version}', to_jsonb($2::int)), updated_at = $4
            WHERE i.id = ANY (ARRAY(SELECT id FROM target))
            RETURNING 1
          )
          SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM page) AS scanned,
                 (SELECT user_id FROM page ORDER BY user_id DESC LIMIT 1) AS last`;
}

/** Merges trait patches into profiles, batched: one statement per round (a user patched twice needs two). */
async function writeProfiles(c: Client, profiles: ProfileUpsert[], now: number): Promise<void> {
  // One statement cannot upsert a row twice: a user given twice gets a second round, applied in order.
  const rounds: ProfileUpsert[][] = [];
  const seen = new Map<string, number>();
  for (const p of profiles) {
    const round = seen.get(p.userId) ?? 0;
    seen.set(p.userId, round + 1);
    (rounds[round] ??= []).push(p);
  }
  for (const round of rounds) {
    // The patches travel as one jsonb object keyed by user id: the insert reads it in key order (the same
    // in every process, so concurrent upserts lock rows in one order), and the update looks up the raw
    // patch by key, since `excluded` only has the inserted (null-free) value.
    const patches: Record<string, Record<string, unknown>> = Object.create(null); // a user id may be "__proto__"
    for (const p of round) patches[p.userId] = p.traits;
    await c.query({
      name: 'wm-upsert-profiles',
      text: `INSERT INTO profiles (user_id, traits, updated_at)
             SELECT p.key, waymark_merge_patch('{}'::jsonb, p.value), $2 FROM jsonb_each($1::jsonb) AS p
             ON CONFLICT (user_id) DO UPDATE SET traits = waymark_merge_patch(profiles.traits, $1::jsonb -> excluded.user_id), updated_at = excluded.updated_at`,
      values: [JSON.stringify(patches), now],
    });
  }
}

/**
 * Adds counters: summed per key, written in key order so concurrent units of work lock the (hot) counter
 * rows in the same order.
 */
async function addStats(c: Client, deltas: StatDelta[]): Promise<void> {
  const sums = new Map<string, StatDelta>();
  for (const d of deltas) {
    if (d.count === 0) continue;
    const key = `${d.journeyId}\u0000${d.version}\u0000${d.nodeId}\u0000${d.metric}`;
    const known = sums.get(key);
    if (known) known.count += d.count;
    else sums.set(key, { ...d });
  }
  if (sums.size === 0) return;
  const list = [...sums.values()].sort((a, b) => compare(a.journeyId, b.journeyId) || a.version - b.version || compare(a.nodeId, b.nodeId) || compare(a.metric, b.metric));
  await c.query({
    name: 'wm-add-stats',
    text: `INSERT INTO stats (journey_id, version, node_id, metric, count)
           SELECT j, v, n, m, c FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::bigint[]) AS d(j, v, n, m, c)
           ON CONFLICT (journey_id, version, node_id, metric) DO UPDATE SET count = stats.count + excluded.count`,
    values: [list.map((d) => d.journeyId), list.map((d) => d.version), list.map((d) => d.nodeId), list.map((d) => d.metric), list.map((d) => d.count)],
  });
}





/**
 * The advisory lock key that serializes a user's units of work: 53 bits of a hash of (schema, user id), so
 * the number round-trips exactly through a double. A collision only makes two users share a lock.
 */
export function userLockKey(schema: string, userId: string): number {
  return hash53(`waymark:${schema}:user:${userId}`);
}

/** cyrb53: a fast, well-mixed 53-bit string hash (collisions only make two users share a lock). */
export function hash53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Code-unit order: any fixed order works for locking, as long as every process uses the same one. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** One row per instance: its last state, at its first position (decide's ChangeSet never repeats one). */
function lastById(instances: Instance[]): Instance[] {
  const byId = new Map<string, Instance>();
  for (const i of instances) byId.set(i.id, i);
  return [...byId.values()];
}

function firstById(messages: NewMessage[]): NewMessage[] {
  const byId = new Map<string, NewMessage>();
  for (const m of messages) if (!byId.has(m.id)) byId.set(m.id, m);
  return [...byId.values()];
}

function firstByMessageId(events: JourneyEvent[]): JourneyEvent[] {
  const byId = new Map<string, JourneyEvent>();
  for (const e of events) if (!byId.has(e.messageId)) byId.set(e.messageId, e);
  return [...byId.values()];
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
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
