/**
 * What the storage port (store.ts) reads and writes: the records, the views a unit of work loads, the changes it
 * commits, and the queries and answers of the reads. Every adapter maps its rows to these shapes. The message
 * log's shapes are in message-records.ts, settings and access in access-records.ts; all are exported from here.
 */
import type { Channel, JourneyDefinition } from '../core/definition.ts';
import type { Instance, JourneyEvent, JourneyMetric, SkipReason } from '../core/instance.ts';
import type { PageRequest } from './pages.ts';
import type { MessageStatus, NewMessage } from './message-records.ts';

export * from './message-records.ts';
export * from './access-records.ts';

export interface Profile {
  userId: string;
  traits: Record<string, unknown>;
  updatedAt: number;
}

export interface ProfileUpsert {
  userId: string;
  traits: Record<string, unknown>;
}

export interface StoredEvent extends JourneyEvent {
  receivedAt: number;
}

export type JourneyStatus = 'draft' | 'running' | 'paused' | 'stopped';

export interface JourneyRecord {
  id: string;
  name: string;
  status: JourneyStatus;
  /** The newest published version, or null before the first publish. */
  version: number | null;
  draft: JourneyDefinition;
  /** Canvas positions, kept apart from the logic: { nodeId: { x, y } }. */
  layout: Record<string, { x: number; y: number }>;
  createdAt: number;
  updatedAt: number;
}

export interface JourneyVersion {
  journeyId: string;
  version: number;
  definition: JourneyDefinition;
  publishedAt: number;
}


export interface StatDelta {
  journeyId: string;
  version: number;
  nodeId: string; // '' for journey-wide metrics
  metric: JourneyMetric | 'node_sent' | 'node_failed' | 'node_opened' | 'node_clicked' | `node_skipped:${SkipReason}` | 'node_skipped:merged';
  count: number;
}

/** What a unit of work commits, besides the events or timers that caused it. */
export interface Changes {
  instances: Instance[];
  messages: NewMessage[];
  stats: StatDelta[];
  /**
   * Trait patches written by updateProfile nodes, in order; merged like upsertProfiles. Optional so that a
   * unit of work that writes none (and older callers) can leave it out.
   */
  profiles?: ProfileUpsert[];
  /**
   * Internal events this unit causes (a journey trigger: a user reached a node another journey starts on),
   * kept in the inbox in the same transaction and processed later by drainInbox, as if ingested.
   */
  followUps?: JourneyEvent[];
}

/** What the store loads for a batch of events before calling decide. */
export interface EventBatchView {
  /** Only the events not seen before (deduplicated on messageId), in the order given. */
  events: StoredEvent[];
  profiles: Map<string, Profile>;
  /**
   * Live (pending, active, control) instances of the batch's users. decide replaces each user's list as it goes,
   * with the passes still live and those it started: a store that needs the instances it read (to tell an
   * UPDATE from an INSERT) takes them before deciding.
   */
  live: Map<string, Instance[]>;
  /** Journeys each user of the batch has ever entered: "journeyId" entries per user. */
  entered: Map<string, Set<string>>;
  /**
   * Per user, per journey: when they last left a pass they had entered, for re-entry cool-downs (a pass that
   * never qualified, such as a broken inaction window, does not start a cool-down).
   */
  lastExits: Map<string, Map<string, number>>;
  /** What `context` asked for, per user of the batch. */
  context: UserContext;
  /**
   * For users with an event that may start a journey: their stored events named in `lookback.names` with a
   * timestamp at or after that user's earliest such event, in (timestamp, arrival) order, this batch's
   * included. Events can arrive out of order (a conversion before the cart it follows); a journey started
   * now replays them.
   */
  recent: Map<string, StoredEvent[]>;
}

export interface Lookback {
  /** Whether this event may start a journey (its user then needs `recent`). */
  startsJourney(event: JourneyEvent): boolean;
  names: ReadonlySet<string>;
}

export interface TimerBatchView {
  instances: Instance[];
  profiles: Map<string, Profile>;
  /** What `context` asked for, per user of the batch. */
  context: UserContext;
}

/** What the engine needs to know about each user of a unit of work beyond their profile and instances. */
export interface UserContextSpec {
  /** Stored events with these names, with a timestamp at or after `since` (null: all of them), for split conditions. */
  history: { names: ReadonlySet<string>; since: number | null } | null;
  /** Messages created at or after this moment with status pending or sent, every journey, for frequency caps. */
  sendsSince: number | null;
  /** Load the messages of the unit's instances (the live ones of an event batch's users; the claimed ones of a timer batch), for splits on message outcome. */
  outcomes?: boolean;
}

export interface UserContext {
  /** Per user, in (timestamp, arrival) order. Users with none may be absent. */
  history: Map<string, StoredEvent[]>;
  /** Per user, in creation order. Users with none may be absent. */
  sends: Map<string, Array<{ channel: Channel; at: number }>>;
  /** Per instance id, its messages in creation order, when `outcomes` was asked for. Instances with none may be absent. */
  messages?: Map<string, InstanceMessage[]>;
}

/** What became of one message, as a split on message outcome reads it. */
export interface InstanceMessage {
  nodeId: string;
  status: MessageStatus;
  createdAt: number;
  sentAt: number | null;
  clickedAt: number | null;
}

/** One run of a scheduled entry, as claimed: where its scan of the profiles got to. */
export interface RunClaim {
  /** The last user id scanned, or null to start from the beginning. */
  cursor: string | null;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
}

/** What pruneEvents removed. */
export interface PruneResult {
  /** How many events were removed. */
  events: number;
  /**
   * The cut applied: every event received before it is gone, with its messageId (accepted again if sent
   * again), and every event received at or after it is kept. PostgreSQL drops whole days, so it rounds
   * `before` down to midnight UTC; SQLite applies `before` as given.
   */
  before: number;
}


/** What a bounded sample read: the items, and whether the store holds others it did not read. */
export interface Sample<T> {
  items: T[];
  more: boolean;
}

/** An event as the catalog samples it. */
export interface SampledEvent {
  name: string;
  timestamp: number;
  properties: Record<string, unknown>;
}

export interface StatRow {
  version: number;
  nodeId: string;
  metric: string;
  count: number;
}

/** What the store knows of a user besides their profile. */
export interface UserSeen {
  /** The earliest and latest timestamps of their stored events; null when none is stored. */
  firstSeenAt: number | null;
  lastSeenAt: number | null;
}

/** How many active instances of a journey wait at one node of one version (journeyWaiting). */
export interface WaitingRow {
  version: number;
  nodeId: string;
  count: number;
}

/** A journey's entries and conversions over time, in slots of `slotMs` from `from` up to `to` (excluded). */
export interface SeriesQuery {
  from: number;
  to: number;
  slotMs: number;
}

/**
 * One slot of journeySeries: users who entered in it (`entered`) or were held out in it (`control`), and users
 * who converted in it, whenever they had entered (`goal` entered users, `controlGoal` control users).
 */
export interface SeriesSlot {
  /** The slot's start: from + k * slotMs. */
  at: number;
  entered: number;
  control: number;
  goal: number;
  controlGoal: number;
}

/** The events recorded in a window: received, and timestamped, at or after `from` and before `to`. */
export interface EventWindowQuery extends PageRequest {
  from: number;
  to: number;
}
