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
 * One map, by user, holds all of a user's: the live passes and the last exits, each a short list searched by
 * journey (a user is in a few journeys at a time). With three maps (by user and journey, by instance id, and of
 * exits), and a map a user in two of them, this code took 9% of a simulation thread, most of it in cache misses in
 * tables of half a million users; 4-5% now (bench/RESULTS.md, 2026-12-07).
 *
 * Nothing here is undone by a rollback, so a unit of work hands its instances over only once its transaction
 * has committed (units-of-work.ts), and gives back the timers it claimed if it failed.
 */
import type { Instance } from '../../core/instance.ts';
import { TimeHeap } from '../../core/time-heap.ts';
import type { WaitingRow } from '../store.ts';
import { EXIT_UNKNOWN, exitedAtColumn } from './sqlite-rows.ts';

/** A user's live pass of a journey; a write of it moves `version` on, so its earlier timers are outdated. */
export interface Pass {
  instance: Instance;
  /** The latest write's; GONE once the pass is no longer live. */
  version: number;
}

/** When a user last left a journey (null: a pass that exited without a time). */
export interface Exit {
  journeyId: string;
  at: number | null;
}

/** What is kept of one user. */
interface UserPasses {
  live: Pass[];
  exits: Exit[];
}

/** A timer in the heap; current while its pass is at the version it was set by. */
interface Timer {
  at: number;
  pass: Pass;
  version: number;
}

/** The version of a pass no longer live: no timer is current for it. */
const GONE = -1;

/** What the file's unique index of live passes would refuse. */
function secondPass(i: Instance, current: string): Error {
  return new Error(`user ${i.userId} has a live pass of journey ${i.journeyId} already (${current}); ${i.id} cannot be another`);
}

/** The pass of a journey in a user's list, or -1. */
function indexOfJourney(live: readonly Pass[], journeyId: string): number {
  for (let k = 0; k < live.length; k++) if (live[k]!.instance.journeyId === journeyId) return k;
  return -1;
}

export class LiveInstances {
  private readonly users = new Map<string, UserPasses>();
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
    const live = this.users.get(i.userId)?.live;
    if (!live) return null;
    const k = indexOfJourney(live, i.journeyId);
    return k < 0 ? null : live[k]!.instance.id;
  }

  /** Writes instances a committed unit of work changed (check said they may be). */
  write(instances: readonly Instance[]): void {
    for (const instance of instances) this.writeOne(instance);
  }

  /** The user's live passes and, per journey they entered, when they last left it (as unit-views.ts reads them from the file). */
  of(userId: string): { readonly live: readonly Pass[]; readonly exits: readonly Exit[] } | undefined {
    return this.users.get(userId);
  }

  /**
   * Takes up to `limit` instances due at `now`, earliest first. They are out of the heap until written (or
   * given back): a unit of work moves each on, which sets its next timer.
   */
  claimDue(now: number, limit: number): Instance[] {
    const claimed: Instance[] = [];
    while (claimed.length < limit) {
      const timer = this.peek();
      if (timer === null || timer.at > now) break;
      this.timers.pop();
      claimed.push(timer.pass.instance);
    }
    return claimed;
  }

  /** Puts claimed instances that were not written back in the heap (a unit that failed, or did not move them). */
  giveBack(instances: readonly Instance[]): void {
    for (const { id, userId, journeyId } of instances) {
      const live = this.users.get(userId)?.live;
      const k = live ? indexOfJourney(live, journeyId) : -1;
      if (k < 0) continue;
      const pass = live![k]!;
      if (pass.instance.id === id && pass.instance.wakeAt !== null) this.timers.push({ at: pass.instance.wakeAt, pass, version: pass.version });
    }
  }

  nextWakeAt(): number | null {
    return this.peek()?.at ?? null;
  }

  /** The latest timer: a walk over the live instances (simulations ask once a stretch of timers, at the end). */
  lastWakeAt(): number | null {
    let last: number | null = null;
    for (const { instance } of this.passes()) if (instance.wakeAt !== null && (last === null || instance.wakeAt > last)) last = instance.wakeAt;
    return last;
  }

  /** As journey-waiting.ts counts them: the journey's live, active instances by version and node. */
  waiting(journeyId: string): WaitingRow[] {
    const counts = new Map<string, WaitingRow>();
    for (const { instance: i } of this.passes()) {
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
    for (const { instance } of this.passes()) if (instance.journeyId === journeyId) n += 1;
    return n;
  }

  private *passes(): Iterable<Pass> {
    for (const user of this.users.values()) yield* user.live;
  }

  private writeOne(i: Instance): void {
    const exitedAt = exitedAtColumn(i);
    let user = this.users.get(i.userId);
    const k = user ? indexOfJourney(user.live, i.journeyId) : -1;
    const current = k >= 0 ? user!.live[k]! : null; // the journey's live pass, this instance or (refused by check) another
    if (exitedAt !== null) {
      if (current?.instance.id === i.id) {
        current.version = GONE;
        user!.live.splice(k, 1);
      }
      if (i.enteredAt !== null) {
        if (!user) this.users.set(i.userId, (user = { live: [], exits: [] }));
        exited(user.exits, i.journeyId, exitedAt === EXIT_UNKNOWN ? null : exitedAt);
      }
      if (user && user.live.length === 0 && user.exits.length === 0) this.users.delete(i.userId);
      return;
    }
    if (!user) this.users.set(i.userId, (user = { live: [], exits: [] }));
    let pass: Pass;
    if (current?.instance.id === i.id) {
      pass = current;
      pass.instance = i;
      pass.version = ++this.writes;
    } else {
      pass = { instance: i, version: ++this.writes };
      if (current) {
        current.version = GONE;
        user.live[k] = pass;
      } else user.live.push(pass);
    }
    if (i.wakeAt !== null) this.timers.push({ at: i.wakeAt, pass, version: pass.version });
  }

  /** The earliest current timer, dropping outdated ones on the way; null when none is set. */
  private peek(): Timer | null {
    for (let top = this.timers.peek(); top !== undefined; top = this.timers.peek()) {
      if (top.pass.version === top.version) return top;
      this.timers.pop();
    }
    return null;
  }
}

/** The latest exit wins; one without a time (null) counts only while there is none with one. */
function exited(exits: Exit[], journeyId: string, at: number | null): void {
  for (const exit of exits) {
    if (exit.journeyId !== journeyId) continue;
    if (exit.at === null || (at !== null && at > exit.at)) exit.at = at;
    return;
  }
  exits.push({ journeyId, at });
}
