/**
 * What a node kind's step sees and returns. The run loop (interpreter.ts) owns timing and the walk from node
 * to node; each kind (src/core/nodes) decides, on arrival and when its wait ends, where the user goes next.
 */
import type { Channel } from './channels.ts';
import type { CompiledJourney } from './compile.ts';
import type { Effect, Instance, JourneyMetric, ProfileView } from './instance.ts';
import type { MessageRecord, UserEvent } from './segment.ts';

export interface Env {
  now: number;
  profile: ProfileView | null;
  /** The user's stored events a split's condition may ask about (the catalog says which); none if absent. */
  events?: readonly UserEvent[];
  /** The project's frequency caps and the user's messages recent enough to count against them. */
  caps?: CapContext;
  /** The project's time zone (settings), for journeys that name none; UTC when absent. */
  projectTimezone?: string;
  /**
   * What the store knows of this instance's messages, for splits on message outcome: authoritative for the
   * nodes it covers (a queued message that later failed is "failed"); the instance's own record covers the rest.
   */
  messages?: readonly MessageRecord[];
}

export interface CapContext {
  rules: ReadonlyArray<{ max: number; perMs: number; channel?: Channel }>;
  /** The user's messages sent or queued, every journey, at least as far back as the longest rule. */
  recent: ReadonlyArray<{ channel: Channel; at: number }>;
}

/** Where a node sends the user: on along a branch, to wait at the node until a moment, or out of the journey. */
export type Decision =
  /** `from`: the moment later waits are measured from, when it is not the step's (a delay already due, a wait's event). */
  | { type: 'go'; branch: string; from?: number }
  | { type: 'wait'; until: number }
  | { type: 'exit' };

/** The walk in progress, as a node's step sees it: the user, their journey, and the effects it may have. */
export interface Walk {
  readonly journey: CompiledJourney;
  readonly instance: Readonly<Instance>;
  readonly env: Env;
  /** The moment this step was due: later waits are measured from it, so lateness does not accumulate. */
  readonly base: number;
  /** The profile as this step sees it: an updateProfile node's write is visible to the nodes after it. */
  readonly profile: ProfileView | null;
  /** Whether `nodeId` has an edge on `branch`. */
  has(nodeId: string, branch: string): boolean;
  /** The IANA zone a node's local times are read in: the user's, or the journey's (then the project's, then UTC). */
  zone(choice: 'user' | 'journey'): string;
  count(metric: JourneyMetric, nodeId?: string): void;
  emit(effect: Effect): void;
  /** Writes traits; later nodes of this walk see them. */
  updateProfile(nodeId: string, set: Record<string, string | number | boolean | null>): void;
  /** Messages this step has sent already: they count against the caps of its later sends. */
  readonly sentThisStep: ReadonlyArray<{ channel: Channel; at: number }>;
  noteSent(channel: Channel): void;
  /** What became of this pass's messages (the store's record, then the instance's own). */
  outcomes(): MessageRecord[];
  record(nodeId: string, outcome: 'sent' | 'unreachable'): void;
}

export const go = (branch: string, from?: number): Decision => (from === undefined ? { type: 'go', branch } : { type: 'go', branch, from });
