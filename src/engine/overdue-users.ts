/**
 * The users of a batch with a timer that was overdue as it was set (Instance.wakeNotBefore), still to fire:
 * each event of the batch fires the ones due before it, of every other user, in the order the users became
 * overdue (decide.ts, fireOverdue).
 *
 * Asking every overdue user at every event made a batch quadratic: when ingest falls behind, most timers a
 * batch sets are overdue, batches grow, and a 4,000-carts/s run on PostgreSQL spent 44% of its api process in
 * that loop and never caught up (bench/RESULTS.md). A heap keyed by each user's earliest overdue timer finds the
 * users due before an event without looking at the others.
 */
import type { Instance } from '../core/instance.ts';
import { TimeHeap } from '../core/time-heap.ts';

/** A timer that was already past when it was set, and has not fired yet. */
export const isOverdue = (i: Instance): boolean => i.wakeNotBefore !== undefined && i.wakeAt !== null && i.wakeAt < i.wakeNotBefore;

/** The earliest due time of the instances' overdue timers; undefined when none is overdue. */
function earliestOverdue(live: readonly Instance[]): number | undefined {
  let earliest: number | undefined;
  for (const i of live) if (isOverdue(i) && (earliest === undefined || i.wakeAt! < earliest)) earliest = i.wakeAt!;
  return earliest;
}

interface Entry {
  at: number;
  userId: string;
}

export class OverdueUsers {
  /** The overdue users, each with the place it took when it became overdue (as a Set keeps them). */
  private readonly order = new Map<string, number>();
  private next = 0;
  /** A min-heap by `at`. Entries go stale as users fire or leave; each is checked against `live` when taken. */
  private readonly heap = new TimeHeap<Entry>();

  constructor(private readonly live: (userId: string) => readonly Instance[]) {}

  get size(): number {
    return this.order.size;
  }

  /** After the user's live instances changed: keeps the user, in its place, while any timer is overdue. */
  update(userId: string, live: readonly Instance[]): void {
    const at = earliestOverdue(live);
    if (at === undefined) {
      this.order.delete(userId);
      return;
    }
    if (!this.order.has(userId)) this.order.set(userId, this.next++);
    this.heap.push({ at, userId });
  }

  /**
   * The users other than `except` with an overdue timer due before `timestamp`, in the order they became
   * overdue. The caller fires their timers and calls `update` for each (until then they stay due).
   */
  dueBefore(timestamp: number, except: string): string[] {
    const due = new Set<string>();
    const later: Entry[] = [];
    while ((this.heap.peek()?.at ?? Infinity) < timestamp) {
      const { userId } = this.heap.pop()!;
      if (!this.order.has(userId) || due.has(userId)) continue;
      const at = earliestOverdue(this.live(userId));
      if (at === undefined) continue;
      // Every user taken keeps an entry: the due ones too, until `update` says they fired.
      later.push({ at, userId });
      if (at < timestamp && userId !== except) due.add(userId);
    }
    for (const entry of later) this.heap.push(entry);
    return [...due].sort((a, b) => this.order.get(a)! - this.order.get(b)!);
  }
}
