/**
 * A throwaway store's live instances and their timers, in memory (SqliteOptions.instances 'memory': simulate's
 * and a backtest's stores). What the file keeps for them otherwise: the instance rows, the index of a user's
 * live passes, the due timers' index, and per user and journey the last exit of a pass that entered (re-entry
 * rules). A simulation writes each of those at a random place of a file that grows to gigabytes, and reads
 * nothing else of an instance, so here they are a map, a heap and a map: a million-user `simulate` ran in 69-87
 * s instead of 85-111 in the same slow stretch (bench/RESULTS.md, 2026-12-06 evening), for about 1 KB of memory
 * a user in flight.
 *
 * Exited instances are not kept: only when each user last left each journey they had entered. The store
 * refuses the reads these would answer (a user's passes, a journey's series; sqlite-store.ts).
 *
 * Nothing here is undone by a rollback, so a unit of work hands its instances over only once its transaction
 * has committed (units-of-work.ts), and gives back the timers it claimed if it failed.
 */
import type { Instance } from '../../core/instance.ts';
import { TimeHeap } from '../../core/time-heap.ts';
import type { WaitingRow } from '../store.ts';
import { EXIT_UNKNOWN, exitedAtColumn } from './sqlite-rows.ts';

/** A timer in the heap; `version` tells a current one from one its instance has moved on from. */
interface Timer {
  at: number;
  id: string;
  version: number;
}

/** What the file's unique index of live passes would refuse. */
function secondPass(i: Instance, current: string): Error {
  return new Error(`user ${i.userId} has a live pass of journey ${i.journeyId} already (${current}); ${i.id} cannot be another`);
}

export class LiveInstances {
  /** user id -> journey id -> the live pass (at most one a journey). */
  private readonly byUser = new Map<string, Map<string, Instance>>();
  /** user id -> journey id -> the last exit of a pass that entered (null: one that exited without a time). */
  private readonly exits = new Map<string, Map<string, number | null>>();
  /** instance id -> the live instance and the version of its latest write. */
  private readonly byId = new Map<string, { instance: Instance; version: number }>();
  /** Due timers, earliest first; entries outdated by a later write are dropped when met. */
  private readonly timers = new TimeHeap<Timer>();
  private writes = 0;

  /**
   * Throws, as the file's unique index of live passes would, when writing `instances` in order would leave a
   * user two live passes of one journey. Called inside the unit's transaction, so the unit fails whole.
   */
  check(instances: readonly Instance[]): void {
    // Most units touch each user once: then each instance only has to agree with its user's live pass. Keying
    // every instance by user and journey joined built and hashed a new string each, 3.6% of a simulation thread.
    const users = new Set<string>();
    for (const i of instances) users.add(i.userId);
    if (users.size < instances.length) return this.checkInOrder(instances);
    for (const i of instances) {
      if (exitedAtColumn(i) !== null) continue;
      const current = this.livePassOf(i);
      if (current !== null && current !== i.id) throw secondPass(i, current);
    }
  }

  /** check, for a unit that writes several instances of a user: each against the passes left by those before it. */
  private checkInOrder(instances: readonly Instance[]): void {
    const after = new Map<string, string | null>(); // user and journey -> the live pass once the unit's writes so far are done
    for (const i of instances) {
      const key = `${i.userId}\u0000${i.journeyId}`;
      const current = after.has(key) ? after.get(key)! : this.livePassOf(i);
      if (exitedAtColumn(i) !== null) {
        if (current === i.id) after.set(key, null);
      } else if (current !== null && current !== i.id) {
        throw secondPass(i, current);
      } else after.set(key, i.id);
    }
  }

  /** The id of the live pass, kept now, of the instance's user in its journey. */
  private livePassOf(i: Instance): string | null {
    return this.byUser.get(i.userId)?.get(i.journeyId)?.id ?? null;
  }

  /** Writes instances a committed unit of work changed (check said they may be). */
  write(instances: readonly Instance[]): void {
    for (const instance of instances) this.writeOne(instance);
  }

  /** The users' live instances and, per journey they entered, when they last left it (as unit-views.ts reads them from the file). */
  of(userId: string): { live: Iterable<Instance>; exits: Iterable<[string, number | null]> } {
    return { live: this.byUser.get(userId)?.values() ?? [], exits: this.exits.get(userId) ?? [] };
  }

  /**
   * Takes up to `limit` instances due at `now`, earliest first. They are out of the heap until written (or
   * given back): a unit of work moves each on, which sets its next timer.
   */
  claimDue(now: number, limit: number): Instance[] {
    const claimed: Instance[] = [];
    while (claimed.length < limit) {
      const live = this.peek();
      if (live === null || live.at > now) break;
      this.timers.pop();
      claimed.push(this.byId.get(live.id)!.instance);
    }
    return claimed;
  }

  /** Puts claimed instances that were not written back in the heap (a unit that failed, or did not move them). */
  giveBack(instances: readonly Instance[]): void {
    for (const { id } of instances) {
      const kept = this.byId.get(id);
      if (kept && kept.instance.wakeAt !== null) this.timers.push({ at: kept.instance.wakeAt, id, version: kept.version });
    }
  }

  nextWakeAt(): number | null {
    return this.peek()?.at ?? null;
  }

  /** The latest timer: a walk over the live instances (simulations ask once a stretch of timers, at the end). */
  lastWakeAt(): number | null {
    let last: number | null = null;
    for (const { instance } of this.byId.values()) if (instance.wakeAt !== null && (last === null || instance.wakeAt > last)) last = instance.wakeAt;
    return last;
  }

  /** As journey-waiting.ts counts them: the journey's live, active instances by version and node. */
  waiting(journeyId: string): WaitingRow[] {
    const counts = new Map<string, WaitingRow>();
    for (const { instance: i } of this.byId.values()) {
      if (i.journeyId !== journeyId || i.status !== 'active' || i.nodeId === null) continue;
      const key = `${i.version}\u0000${i.nodeId}`;
      const row = counts.get(key);
      if (row) row.count += 1;
      else counts.set(key, { version: i.version, nodeId: i.nodeId, count: 1 });
    }
    return [...counts.values()].sort((a, b) => a.version - b.version || (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
  }

  liveCount(journeyId: string): number {
    let n = 0;
    for (const { instance } of this.byId.values()) if (instance.journeyId === journeyId) n += 1;
    return n;
  }

  private writeOne(i: Instance): void {
    const exitedAt = exitedAtColumn(i);
    const passes = this.byUser.get(i.userId);
    if (exitedAt !== null) {
      this.byId.delete(i.id);
      if (passes?.get(i.journeyId)?.id === i.id) {
        passes.delete(i.journeyId);
        if (passes.size === 0) this.byUser.delete(i.userId);
      }
      if (i.enteredAt !== null) this.exited(i.userId, i.journeyId, exitedAt === EXIT_UNKNOWN ? null : exitedAt);
      return;
    }
    if (passes) passes.set(i.journeyId, i);
    else this.byUser.set(i.userId, new Map([[i.journeyId, i]]));
    const version = ++this.writes;
    this.byId.set(i.id, { instance: i, version });
    if (i.wakeAt !== null) this.timers.push({ at: i.wakeAt, id: i.id, version });
  }

  /** The latest exit wins; one without a time (null) counts only while there is none with one. */
  private exited(userId: string, journeyId: string, at: number | null): void {
    let journeys = this.exits.get(userId);
    if (!journeys) this.exits.set(userId, (journeys = new Map()));
    const before = journeys.get(journeyId);
    if (before === undefined || before === null || (at !== null && at > before)) journeys.set(journeyId, at);
  }

  /** The earliest current timer, dropping outdated ones on the way; null when none is set. */
  private peek(): Timer | null {
    for (let top = this.timers.peek(); top !== undefined; top = this.timers.peek()) {
      if (this.byId.get(top.id)?.version === top.version) return top;
      this.timers.pop();
    }
    return null;
  }
}
