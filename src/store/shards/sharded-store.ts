/**
 * The embedded store split by user (docs/scaling.md, "Shards"): a SQLite file for each shard of the users,
 * each written by an engine thread of its own (engine/thread/sharded-engine.ts), so the engine uses more than
 * one core. This is the Store over all of them, held to the same contract as the others:
 *
 *  - shared: what is not a user's (keys, people, projects, journeys, settings, providers, the copy assistant,
 *    scheduled runs) lives in the main file, shard 0 (main-file-methods.ts);
 *  - reads: one connection to the main file with the others attached, its tables of users' rows read through
 *    views of every file, so the SQLite store's reads run unchanged (shard-reads.ts);
 *  - a user's writes: in the user's shard, by a hash of the id the identity map resolves it to (shard-files.ts);
 *  - the engine's work (timers, the inbox, the outbox, retention): every shard's, asked in turn;
 *  - by message id (engagement, receipts, bounces): the shard that has it.
 *
 * Message numbers come from one counter the shards share (message-numbers.ts), and the log is read only below
 * the lowest number a shard holds uncommitted. An identity merge of users in two shards moves the old id's rows
 * (shard-moves.ts).
 */
import type { JourneyEvent } from '../../core/instance.ts';
import { planMerge, type IdentityMerge, type MergeResult } from '../identities.ts';
import { SqliteStore } from '../sqlite/sqlite-store.ts';
import { MAX_REQUEUE, type CapsIndexChange, type Changes, type DeadLetterFilter, type DeliveryUpdate, type Engagement, type EngagementResult, type EventBatchView, type InboxMessage, type IngestResult, type Lookback, type Message, type MessageStatus, type ProfileUpsert, type PruneResult, type RecordedOutcome, type ShortLink, type Store, type TimerBatchView, type UserContextSpec } from '../store.ts';
import { checkShardLayout } from './layout.ts';
import { MessageNumbers, messageNumberMemory, startNumbersAfter } from './message-numbers.ts';
import { ShardReads } from './shard-reads.ts';
import { shardOf } from './shard-files.ts';
import { finishMoves, moveUser } from './shard-moves.ts';

export class ShardedStore extends ShardReads implements Store {
  readonly outboxLeaseMs: number;
  /** Which shard each claimed message came from, for its outcome (cleared as outcomes come). */
  private readonly claimed = new Map<string, number>();
  /** The shard asked first for pending messages: each in turn, so none starves. */
  private turn = 0;

  /**
   * `shards`: a connection to each file, the main one first (for this thread's writes); `reader`: the main file
   * with the others attached (reads); `numberMemory`: the counters the shards' writers share, for the engine
   * threads to number from (message-numbers.ts).
   */
  private constructor(
    readonly shards: readonly SqliteStore[],
    reader: SqliteStore,
    readonly numberMemory: SharedArrayBuffer,
  ) {
    super(shards[0]!, reader, new MessageNumbers(numberMemory, null));
    this.outboxLeaseMs = shards[0]!.outboxLeaseMs;
  }

  /**
   * Opens (creating and migrating) every shard's file, each checked to be of a database of this many shards
   * before the next is opened (layout.ts: a new one records it); starts the shared counters after every number in
   * any file; finishes the moves a stopped process left half done, before anything reads the files; then opens
   * the reading connection over them.
   */
  static open(files: readonly string[]): ShardedStore {
    const memory = messageNumberMemory(files.length);
    const shards: SqliteStore[] = [];
    try {
      for (let k = 0; k < files.length; k++) {
        // This thread's writers are N + k: the engine threads are k (message-numbers.ts).
        shards.push(new SqliteStore(files[k]!, { numbers: new MessageNumbers(memory, files.length + k) }));
        checkShardLayout(shards[k]!, files.length, files[k]!);
      }
      startNumbersAfter(memory, shards.map((s) => s.highestNumbers()));
      finishMoves(shards);
      return new ShardedStore(shards, new SqliteStore(files[0]!, { shardViews: files.slice(1) }), memory);
    } catch (error) {
      for (const s of shards) void s.close();
      throw error;
    }
  }

  /** The shard of a user, by the id as given: callers resolve merged ids first (route). */
  shardOfUser(userId: string): number {
    return shardOf(userId, this.shards.length);
  }

  /** Items grouped by the shard of the user each resolves to through the identity map. */
  async route<T>(items: readonly T[], userOf: (item: T) => string): Promise<Map<number, T[]>> {
    return this.grouped(items, userOf, await this.resolveIdentities(items.map(userOf)));
  }

  /** route, with the ids already resolved (`resolved`: id -> user), each shard's items in the order given. */
  grouped<T>(items: readonly T[], userOf: (item: T) => string, resolved: ReadonlyMap<string, string>): Map<number, T[]> {
    const byShard = new Map<number, T[]>();
    for (const item of items) {
      const k = this.shardOfResolved(userOf(item), resolved);
      const list = byShard.get(k);
      if (list) list.push(item);
      else byShard.set(k, [item]);
    }
    return byShard;
  }

  /** Items in runs of consecutive ones of one shard, in the order given. */
  private runsOf<T>(items: readonly T[], userOf: (item: T) => string, resolved: ReadonlyMap<string, string>): Array<[number, T[]]> {
    const runs: Array<[number, T[]]> = [];
    for (const item of items) {
      const k = this.shardOfResolved(userOf(item), resolved);
      const last = runs.at(-1);
      if (last && last[0] === k) last[1].push(item);
      else runs.push([k, [item]]);
    }
    return runs;
  }

  async close(): Promise<void> {
    await this.reader.close();
    for (const s of this.shards) await s.close();
  }

  async ping(): Promise<void> {
    for (const s of this.shards) await s.ping();
  }

  // ---- a user's writes, in the user's shard

  async upsertProfiles(profiles: ProfileUpsert[], now: number): Promise<void> {
    for (const [k, part] of await this.route(profiles, (p) => p.userId)) await this.shards[k]!.upsertProfiles(part, now);
  }

  /**
   * Shard by shard, in runs of consecutive events of one shard: events keep the order given (their arrival
   * order, which numbers them), a user's always, and others' too.
   */
  async ingestEvents(events: JourneyEvent[], now: number, decide: (view: EventBatchView) => Changes, lookback?: Lookback, context?: UserContextSpec): Promise<IngestResult> {
    const result: IngestResult = { accepted: 0, duplicates: 0 };
    for (const [k, run] of this.runsOf(events, (e) => e.userId, await this.resolveIdentities(events.map((e) => e.userId)))) {
      const r = await this.shards[k]!.ingestEvents(run, now, decide, lookback, context);
      result.accepted += r.accepted;
      result.duplicates += r.duplicates;
    }
    return result;
  }

  async markInbox(userId: string, messageId: string, mark: 'read' | 'dismissed', at: number): Promise<InboxMessage | null> {
    return this.shards[this.shardOfResolved(userId, await this.resolveIdentities([userId]))]!.markInbox(userId, messageId, mark, at);
  }

  /** In one shard, that shard's merge; across two, the old id's rows move first (shard-moves.ts). */
  async mergeIdentity(merge: IdentityMerge, now: number): Promise<MergeResult> {
    const resolved = await this.resolveIdentities([merge.from, merge.into]);
    // Decided on the whole map: a shard's own part of it may not have the id merged before.
    const plan = planMerge(merge, resolved.get(merge.from)!, resolved.get(merge.into)!);
    if (plan.kind === 'noop') return plan.result;
    const from = this.shardOfUser(plan.from);
    const into = this.shardOfUser(plan.into);
    if (from === into) return this.shards[into]!.mergeIdentity(merge, now);
    return moveUser(this.shards[from]!, this.shards[into]!, from, merge, now, [plan.from, plan.into]);
  }

  /** The shard of the user `id` resolves to in `resolved` (an id left out is its own user). */
  private shardOfResolved(id: string, resolved: ReadonlyMap<string, string>): number {
    return this.shardOfUser(resolved.get(id) ?? id);
  }

  // ---- the engine's work: every shard's

  async fireDueTimers(now: number, limit: number, decide: (view: TimerBatchView) => Changes, context?: UserContextSpec): Promise<number> {
    let n = 0;
    for (const s of this.shards) n += await s.fireDueTimers(now, limit, decide, context);
    return n;
  }

  async drainInbox(now: number, limit: number, decide: (view: EventBatchView) => Changes, lookback?: Lookback, context?: UserContextSpec): Promise<number> {
    let n = 0;
    for (const s of this.shards) n += await s.drainInbox(now, limit, decide, lookback, context);
    return n;
  }

  async nextWakeAt(): Promise<number | null> {
    return earliest(await Promise.all(this.shards.map((s) => s.nextWakeAt())));
  }

  async lastWakeAt(): Promise<number | null> {
    const all = (await Promise.all(this.shards.map((s) => s.lastWakeAt()))).filter((t): t is number => t !== null);
    return all.length === 0 ? null : Math.max(...all);
  }

  async stopInstances(journeyId: string, now: number): Promise<number> {
    let n = 0;
    for (const s of this.shards) n += await s.stopInstances(journeyId, now);
    return n;
  }

  async moveInstances(journeyId: string, toVersion: number, nodeIds: readonly string[], now: number): Promise<number> {
    let n = 0;
    for (const s of this.shards) n += await s.moveInstances(journeyId, toVersion, nodeIds, now);
    return n;
  }

  /** Each shard in turn, from a different one each call, up to `limit` in all: no shard's outbox starves. */
  async pendingMessages(limit: number, now?: number): Promise<Message[]> {
    const found: Message[] = [];
    const start = this.turn++ % this.shards.length;
    for (let i = 0; i < this.shards.length && found.length < limit; i++) {
      const k = (start + i) % this.shards.length;
      for (const m of await this.shards[k]!.pendingMessages(limit - found.length, now)) {
        this.claimed.set(m.id, k);
        found.push(m);
      }
    }
    return found;
  }

  async recordOutcomes(outcomes: RecordedOutcome[]): Promise<void> {
    for (const [k, part] of await this.byMessage(outcomes, (o) => o.id)) await this.shards[k]!.recordOutcomes(part);
    for (const o of outcomes) this.claimed.delete(o.id);
  }

  async markSending(ids: readonly string[], at: number): Promise<void> {
    for (const [k, part] of await this.byMessage(ids, (id) => id)) await this.shards[k]!.markSending(part, at);
  }

  async releaseClaims(claims: ReadonlyArray<{ id: string; claims: number }>): Promise<void> {
    for (const [k, part] of await this.byMessage(claims, (c) => c.id)) await this.shards[k]!.releaseClaims(part);
    for (const c of claims) this.claimed.delete(c.id);
  }

  /** At most MAX_REQUEUE in all: each shard's oldest first, shard by shard. */
  async requeueDeadMessages(filter: DeadLetterFilter, now: number): Promise<number> {
    let n = 0;
    for (const s of this.shards) {
      if (n >= MAX_REQUEUE) break;
      n += await s.requeueDeadMessages(filter, now, MAX_REQUEUE - n);
    }
    return n;
  }

  async countDeadMessages(filter: DeadLetterFilter): Promise<number> {
    let n = 0;
    for (const s of this.shards) n += await s.countDeadMessages(filter);
    return Math.min(n, MAX_REQUEUE);
  }

  async frequencyCapsSet(capped: boolean, onBuild?: (messages: number) => void): Promise<CapsIndexChange> {
    let change: CapsIndexChange = null;
    for (const s of this.shards) change = (await s.frequencyCapsSet(capped, onBuild)) ?? change;
    return change;
  }

  async pruneEvents(before: number): Promise<PruneResult> {
    let events = 0;
    for (const s of this.shards) events += (await s.pruneEvents(before)).events;
    return { events, before };
  }

  /** Kept where the dispatcher that made them runs; read through the views from any shard. */
  saveShortLinks(links: readonly ShortLink[], now: number): Promise<void> {
    return this.main.saveShortLinks(links, now);
  }

  // ---- by message id: the shard that has it

  async recordEngagement(messageId: string, kind: Engagement, at: number): Promise<EngagementResult | null> {
    return this.firstOf((s) => s.recordEngagement(messageId, kind, at));
  }

  async recordDelivery(update: DeliveryUpdate): Promise<boolean> {
    return (await this.firstOf(async (s) => ((await s.recordDelivery(update)) ? true : null))) ?? false;
  }

  async bounceMessage(id: string, reason: string): Promise<MessageStatus | null> {
    return this.firstOf((s) => s.bounceMessage(id, reason));
  }

  /** The first answer that is not null, asking each shard in turn: a probe of a unique index each. */
  private async firstOf<T>(ask: (s: SqliteStore) => Promise<T | null>): Promise<T | null> {
    for (const s of this.shards) {
      const answer = await ask(s);
      if (answer !== null) return answer;
    }
    return null;
  }

  /** Items by the shard of their message: known from its claim, else found through the views. */
  private async byMessage<T>(items: readonly T[], idOf: (item: T) => string): Promise<Map<number, T[]>> {
    const byShard = new Map<number, T[]>();
    for (const item of items) {
      const id = idOf(item);
      let k = this.claimed.get(id);
      // Not claimed through this store (an outcome recorded without a claim): the shard that has it, else the main one.
      k ??= (await this.firstOf(async (s) => ((await s.getMessage(id)) ? this.shards.indexOf(s) : null))) ?? 0;
      const list = byShard.get(k);
      if (list) list.push(item);
      else byShard.set(k, [item]);
    }
    return byShard;
  }
}

function earliest(times: ReadonlyArray<number | null>): number | null {
  const all = times.filter((t): t is number => t !== null);
  return all.length === 0 ? null : Math.min(...all);
}
