/**
 * Merging an identity into another (an anonymous id into the user it turned out to be): which of their live
 * journey instances go on, and under whom. Pure; the stores apply the result in one transaction with the
 * rest of the merge (events, traits, messages re-keyed). The rules are in docs/integrations.md.
 */
import type { Instance } from './instance.ts';

export interface InstanceMerge {
  /** `from`'s live instances that go on as `into`'s (userId changed; timers and node kept). */
  moved: Instance[];
  /** Live instances that leave with reason 'merged': the later of two passes through one journey. */
  exited: Instance[];
}

/**
 * When both have a live instance of one journey, the pass that began first (createdAt: when its entry event
 * happened; on a tie, `into`'s) goes on and the other exits: one person is never in a journey twice, so never
 * messaged twice by it. The exiting pass may be `into`'s own, when `from` entered earlier: an anonymous cart
 * abandoned before sign-in goes on, a later one by the signed-in user ends.
 */
export function mergeInstances(fromLive: readonly Instance[], intoLive: readonly Instance[], into: string, now: number): InstanceMerge {
  const intoByJourney = new Map(intoLive.map((i) => [i.journeyId, i]));
  const moved: Instance[] = [];
  const exited: Instance[] = [];
  for (const mine of fromLive) {
    const theirs = intoByJourney.get(mine.journeyId);
    if (theirs === undefined) {
      moved.push({ ...mine, userId: into });
    } else if (mine.createdAt < theirs.createdAt) {
      exited.push(leave(theirs, now));
      moved.push({ ...mine, userId: into });
    } else {
      exited.push(leave({ ...mine, userId: into }, now));
    }
  }
  return { moved, exited };
}

function leave(i: Instance, now: number): Instance {
  return { ...i, status: 'exited', wakeAt: null, nodeUntil: null, exit: { reason: 'merged', at: now, nodeId: i.nodeId } };
}
