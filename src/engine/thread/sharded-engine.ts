/**
 * The engines of a database split by user (store/shards/), one thread each, seen from the main thread as one
 * EngineHandle: a batch of events or trait patches is split by the shard of each user (after the identity map)
 * and each part goes to its shard's thread. Two shards on two cores held 10,000 carts/s in every run and 12,000
 * in a quiet stretch, where one engine thread held 7,000 (bench/RESULTS.md, 2026-12-08).
 *
 * An identity merge of users in two shards moves the old id's rows on this thread (store/shards/shard-moves.ts):
 * the events of either id sent before it commit first, those sent after it wait for it, and both threads read
 * the two users' profiles afresh from before it until after it.
 */
import { systemClock, type Clock } from '../../core/clock.ts';
import type { JourneyEvent } from '../../core/instance.ts';
import { planMerge } from '../../store/identities.ts';
import type { ShardedStore } from '../../store/shards/sharded-store.ts';
import type { IdentityMerge, IngestResult, MergeResult, ProfileUpsert } from '../../store/store.ts';
import type { EngineCounts } from '../counters.ts';
import type { EngineHandle } from '../handle.ts';
import type { ThreadedEngine } from './threaded-engine.ts';

export class ShardedEngine implements EngineHandle {
  readonly clock: Clock = systemClock;
  /** Each shard's calls under way: a merge across shards waits for those of its two shards. */
  private readonly underway: Array<Set<Promise<unknown>>>;
  /** Users in a merge across shards: their next events wait for it. */
  private readonly moving = new Map<string, Promise<unknown>>();

  constructor(
    private readonly engines: readonly ThreadedEngine[],
    private readonly store: ShardedStore,
  ) {
    this.underway = engines.map(() => new Set());
  }

  async ingest(events: JourneyEvent[], receivedAt = this.clock.now()): Promise<IngestResult> {
    const results = await this.whenNotMoving(
      events.map((e) => e.userId),
      (resolved) => Promise.all([...this.store.grouped(events, (e) => e.userId, resolved)].map(([k, part]) => this.track(k, this.engines[k]!.ingest(part, receivedAt)))),
    );
    return { accepted: sum(results.map((r) => r.accepted)), duplicates: sum(results.map((r) => r.duplicates)) };
  }

  async upsertProfiles(profiles: ProfileUpsert[]): Promise<void> {
    await this.whenNotMoving(
      profiles.map((p) => p.userId),
      (resolved) => Promise.all([...this.store.grouped(profiles, (p) => p.userId, resolved)].map(([k, part]) => this.track(k, this.engines[k]!.upsertProfiles(part)))),
    );
  }

  identify(merge: IdentityMerge, receivedAt = this.clock.now()): Promise<MergeResult> {
    return this.whenNotMoving([merge.from, merge.into], (resolved) => {
      const plan = planMerge(merge, resolved.get(merge.from)!, resolved.get(merge.into)!);
      if (plan.kind === 'noop') return Promise.resolve(plan.result);
      const from = this.store.shardOfUser(plan.from);
      const into = this.store.shardOfUser(plan.into);
      if (from === into) return this.track(into, this.engines[into]!.identify(merge, receivedAt));
      // Taken now, with the map just read: every call routed before is under way, every later one waits.
      const before = [...this.underway[from]!, ...this.underway[into]!];
      const held = [plan.from, plan.into];
      const both = [this.engines[from]!, this.engines[into]!];
      const move = (async () => {
        // Held out of both threads' caches from before the move until after it: a unit in between reads them afresh.
        await Promise.all(both.map((e) => e.holdProfiles(held, true)));
        try {
          await Promise.allSettled(before);
          return await this.store.mergeIdentity(merge, receivedAt);
        } finally {
          await Promise.all(both.map((e) => e.holdProfiles(held, false)));
        }
      })();
      const users = [merge.from, merge.into, plan.into];
      for (const user of users) this.moving.set(user, move);
      const done = () => {
        for (const user of users) if (this.moving.get(user) === move) this.moving.delete(user);
      };
      move.then(done, done);
      return move;
    });
  }

  async reloadJourneys(): Promise<void> {
    await Promise.all(this.engines.map((e) => e.reloadJourneys()));
  }

  /** Every shard's counters, added up. */
  async counters(): Promise<EngineCounts> {
    const all = await Promise.all(this.engines.map((e) => e.counters()));
    const added = <T extends { count: number }>(lists: T[][], key: (item: T) => string): T[] => {
      const byKey = new Map<string, T>();
      for (const item of lists.flat()) {
        const k = key(item);
        const seen = byKey.get(k);
        byKey.set(k, seen ? { ...seen, count: seen.count + item.count } : { ...item });
      }
      return [...byKey.values()];
    };
    return {
      messages: added(all.map((c) => c.messages), (m) => `${m.channel}\u0000${m.status}`),
      senderErrors: added(all.map((c) => c.senderErrors), (m) => m.channel),
      errors: added(all.map((c) => c.errors), (m) => m.where),
      timersFired: sum(all.map((c) => c.timersFired)),
    };
  }

  async stop(): Promise<void> {
    await Promise.all(this.engines.map((e) => e.stop()));
  }

  /**
   * Resolves the ids through the identity map and calls `act` with the map, once no merge across shards is
   * under way of any of them or of the users they resolve to. `act` runs in the same step as the last look at
   * the moves, so a call is either under way before a move starts (and the move waits for it) or waits for it.
   */
  private async whenNotMoving<T>(ids: readonly string[], act: (resolved: Map<string, string>) => Promise<T>): Promise<T> {
    for (;;) {
      const resolved = await this.store.resolveIdentities(ids);
      if (this.moving.size === 0) return act(resolved);
      const waits = new Set([...ids, ...resolved.values()].map((u) => this.moving.get(u)).filter((m) => m !== undefined));
      if (waits.size === 0) return act(resolved);
      await Promise.allSettled(waits);
    }
  }

  private track<T>(shard: number, call: Promise<T>): Promise<T> {
    const set = this.underway[shard]!;
    set.add(call);
    const done = () => set.delete(call);
    call.then(done, done);
    return call;
  }
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
