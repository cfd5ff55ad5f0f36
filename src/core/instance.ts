/** One user's pass through one version of a journey, as the interpreter sees and stores it. */
import type { CHANNELS, Channel } from './channels.ts';
import type { RenderedMessage } from './templates.ts';

export type InstanceStatus =
  | 'pending' // an inaction entry waiting for its window to close
  | 'active' // in the journey
  | 'control' // held out: gets no messages, goals still count
  | 'exited';

export type ExitReason =
  | 'not_qualified' // the negative event came inside the inaction window
  | 'goal'
  | 'timeout'
  | 'completed'
  | 'stopped'
  | 'merged'; // the user's identity was merged into another's who was in the same journey (docs/integrations.md)

/** The event a journey was entered with; its properties are available to every later message. */
export interface EntryEvent {
  messageId: string;
  name: string;
  timestamp: number;
  properties: Record<string, unknown>;
}

export interface Instance {
  id: string;
  journeyId: string;
  version: number;
  userId: string;
  status: InstanceStatus;
  /** The node the user is waiting at, if any. */
  nodeId: string | null;
  /** When the interpreter next needs a timer input: the durable timer. */
  wakeAt: number | null;
  /**
   * The moment the decision that left `wakeAt` already past was taken (a late event moved the user on to a wait
   * that was over). The timer fires then (the live engine fires an overdue timer when it gets to it), and, in a
   * batch as one at a time, before the user's next event only when an event taken since happened after `wakeAt`.
   */
  wakeNotBefore?: number;
  createdAt: number;
  enteredAt: number | null;
  /** Counts node visits; with the node id it makes every send id deterministic. */
  step: number;
  entryEvent: EntryEvent;
  /** When the current node's wait ends (a delay, or a send deferred past DND hours). */
  nodeUntil: number | null;
  /** When the whole journey times out for this user. */
  timeoutAt: number | null;
  /** When a goal was first met; a conversion counts once per instance. */
  convertedAt: number | null;
  exit: { reason: ExitReason; at: number; nodeId: string | null; goalId?: string } | null;
  /** What became of each message this pass sent or tried to, in order (absent on instances stored before it existed). */
  outcomes?: MessageOutcome[];
}

export interface MessageOutcome {
  nodeId: string;
  outcome: 'sent' | 'unreachable' | 'failed' | 'clicked';
  at: number;
  /** For a message that failed before it was handed to a channel: when it was attempted. */
  sentAt?: number;
}

export interface ProfileView {
  userId: string;
  traits: Record<string, unknown>;
}

/** An event as the interpreter receives it. */
export interface JourneyEvent {
  messageId: string;
  userId: string;
  name: string;
  timestamp: number;
  properties: Record<string, unknown>;
}

export type Input = { type: 'timer' } | { type: 'event'; event: JourneyEvent };

/** Why a message was not sent: the channel's missing address (channels.ts), an opt-out, DND, the control group, a cap. */
export type SkipReason = AddressSkipReason | 'unsubscribed' | 'dnd' | 'frequency_cap';
type AddressSkipReason = NonNullable<(typeof CHANNELS)[Channel]['address']>['missing'] | InvalidAddressReason;
type InvalidAddressReason = Extract<NonNullable<(typeof CHANNELS)[Channel]['address']>, { invalid: unknown }>['invalid']['reason'];

/** Why a message failed before any channel saw it: its template did not render for this user. */
export type FailReason = 'render_failed';

export type Effect =
  /** `content`: the message rendered for this user, when the step was given a renderer (the engine always is). */
  | { type: 'send'; sendId: string; nodeId: string; channel: Channel; content?: RenderedMessage }
  /** The message failed (recorded as failed, `detail` saying why); the send node's failure path was taken. */
  | { type: 'fail'; sendId: string; nodeId: string; channel: Channel; reason: FailReason; detail: string }
  | { type: 'skip'; sendId: string; nodeId: string; channel: Channel; reason: SkipReason }
  | { type: 'count'; metric: JourneyMetric; nodeId?: string }
  /** Trait patch for the user's profile (an updateProfile node), merged like the profile API. */
  | { type: 'profile'; nodeId: string; set: Record<string, string | number | boolean | null> };

export type JourneyMetric =
  | 'qualified'
  | 'entered'
  | 'control'
  | 'not_qualified'
  | 'goal'
  | 'control_goal'
  | 'timed_out'
  | 'completed'
  | 'stopped'
  | 'merged'
  | 'node_entered'
  | 'node_skipped'
  | 'node_missed'
  | 'node_goal';

export interface Transition {
  instance: Instance;
  effects: Effect[];
}
