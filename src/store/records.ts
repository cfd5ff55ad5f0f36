/**
 * What the storage port (store.ts) reads and writes: the records, the views a unit of work loads, the changes it
 * commits, and the queries and answers of the reads. Every adapter maps its rows to these shapes.
 */
import type { Channel, JourneyDefinition } from '../core/definition.ts';
import type { FailReason, Instance, JourneyEvent, JourneyMetric, SkipReason } from '../core/instance.ts';
import type { PageRequest } from './pages.ts';

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

/**
 * pending: queued (or waiting for a retry); sent: the provider took it; delivered: the provider says it
 * reached the handset (Twilio's status callback); failed: refused for good, or not delivered after all (the
 * reason says why); dead: dead-lettered after the last retry; skipped: never sent (reason). The schemas also
 * admit 'bounced', for email bounces to come: nothing writes it yet.
 */
export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'failed' | 'dead' | 'skipped';
export const MESSAGE_STATUSES: readonly MessageStatus[] = ['pending', 'sent', 'delivered', 'failed', 'dead', 'skipped'];

export interface MessageContent {
  title?: string;
  subject?: string;
  body: string;
  url?: string;
  to?: string;
  /** A push's extra key-values, added by its sender as it sends (the open-tracking token); never stored. */
  data?: Record<string, string>;
}

export interface NewMessage {
  /** Deterministic (instance, node, step): the unique key that makes a send happen at most once. */
  id: string;
  journeyId: string;
  version: number;
  instanceId: string;
  nodeId: string;
  userId: string;
  channel: Channel;
  /** 'sent' when the channel delivers by recording in the store itself (the built-in outbox channel); 'failed' when it could not be rendered. */
  status: 'pending' | 'sent' | 'skipped' | 'failed';
  /** Why skipped, or why failed (`render_failed: ` and Liquid's reason). */
  reason: SkipReason | `${FailReason}: ${string}` | null;
  content: MessageContent | null;
  createdAt: number;
  sentAt: number | null;
}

export interface Message extends Omit<NewMessage, 'status' | 'reason' | 'sentAt'> {
  /** Position in the message log; the cursor for listing. */
  seq: number;
  status: MessageStatus;
  reason: string | null;
  sentAt: number | null;
  /** Send attempts recorded (each outcome a provider gave, retries included). */
  attempts: number;
  /**
   * Times a dispatcher has claimed it, this claim included. More than attempts + 1: an earlier claim ended with
   * no outcome recorded (its process died mid-send), so the provider may have taken it (mayHaveBeenSent).
   */
  claims: number;
  /** For a pending message tried before: when it is next due; null otherwise (due at once, or not pending). */
  nextAttemptAt: number | null;
  /** Who took it: 'outbox' (the built-in log), 'smtp', 'webhook'; null when no provider was involved. */
  provider: string | null;
  /** When the recipient first opened it (an email's pixel, a push opened, or a first click), or null. */
  openedAt: number | null;
  /** When the recipient first clicked (a tracked link, or POST /v1/messages/:id/click), or null. */
  clickedAt: number | null;
}

/** An open or a click of a message by its recipient (docs/channels.md, "Engagement tracking"). */
export type Engagement = 'open' | 'click';

/** What recordEngagement did to a message that exists. */
export interface EngagementResult {
  message: Pick<Message, 'id' | 'journeyId' | 'version' | 'nodeId' | 'userId' | 'channel'>;
  /** The first open (a click is an open too); and the first click, or null when there was none. */
  openedAt: number;
  clickedAt: number | null;
  /** Whether this call was the first open, the first click: each counted once on the node. */
  firstOpen: boolean;
  firstClick: boolean;
}

/** An SMS short link: /s/<code> leads to `url`, and counts as a click on the message. */
export interface ShortLink {
  code: string;
  messageId: string;
  url: string;
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
  /** Live (pending, active, control) instances of the batch's users. */
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

/**
 * What a sender says of one message: sent, failed for good (a permanent refusal: not retried), or transient
 * (a timeout, a 429, a 5xx, a 4xx SMTP answer: retried later, after `retryAfterMs` when the provider said).
 */
export interface SendOutcome {
  id: string;
  status: 'sent' | 'failed' | 'transient';
  at: number;
  error?: string;
  /** transient: the provider's Retry-After, in ms from `at`. */
  retryAfterMs?: number;
  /** Who took (or refused) it: 'outbox', 'smtp', 'webhook', 'fcm', 'apns', 'webpush', 'twilio'. */
  provider?: string;
  /**
   * failed: the address the provider reported dead (a push token no longer registered, an email address that
   * bounced). The dispatcher keeps it on the profile (the channel's `address.invalid` trait), so later sends
   * to it are skipped.
   */
  deadAddress?: string;
  /** sent: the provider's own id of the message (Twilio's SID), by which its callbacks name it. */
  providerId?: string;
  /** The provider says the recipient unsubscribed (Twilio's 21610): the channel's opt-out trait is set on their profile. */
  optedOut?: boolean;
}

/**
 * What the dispatcher records of one attempt: sent, failed, dead (the last attempt failed), or retry (stays
 * pending, due again at `nextAttemptAt`). Each counts as one attempt; only a message still pending changes.
 */
export interface RecordedOutcome {
  id: string;
  status: 'sent' | 'failed' | 'dead' | 'retry';
  at: number;
  error?: string;
  /** retry: when the message is due again (engine clock). */
  nextAttemptAt?: number;
  provider?: string;
  providerId?: string;
}

/**
 * Which dead letters to send again (Store.requeueDeadMessages): the ones among these ids, or every one that
 * matches all the fields given; `since` (inclusive) and `until` (exclusive) bound its createdAt (engine clock,
 * epoch ms). `{}` is every dead letter.
 */
export type DeadLetterFilter =
  | { ids: readonly string[] }
  | { journeyId?: string; nodeId?: string; userId?: string; channel?: Channel; since?: number; until?: number };

/** The most dead letters one requeue moves, oldest first: a transaction of bounded size. Call again for the rest. */
export const MAX_REQUEUE = 10_000;

/** What a provider's callback says became of a message it took: delivered, or not after all. */
export interface DeliveryUpdate {
  provider: string;
  providerId: string;
  status: 'delivered' | 'failed';
  reason: string | null;
  at: number;
}

/** A message of a user's in-app inbox, as the app shows it. */
export interface InboxMessage {
  id: string;
  journeyId: string;
  nodeId: string;
  title: string;
  body: string;
  url: string | null;
  createdAt: number;
  readAt: number | null;
  dismissedAt: number | null;
}

export interface InboxQuery extends PageRequest {
  /** Include the messages the user dismissed. */
  dismissed: boolean;
}

export interface MessageQuery {
  after?: number;
  limit: number;
  userId?: string;
  journeyId?: string;
}

/**
 * The message log with the dashboard's filters. The range is read through one index (the user's messages,
 * else the journey's, else the whole log), and at most `scanLimit` messages of it are looked at: the other
 * filters (node, status, channel) have no index of their own, so a request costs at most that many rows.
 */
export interface MessageLogQuery {
  /** 'oldest': seq ascending, after `from`; 'newest': seq descending, before `from`. */
  order: 'oldest' | 'newest';
  /** Exclusive; absent: from the start of the log ('oldest') or its end ('newest'). */
  from?: number;
  limit: number;
  userId?: string;
  journeyId?: string;
  nodeId?: string;
  status?: MessageStatus;
  channel?: Channel;
  /** Most messages of the range looked at, matching or not. */
  scanLimit: number;
}

export interface MessageLogPage {
  /** At most `limit`, in the order asked. */
  messages: Message[];
  /**
   * Where the page stopped: the last returned when it is full, the `scanLimit`-th looked at when the limit
   * stopped it; at the end of the range, the last returned (null when none matched).
   */
  scannedTo: number | null;
  /** False when the range was read to its end; true when messages past `scannedTo` may match. */
  more: boolean;
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

export interface ProviderRecord {
  channel: Channel;
  config: Record<string, unknown>;
  updatedAt: number;
}

/** The copy assistant's language model settings (src/copy/settings.ts), its key included. */
export interface CopyProviderRecord {
  config: Record<string, unknown>;
  updatedAt: number;
}

/** One call to the copy assistant's model, as the audit log keeps it (never the key). */
export interface NewCopyLogEntry {
  at: number;
  /** 'ok', or what went wrong ('refused', 'rate_limited', 'provider_error', 'timeout', 'malformed', 'unreachable'). */
  outcome: string;
  model: string;
  /** What was sent: the messages, the model and its parameters. */
  request: Record<string, unknown>;
  /** The model's answer as received (the assembled text when streamed), cut to a bound; null when none came. */
  response: string | null;
  /** What Waymark made of it: the variants kept and dropped, or the error. */
  detail: string | null;
}

export interface CopyLogEntry extends NewCopyLogEntry {
  seq: number;
}

/** What the copy log keeps: the newest `max` entries, none older than `since`. */
export interface CopyLogRetention {
  max: number;
  since: number;
}

export interface ApiKeyRecord {
  kind: 'admin' | 'write';
  /** SHA-256 of the key, hex: all that is stored of it. */
  hash: string;
  createdAt: number;
  /** What it is for, as given when it was made; null for the first keys. */
  name?: string | null;
  /** The key's first characters, to tell keys apart in a list; null for keys made before they were kept. */
  prefix?: string | null;
  /** When it last opened a request (kept at most once a minute per process); null when never, or not since it was kept. */
  lastUsedAt?: number | null;
}

export type DashboardRole = 'admin' | 'editor' | 'viewer';

/** A person who signs in to the dashboard by email and password. */
export interface DashboardUserRecord {
  id: string;
  /** As given; unique whatever its case (the store compares it lowercased). */
  email: string;
  name: string;
  role: DashboardRole;
  /** The scrypt hash with its salt and parameters ("scrypt$N$r$p$salt$hash"), never the password. */
  password: string;
  disabled: boolean;
  createdAt: number;
  lastSignInAt: number | null;
}

/** What may change of a dashboard user; fields left out stay. */
export interface DashboardUserChange {
  name?: string;
  role?: DashboardRole;
  disabled?: boolean;
  password?: string;
}

/**
 * What a change or removal of a dashboard user did. last_admin: refused, because it would leave no enabled
 * admin user where there was one (the admin key still works, but the team would lose its way in by password).
 */
export type DashboardUserWrite = 'done' | 'unknown' | 'last_admin';

/** What removing a key did: removed; no such key; or refused, because it is the last admin key. */
export type KeyRemoval = 'removed' | 'unknown' | 'last_admin';

/** The work waiting in the store at a moment (GET /metrics). */
export interface QueueDepth {
  /** Pending messages (queued, or waiting for a retry) by channel, in channel order; channels with none left out. */
  pendingMessages: Array<{ channel: Channel; count: number }>;
  /** Instances whose timer is due at the moment asked about. */
  dueTimers: number;
  /** The earliest of those timers; null when none is due. */
  oldestDueAt: number | null;
  /** Internal events waiting in the inbox. */
  inbox: number;
}
