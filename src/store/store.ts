/**
 * The storage port. Every adapter (embedded SQLite, PostgreSQL) implements it and passes the same contract
 * tests (test/store/contract.ts).
 *
 * The engine's hot paths are units of work: the store loads what a batch needs, hands it to a synchronous
 * `decide` function (the pure interpreter plus rendering), and commits the returned changes in the same
 * transaction as the events or timers that caused them. The decide function never awaits, so an adapter
 * can run the whole unit inside one transaction: synchronously on SQLite, under row locks on PostgreSQL.
 */
import type { Channel, JourneyDefinition } from '../core/definition.ts';
import type { Instance, JourneyEvent } from '../core/instance.ts';
import type { EventRange } from '../core/segment.ts';
import type { IdentityMerge, MergeResult } from './identities.ts';
import type { Page, PageRequest } from './pages.ts';
import type { Profile, ProfileUpsert, StoredEvent, JourneyStatus, JourneyRecord, JourneyVersion, Message, Engagement, EngagementResult, ShortLink, Changes, EventBatchView, Lookback, TimerBatchView, UserContextSpec, RunClaim, IngestResult, PruneResult, RecordedOutcome, DeliveryUpdate, DeadLetterFilter, InboxMessage, InboxQuery, MessageQuery, MessageLogQuery, MessageLogPage, Sample, SampledEvent, StatRow, UserSeen, WaitingRow, SeriesQuery, SeriesSlot, EventWindowQuery, ProviderRecord, CopyProviderRecord, NewCopyLogEntry, CopyLogEntry, CopyLogRetention, ApiKeyRecord, KeyRemoval, QueueDepth, DashboardUserRecord, DashboardUserChange, DashboardUserWrite, MessageStatus } from './records.ts';

export type { Page, PageRequest } from './pages.ts';
export * from './records.ts';
export type { IdentityMerge, MergeResult } from './identities.ts';

/** A project other than "default", as the registry in the default project's store names it (app/projects.ts). */
export interface ProjectRecord {
  id: string;
  name: string;
  createdAt: number;
}

/** What frequencyCapsSet did to the store: built or dropped what caps read, or nothing. */
export type CapsIndexChange = 'built' | 'dropped' | null;

export interface Store {
  close(): Promise<void>;

  // Health and coordination
  /**
   * A cheap round trip that fails when the store is unreachable or cannot take a write (a read-only file or
   * database, a full disk): readiness, and a check at start.
   */
  ping(): Promise<void>;
  /**
   * Runs `fn` holding the store-wide lock `name`, released when fn settles: no other call under that name on
   * this store (in this process or, on PostgreSQL, in any process on the same schema) runs meanwhile.
   * For short start-up work, e.g. one process making the access keys that several start with.
   */
  exclusively<T>(name: string, fn: () => Promise<T>): Promise<T>;

  // Access keys, stored as hashes only.
  /** Oldest first. */
  listApiKeys(): Promise<ApiKeyRecord[]>;
  addApiKey(key: ApiKeyRecord): Promise<void>;
  /** Removes the key with this hash, unless it is the last admin key (no one could manage keys then). Atomic. */
  removeApiKey(hash: string): Promise<KeyRemoval>;
  /** Replaces the key with hash `oldHash` by `key` in one transaction; false (and nothing changed) when there is no such key. */
  replaceApiKey(oldHash: string, key: ApiKeyRecord): Promise<boolean>;
  /** Records that the key with this hash opened a request at `at` (no-op for an unknown hash). */
  touchApiKey(hash: string, at: number): Promise<void>;

  // Dashboard users (people signing in by email and password).
  /** Oldest first. */
  listDashboardUsers(): Promise<DashboardUserRecord[]>;
  getDashboardUser(id: string): Promise<DashboardUserRecord | null>;
  /** The user of this email, compared case-insensitively; null when none. */
  findDashboardUserByEmail(email: string): Promise<DashboardUserRecord | null>;
  /** false (and nothing stored) when a user already has this email, whatever its case. */
  addDashboardUser(user: DashboardUserRecord): Promise<boolean>;
  /** Atomic: refused (last_admin) when it would demote or disable the last enabled admin user. */
  updateDashboardUser(id: string, change: DashboardUserChange): Promise<DashboardUserWrite>;
  /** Atomic: refused (last_admin) when it is the last enabled admin user. */
  removeDashboardUser(id: string): Promise<DashboardUserWrite>;
  recordDashboardSignIn(id: string, at: number): Promise<void>;

  // The registry of projects, read in the default project's store only (app/projects.ts).
  /** Oldest first. */
  listProjects(): Promise<ProjectRecord[]>;
  /** false (and nothing stored) when the id is taken. */
  addProject(project: ProjectRecord): Promise<boolean>;

  // Profiles
  upsertProfiles(profiles: ProfileUpsert[], now: number): Promise<void>;
  getProfile(userId: string): Promise<Profile | null>;

  // Journeys and their immutable versions
  createJourney(journey: { id: string; name: string; draft: JourneyDefinition; layout: JourneyRecord['layout'] }, now: number): Promise<JourneyRecord>;
  updateJourneyDraft(id: string, draft: JourneyDefinition, layout: JourneyRecord['layout'] | undefined, now: number): Promise<JourneyRecord | null>;
  /** Freezes the draft as the next version and makes the journey run it. */
  publishJourney(id: string, now: number): Promise<JourneyVersion | null>;
  setJourneyStatus(id: string, status: JourneyStatus, now: number): Promise<JourneyRecord | null>;
  getJourney(id: string): Promise<JourneyRecord | null>;
  listJourneys(): Promise<JourneyRecord[]>;
  listVersions(journeyId?: string): Promise<JourneyVersion[]>;
  /** A page of the journeys, in creation order (then id). The cursor may throw InvalidCursorError. */
  journeyPage(page: PageRequest): Promise<Page<JourneyRecord>>;
  /** A page of a journey's versions, oldest first. The cursor may throw InvalidCursorError. */
  versionPage(journeyId: string, page: PageRequest): Promise<Page<JourneyVersion>>;

  // Engine units of work
  ingestEvents(events: JourneyEvent[], now: number, decide: (view: EventBatchView) => Changes, lookback?: Lookback, context?: UserContextSpec): Promise<IngestResult>;
  /** Claims up to `limit` instances whose timer is due at `now` and advances them; returns how many. */
  fireDueTimers(now: number, limit: number, decide: (view: TimerBatchView) => Changes, context?: UserContextSpec): Promise<number>;
  /** The earliest pending timer, or null. */
  nextWakeAt(): Promise<number | null>;
  /** The latest pending timer, or null. */
  lastWakeAt(): Promise<number | null>;
  /**
   * Only a store processes share (PostgreSQL) has these two; on SQLite a process is alone with its file.
   * Says when this process's oldest call queued and not committed came (null: none), for the other processes
   * that fire timers on this store: they fire none due from then on (engine/queued-elsewhere.ts).
   */
  setIngestWaiting?(processId: string, since: number | null, now: number): Promise<void>;
  /** The earliest such moment of another process that said it at or after `freshSince` (engine clock); null if none. */
  ingestWaitingElsewhere?(processId: string, freshSince: number): Promise<number | null>;
  /**
   * Claims up to `limit` inbox events (oldest first; on PostgreSQL with SKIP LOCKED, so processes share the
   * inbox) and processes them exactly as ingestEvents would (dedupe on messageId, stored as events), removing
   * them from the inbox in the same transaction. Returns how many were claimed.
   */
  drainInbox(now: number, limit: number, decide: (view: EventBatchView) => Changes, lookback?: Lookback, context?: UserContextSpec): Promise<number>;
  /** How many events wait in the inbox. */
  inboxSize(): Promise<number>;
  /** The messages, timers (due at `now`, engine clock) and inbox events waiting: a few index reads. */
  queueDepth(now: number): Promise<QueueDepth>;
  /** Exits every live instance of a journey; returns how many. */
  stopInstances(journeyId: string, now: number): Promise<number>;
  /** How many pending, active or control instances a journey has. */
  liveInstanceCount(journeyId: string): Promise<number>;
  /**
   * Moves a journey's live instances on older versions to `toVersion` when the node they are at is in
   * `nodeIds` (pending and control instances, at no node, always move); the others stay on their version.
   * Their timers are kept. Returns how many moved.
   */
  moveInstances(journeyId: string, toVersion: number, nodeIds: readonly string[], now: number): Promise<number>;

  /**
   * Merges the identity `from` into `into` in one transaction (docs/integrations.md, "Identities"): from now on
   * `from` resolves to `into` (ingestEvents and upsertProfiles take an event or trait patch of `from` as
   * `into`'s); `from`'s events, instances (their timers with them), messages and waiting inbox events become
   * `into`'s; its traits fill the ones `into` lacks; where both were in one journey the later pass exits
   * ('merged'). Ids merged into `from` before follow it. Repeating a merge, or merging a user into itself,
   * changes nothing.
   */
  mergeIdentity(merge: IdentityMerge, now: number): Promise<MergeResult>;
  /** The user each id resolves to through the identity map (ids never merged map to themselves). */
  resolveIdentities(ids: readonly string[]): Promise<Map<string, string>>;

  // Scheduled entries
  /** Profiles in user id order after `after` (null: from the first), at most `limit`. */
  scanProfiles(after: string | null, limit: number): Promise<Profile[]>;
  /** The stored events of these users in any of these windows (a name, from a timestamp on), by user then (timestamp, arrival). */
  eventsOfUsers(userIds: readonly string[], ranges: readonly EventRange[]): Promise<StoredEvent[]>;
  /**
   * Claims the run of a journey's scheduled entry at `runAt`: null when it is finished, or held by another
   * process whose lease has not expired; else the cursor to resume from, leased to the caller for `leaseMs`.
   */
  claimRun(journeyId: string, runAt: number, now: number, leaseMs: number): Promise<RunClaim | null>;
  /** Saves a run's progress and renews its lease. */
  saveRunCursor(journeyId: string, runAt: number, cursor: string, now: number, leaseMs: number): Promise<void>;
  finishRun(journeyId: string, runAt: number, now: number): Promise<void>;

  // Project settings (frequency caps, ...): one JSON document, {} until first saved.
  getSettings(): Promise<Record<string, unknown>>;
  saveSettings(settings: Record<string, unknown>, now: number): Promise<void>;
  /**
   * Whether any frequency cap is set, told by the engine whenever it reads the settings (at start, and after
   * each save). Only caps read a user's recent sends by time, so a store may keep what serves that read only
   * while one is set: SQLite builds or drops its index (sqlite/caps-index.ts); PostgreSQL keeps its own.
   * `onBuild` hears of a build before it starts, with about how many messages it will read.
   */
  frequencyCapsSet(capped: boolean, onBuild?: (messages: number) => void): Promise<CapsIndexChange>;
  /** Every trait name any profile has had (kept as profiles are written), for publish-time warnings. */
  traitNames(): Promise<Set<string>>;

  // Delivery providers: one settings document per channel (secrets included: the API never returns them).
  listProviders(): Promise<ProviderRecord[]>;
  saveProvider(channel: Channel, config: Record<string, unknown>, now: number): Promise<void>;
  /** False when the channel had none. */
  removeProvider(channel: Channel): Promise<boolean>;
  /**
   * The project's secret `name`, made with `make` and kept on first ask; every later ask, from any process,
   * gets the value kept (two first asks at once keep one of theirs, and both get it).
   */
  secret(name: string, make: () => string, now: number): Promise<string>;

  // The copy assistant: its model's settings (one document, the key included) and its audit log.
  getCopyProvider(): Promise<CopyProviderRecord | null>;
  saveCopyProvider(config: Record<string, unknown>, now: number): Promise<void>;
  /** False when none was set. */
  removeCopyProvider(): Promise<boolean>;
  /** Appends an entry, then removes those the retention no longer keeps. Returns the entry's seq. */
  addCopyLog(entry: NewCopyLogEntry, keep: CopyLogRetention): Promise<number>;
  /** A page of the copy log, newest first. The cursor may throw InvalidCursorError. */
  copyLogPage(page: PageRequest): Promise<Page<CopyLogEntry>>;

  // Outbox
  /** How long pendingMessages leases a message (wall clock): the dispatcher starts no send later than it allows. */
  readonly outboxLeaseMs: number;
  /**
   * Claims up to `limit` pending messages due at `now` (engine clock; absent: every pending one), in due
   * order then seq: each is leased to the caller (wall clock), so no other call returns it until
   * recordOutcomes ends the lease or the lease runs out (a dispatcher that died).
   */
  pendingMessages(limit: number, now?: number): Promise<Message[]>;
  /** Each outcome of a message still pending (an attempt); it ends the lease and clears the sending mark. */
  recordOutcomes(outcomes: RecordedOutcome[]): Promise<void>;
  /**
   * Marks the messages still pending among `ids` as being sent past the point of no return at `at` (engine
   * clock): Message.sendingAt, until their outcome is recorded. Resolves once the marks are durable.
   */
  markSending(ids: readonly string[], at: number): Promise<void>;
  /**
   * Gives back claims that ended with no send started (the message's turn came too late in its lease): each
   * is claimable again at once, and its claim no longer counts, so no sender takes it for possibly sent. A
   * message claimed again since (more claims than given) or no longer pending is left as it is.
   */
  releaseClaims(claims: ReadonlyArray<{ id: string; claims: number }>): Promise<void>;
  /**
   * Sends dead letters again (docs/channels.md, "Dead letters"), in one transaction: at most MAX_REQUEUE of
   * the dead messages `filter` matches, oldest first, become pending, due at `now` (engine clock), their
   * attempts back to 0 so the retry schedule starts over, their sentAt cleared and their last reason kept
   * until the next attempt replaces it. Each keeps its id (the provider's idempotency key). The failure each
   * counted on its node is taken back (node_failed), as its next final outcome counts. A message in any
   * other status never changes. Returns how many became pending.
   */
  requeueDeadMessages(filter: DeadLetterFilter, now: number): Promise<number>;
  /** How many dead letters requeueDeadMessages would move now: the same filter and cap, nothing changed. */
  countDeadMessages(filter: DeadLetterFilter): Promise<number>;
  /**
   * Records an open or a click of a message, in one transaction: the first open sets openedAt and counts
   * node_opened on its node; the first click sets clickedAt and counts node_clicked, and is the first open too
   * when there was none. Later ones change nothing. Null when there is no such message.
   */
  recordEngagement(messageId: string, kind: Engagement, at: number): Promise<EngagementResult | null>;
  /** Keeps SMS short links; a code already kept stays as it was. */
  saveShortLinks(links: readonly ShortLink[], now: number): Promise<void>;
  /** The short link of a code, or null. */
  shortLink(code: string): Promise<ShortLink | null>;
  /**
   * A provider's word on a message it took, found by its id there: 'delivered' changes a sent message,
   * 'failed' a sent or delivered one (callbacks may come in any order: a late 'delivered' does not undo a
   * failure). False when no message has that provider id.
   */
  recordDelivery(update: DeliveryUpdate): Promise<boolean>;
  /**
   * A bounce reported after sending (a delivery status notification, POST /v1/bounces): in one transaction, an
   * email message that was sent (or delivered) becomes 'bounced' with `reason`, and counts on its node as failed
   * instead of sent. An email in any other status is left as it is, so a repeated report changes nothing.
   * Returns the message's status after, or null when no email message has this id.
   */
  bounceMessage(id: string, reason: string): Promise<MessageStatus | null>;

  // The in-app inbox: the messages on the inbox channel that were delivered (stored), per user.
  /** Newest first; dismissed ones only when asked. The cursor may throw InvalidCursorError. */
  inboxPage(userId: string, query: InboxQuery): Promise<Page<InboxMessage>>;
  /**
   * Marks the user's inbox message read or dismissed (the first time counts; again changes nothing) and
   * returns it; null when that user has no such inbox message.
   */
  markInbox(userId: string, messageId: string, mark: 'read' | 'dismissed', at: number): Promise<InboxMessage | null>;

  // Reads
  listMessages(query: MessageQuery): Promise<Message[]>;
  /** One message by its id; null when there is none. */
  getMessage(id: string): Promise<Message | null>;
  userEvents(userId: string, limit: number): Promise<StoredEvent[]>;
  userInstances(userId: string): Promise<Instance[]>;
  /**
   * A page of a user's instances (of one journey when given), most recently changed first (then id,
   * descending); through an index, whatever the number of the user's instances. The cursor may throw
   * InvalidCursorError.
   */
  userInstancePage(userId: string, page: PageRequest & { journeyId?: string | undefined }): Promise<Page<Instance>>;
  /** The messages of these instances, in log order. */
  messagesOfInstances(instanceIds: readonly string[]): Promise<Message[]>;
  /** What is known of a user from their events, instances and messages; null when the store has none of theirs. */
  userSeen(userId: string): Promise<UserSeen | null>;
  /** A page of the message log, filtered and bounded (see MessageLogQuery). */
  messageLog(query: MessageLogQuery): Promise<MessageLogPage>;
  /**
   * The user's latest event (by timestamp, then arrival) named `name` (null: of any name), among their newest
   * `lookback` events; null when there is none among them.
   */
  latestUserEvent(userId: string, name: string | null, lookback: number): Promise<StoredEvent | null>;
  /**
   * The newest events by arrival: at most `limit`, and only as many as start within `maxBytes` of stored
   * properties (the newest is always read), so a few huge events cannot make it costly. For the catalog.
   */
  eventSample(limit: number, maxBytes: number): Promise<Sample<SampledEvent>>;
  /** Profiles' traits in user id order (the primary key), bounded like eventSample. For the catalog. */
  profileSample(limit: number, maxBytes: number): Promise<Sample<Record<string, unknown>>>;
  journeyStats(journeyId: string): Promise<StatRow[]>;
  /**
   * The journey's active instances (every version) counted by version and the node they are at, through the
   * journey's live instances (an index of them by journey): one aggregate, whose cost is the journey's live instances.
   */
  journeyWaiting(journeyId: string): Promise<WaitingRow[]>;
  /**
   * The slots of the window with an entry or a conversion, in time order (empty slots are left out). Reads the
   * journey's instances (a range of the primary key: instance ids start with the journey id), skipping
   * without decoding their state those that entered and left before `from`.
   */
  journeySeries(journeyId: string, query: SeriesQuery): Promise<SeriesSlot[]>;
  /**
   * A page of the events recorded in the window, in the order of arrival, through the index on arrival (SQLite)
   * or the day partitions (PostgreSQL). Not in timestamp order: a caller that needs it sorts. The cursor may
   * throw InvalidCursorError.
   */
  eventWindow(query: EventWindowQuery): Promise<Page<StoredEvent>>;
  /** The profiles of these users (those who have one), in no particular order. */
  profilesOf(userIds: readonly string[]): Promise<Profile[]>;
  /** Profiles whose `phone` trait is exactly `phone`, at most `limit`, in user id order (through an index). */
  profilesWithPhone(phone: string, limit: number): Promise<Profile[]>;
  /** How many distinct users the stored events are of. Reads every event: for the summary of a finished run. */
  eventUserCount(): Promise<number>;

  // Retention
  /**
   * Removes the events received before `before` (see PruneResult.before for the exact cut). The retention
   * window is also the dedupe window: a messageId is remembered only as long as its event is kept.
   * Runs in bounded steps; units of work go on meanwhile.
   */
  pruneEvents(before: number): Promise<PruneResult>;
}
