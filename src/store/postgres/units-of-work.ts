/**
 * The engine's units of work on the PostgreSQL store: ingest, the inbox drain and the timer claim, which read
 * a view, let decide (synchronous) choose the Changes, and commit them (apply-changes.ts); and the profile
 * upsert. Several engine processes, on several machines, run them against one database.
 *
 * Every unit of work (ingestEvents, drainInbox, fireDueTimers, stopInstances, recordOutcomes) is one READ COMMITTED
 * transaction on one pooled client, with one multi-row statement per table (unnest over array parameters)
 * whatever the batch size; decide, synchronous, runs between the reads and the writes. Concurrency rules:
 *
 *  - A user's units of work are serialized across processes by a transaction-level advisory lock on a
 *    53-bit hash of (schema, user id) (locks.ts); ids from outside are resolved through the identity map
 *    and both the ids and their users locked (identities.ts). Ingest takes its batch users' locks in ascending key order,
 *    and only then reads, so it sees every earlier unit of work of those users committed: two processes never
 *    both create a live instance for one user, and never both advance one instance from the same state.
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
 *    re-checks the row as it was left, and a unit reading a row being moved reads it moved (journey-instances.ts).
 *  - Everything else is taken in a fixed order, so waits cannot form a cycle: new event ids in message-id
 *    order (two processes may get overlapping batches), new inbox ids (follow-ups) in message-id order,
 *    stats counters (the only hot rows) sorted by key, then profiles, and new trait names (in name order) last
 *    (apply-changes.ts).
 *  - A scheduled entry's run is claimed with one upsert (journey_runs), leased on the engine's clock: the
 *    row lock makes the insert or the take-over of an expired lease happen once (scheduled-runs.ts).
 *  - Pending messages are leased (lease_until, on the database clock) so dispatchers do not send one message
 *    at the same time; an expired lease (a dead dispatcher) makes the message claimable again (outbox.ts).
 *
 * Events live in day partitions of received_at (see event-partitions.ts), and their dedupe keys in event_ids,
 * both pruned by pruneEvents (retention.ts). Timestamps are epoch milliseconds from the engine (`now`), in
 * bigint columns parsed to numbers.
 */
import type pg from 'pg';
import type { JourneyEvent } from '../../core/instance.ts';
import type { Changes, EventBatchView, IngestResult, Lookback, ProfileUpsert, StoredEvent, TimerBatchView, UserContextSpec } from '../store.ts';
import type { Row } from '../rows.ts';
import type { TraitNameCache } from '../trait-names.ts';
import { applyChanges, writeProfileChanges } from './apply-changes.ts';
import { transaction, UNIT_BEGIN, type Client } from './connection.ts';
import { type EventPartitions, isMissingPartition } from './event-partitions.ts';
import { lockResolved, mergedIds, retryWhileMapMoves } from './identities.ts';
import { tryLockUsers } from './locks.ts';
import { firstByMessageId, INSTANCE_COLUMNS, jsonArray, sqlNull, toInboxEvent, toInstance, unique } from './pg-rows.ts';
import { liveInstanceIds } from '../views.ts';
import { loadEventView, loadTimerView } from './unit-views.ts';

/** What the units of work share: the pool, the schema (for the user locks), the partitions, the trait names. */
export interface UnitContext {
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly partitions: EventPartitions;
  /** Trait names this process knows are recorded: a profile write inserts only others (usually none). */
  readonly traitNames: TraitNameCache;
}

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

type Decide<View> = (view: View) => Changes;

export async function ingestEvents(
  ctx: UnitContext,
  events: JourneyEvent[],
  now: number,
  decide: Decide<EventBatchView>,
  lookback?: Lookback,
  context?: UserContextSpec,
): Promise<IngestResult> {
  if (events.length === 0) return { accepted: 0, duplicates: 0 };
  return (await eventUnit(ctx, now, async () => ({ events }), decide, lookback, context)).result;
}

/**
 * One transaction, the same unit of work as ingestEvents: claim the oldest `limit` inbox rows (FOR UPDATE
 * SKIP LOCKED: another drain's rows are skipped, never waited for), process them as ingested, and delete
 * them last. Until that delete the claimed rows are only locked, and a follow-up insert of the same id
 * (ON CONFLICT DO NOTHING) does not wait for a row that is only locked: so the rows never make a unit of work
 * that holds user locks wait for this one while it waits for those locks. Once deleted, this transaction
 * waits for nothing more.
 */
export async function drainInbox(ctx: UnitContext, now: number, limit: number, decide: Decide<EventBatchView>, lookback?: Lookback, context?: UserContextSpec): Promise<number> {
  if (limit <= 0) return 0;
  return (await eventUnit(ctx, now, (c) => claimInbox(c, limit), decide, lookback, context)).claimed;
}

export async function fireDueTimers(ctx: UnitContext, now: number, limit: number, decide: Decide<TimerBatchView>, context?: UserContextSpec): Promise<number> {
  if (limit <= 0) return 0;
  return committed(ctx, async (c) => {
    // Rows another process has claimed are skipped, never waited for.
    const { rows } = await c.query({
      name: 'wm-claim-due',
      text: `SELECT user_id, ${INSTANCE_COLUMNS} FROM instances WHERE wake_at <= $1 ORDER BY wake_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      values: [now, limit],
    });
    if (rows.length === 0) return { value: 0, names: [] };
    // A user whose events are being ingested in another transaction right now is left for the next claim:
    // that transaction read the instance and will write it.
    const locked = await tryLockUsers(c, ctx.schema, (rows as Row[]).map((r) => r.user_id as string));
    const instances = (rows as Row[]).filter((r) => locked(r.user_id as string)).map(toInstance);
    if (instances.length === 0) return { value: 0, names: [] };
    const view = await loadTimerView(c, instances, context);
    const stored = new Set(instances.map((i) => i.id));
    return { value: instances.length, names: await applyChanges(c, ctx.traitNames, decide(view), now, stored) };
  });
}

/** A patch of a merged id is its user's: resolved under the users' locks (identities.ts). */
export async function upsertProfiles(ctx: UnitContext, profiles: ProfileUpsert[], now: number): Promise<void> {
  if (profiles.length === 0) return;
  await retryWhileMapMoves(() =>
    committed(ctx, async (c) => {
      const ids = profiles.map((p) => p.userId);
      const map = await mergedIds(c, ids);
      await lockResolved(c, ctx.schema, ids, map);
      const resolved = profiles.map((p) => ({ ...p, userId: map.get(p.userId) ?? p.userId }));
      return { value: undefined, names: await writeProfileChanges(c, ctx.traitNames, resolved, now) };
    }),
  );
}

/** Runs `fn` in one transaction, then remembers the trait names it recorded: once committed, never before. */
async function committed<T>(ctx: UnitContext, fn: (c: Client) => Promise<{ value: T; names: string[] }>): Promise<T> {
  const { value, names } = await transaction(ctx.pool, fn, UNIT_BEGIN);
  ctx.traitNames.remember(names);
  return value;
}

/**
 * A unit of work on events (ingestEvents, drainInbox): the events `source` gives, in one transaction. Their
 * rows all go to the partition of now's day: made first, in a transaction of its own.
 */
async function eventUnit(ctx: UnitContext, now: number, source: EventSource, decide: Decide<EventBatchView>, lookback?: Lookback, context?: UserContextSpec): Promise<EventUnitResult> {
  await ctx.partitions.ensure(now);
  try {
    return await retryWhileMapMoves(() => eventTransaction(ctx, now, source, decide, lookback, context));
  } catch (error) {
    if (!isMissingPartition(error)) throw error;
    // Another process's pruning dropped the day this process thought it had: make it again, once. The
    // event insert comes before decide, and the whole transaction (an inbox claim too) was rolled back.
    ctx.partitions.forget(now);
    await ctx.partitions.ensure(now);
    return eventTransaction(ctx, now, source, decide, lookback, context);
  }
}

function eventTransaction(ctx: UnitContext, now: number, source: EventSource, decide: Decide<EventBatchView>, lookback?: Lookback, context?: UserContextSpec): Promise<EventUnitResult> {
  return committed(ctx, async (c) => {
    const { events, finish } = await source(c);
    if (events.length === 0) return { value: { claimed: 0, result: { accepted: 0, duplicates: 0 } }, names: [] };
    const { result, names } = await processEvents(ctx, c, events, now, decide, lookback, context);
    if (finish) await finish(c);
    return { value: { claimed: events.length, result }, names };
  });
}

/** The oldest `limit` inbox rows no other transaction holds, locked; deleted once the unit has written. */
async function claimInbox(c: Client, limit: number): Promise<{ events: JourneyEvent[]; finish: (c: Client) => Promise<void> }> {
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
async function processEvents(
  ctx: UnitContext,
  c: Client,
  events: JourneyEvent[],
  now: number,
  decide: Decide<EventBatchView>,
  lookback: Lookback | undefined,
  context: UserContextSpec | undefined,
): Promise<{ result: IngestResult; names: string[] }> {
  // 1. Store the events not seen before, each of a merged id as its user's (identities.ts).
  const map = await mergedIds(c, events.map((e) => e.userId));
  const given = new Map<string, string>();
  for (const e of events) if (!given.has(e.messageId)) given.set(e.messageId, e.userId);
  const fresh = await insertFreshEvents(c, map.size === 0 ? events : events.map((e) => ({ ...e, userId: map.get(e.userId) ?? e.userId })), now);
  if (fresh.length === 0) return { result: { accepted: 0, duplicates: events.length }, names: [] };

  // 2. Serialize per user across processes (the ids given and the users they are), then read what decide needs.
  const users = unique(fresh.map((e) => e.userId));
  await lockResolved(c, ctx.schema, unique(fresh.map((e) => given.get(e.messageId)!)), map);
  const view = await loadEventView(c, fresh, users, lookback, context);
  const stored = new Set(liveInstanceIds(view.live));

  // 3. Decide (synchronous), then write.
  const names = await applyChanges(c, ctx.traitNames, decide(view), now, stored);
  return { result: { accepted: fresh.length, duplicates: events.length - fresh.length }, names };
}

/**
 * Inserts the events whose ids are new and returns them, as stored, in the order given. Their ids go into
 * event_ids first, in message-id order, so two processes given overlapping batches never wait on each other's
 * uncommitted ids in opposite orders (a deadlock). seq (arrival order) follows the order given.
 */
async function insertFreshEvents(c: Client, events: JourneyEvent[], now: number): Promise<StoredEvent[]> {
  const list = firstByMessageId(events);
  const { rows: inserted } = await c.query({
    name: 'wm-insert-events',
    text: `WITH input AS (
             SELECT * FROM ROWS FROM (unnest($1::text[]), unnest($2::text[]), unnest($3::text[]), unnest($4::bigint[]), json_array_elements($5::json))
               WITH ORDINALITY AS e(m, u, n, t, p, ord)
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
           SELECT seq, m, u, n, t, ${sqlNull('p')}, $6 FROM numbered
           RETURNING message_id`,
    values: [list.map((e) => e.messageId), list.map((e) => e.userId), list.map((e) => e.name), list.map((e) => e.timestamp), jsonArray(list.map((e) => e.properties)), now],
  });
  const freshIds = new Set(inserted.map((r: Row) => r.message_id as string));
  const fresh: StoredEvent[] = [];
  for (const e of events) {
    if (freshIds.delete(e.messageId)) fresh.push({ ...e, receivedAt: now });
  }
  return fresh;
}
