/**
 * The embedded Store: one SQLite file in WAL mode, no setup. Every unit of work runs synchronously inside
 * one transaction (better-sqlite3 is synchronous), so nothing can interleave between a read and its write.
 * A thin class over modules of plain functions, one concern each, as the PostgreSQL store is split:
 *
 *  - connection.ts: the options, the pragmas and migrations run on opening, and Sql (prepared statements);
 *  - units-of-work.ts: ingest, the inbox drain, the timer claim and the profile upsert; unit-views.ts reads
 *    their views (with the profile cache), apply-changes.ts commits their Changes; identities.ts the identity
 *    map the units resolve ids through, and identity merges;
 *  - journeys.ts (journeys and versions), journey-instances.ts (stopping and moving instances),
 *    scheduled-runs.ts, outbox.ts (pending messages, outcomes, callbacks), dead-letters.ts (sent again),
 *    engagement.ts (opens, clicks, short links), reads.ts, api-keys.ts, settings.ts (settings, providers, trait names) and retention.ts;
 *  - the dashboard's reads: message-log.ts (the filtered log), latest-user-event.ts (the preview's event),
 *    event-sample.ts and profile-sample.ts (the catalog's bounded samples), journey-waiting.ts and
 *    journey-series.ts (stats now and over time), event-window.ts and profiles-of.ts (a backtest's input).
 */
import type Database from 'better-sqlite3';
import type { Channel, JourneyDefinition } from '../../core/definition.ts';
import type { Instance, JourneyEvent } from '../../core/instance.ts';
import type { EventRange } from '../../core/segment.ts';
import type { ApiKeyRecord, KeyRemoval, Changes, DeliveryUpdate, InboxMessage, InboxQuery, EventBatchView, EventWindowQuery, IngestResult, JourneyRecord, JourneyStatus, JourneyVersion, Lookback, Message, MessageLogPage, MessageLogQuery, MessageQuery, Page, PageRequest, Profile, ProfileUpsert, PruneResult, RunClaim, Sample, SampledEvent, ProviderRecord, RecordedOutcome, DeadLetterFilter, SeriesQuery, SeriesSlot, StatRow, Store, StoredEvent, TimerBatchView, UserContextSpec, UserSeen, WaitingRow, CopyLogEntry, CopyLogRetention, CopyProviderRecord, NewCopyLogEntry, Engagement, EngagementResult, ShortLink, QueueDepth, DashboardUserRecord, DashboardUserChange, DashboardUserWrite, ProjectRecord, MessageStatus, CapsIndexChange } from '../store.ts';
import { InProcessLocks } from '../exclusive.ts';
import { TraitNameCache } from '../trait-names.ts';
import type { WriteContext } from './apply-changes.ts';
import { Checkpointer } from './checkpointer.ts';
import { openDatabase, Sql, type SqliteOptions } from './connection.ts';
import { eventWindow } from './event-window.ts';
import * as instances from './journey-instances.ts';
import { eventSample } from './event-sample.ts';
import { journeySeries } from './journey-series.ts';
import { journeyWaiting } from './journey-waiting.ts';
import * as journeys from './journeys.ts';
import { KeptEvents } from './kept-events.ts';
import { latestUserEvent } from './latest-user-event.ts';
import { messageLog } from './message-log.ts';
import * as engagement from './engagement.ts';
import * as outbox from './outbox.ts';
import * as deadLetters from './dead-letters.ts';
import * as sendingMarks from './sending-marks.ts';
import * as bounces from './bounces.ts';
import { profileSample } from './profile-sample.ts';
import { profilesOf, profilesWithPhone } from './profiles-of.ts';
import { inboxPage, markInbox } from './inbox.ts';
import * as reads from './reads.ts';
import { pruneEvents } from './retention.ts';
import * as runs from './scheduled-runs.ts';
import * as apiKeys from './api-keys.ts';
import * as dashboardUsers from './dashboard-users.ts';
import * as projects from './projects.ts';
import * as settings from './settings.ts';
import { keepCapsIndex } from './caps-index.ts';
import * as copy from './copy.ts';
import { LiveInstances } from './live-instances.ts';
import { ProfileCache } from './unit-views.ts';
import * as units from './units-of-work.ts';
import * as identities from './identities.ts';
import type { IdentityMerge, MergeResult } from '../identities.ts';

export type { SqliteOptions } from './connection.ts';

/** How long a claimed message is held for its dispatcher (as PostgreSQL's default lease). */
const OUTBOX_LEASE_MS = 30_000;

export class SqliteStore implements Store {
  readonly db: Database.Database;
  private readonly sql: Sql;
  private readonly unit: WriteContext;
  private readonly locks = new InProcessLocks();
  readonly outboxLeaseMs = OUTBOX_LEASE_MS;

  private readonly checkpointer: Checkpointer | null;

  constructor(file: string, options: SqliteOptions = {}) {
    this.db = openDatabase(file, options);
    this.sql = new Sql(this.db);
    const live = options.instances === 'memory' ? { live: new LiveInstances() } : {};
    const onMessages = options.onMessages ? { onMessages: options.onMessages } : {};
    const numbers = options.numbers ? { numbers: options.numbers } : {};
    const kept = options.eventsKept ? { eventsKept: new KeptEvents(options.eventsKept) } : {};
    this.unit = { sql: this.sql, profiles: new ProfileCache(options.profileCache), traitNames: new TraitNameCache(), messagesInFile: options.messages !== 'none', ...live, ...kept, ...onMessages, ...numbers };
    const logged = options.durability !== 'fast';
    const checkpointer = logged && options.checkpoints === 'background' ? Checkpointer.start(this.db, file, options.onCheckpointError ?? (() => {}), options.checkpointLogPages) : null;
    if (checkpointer) this.sql.beforeTransaction = () => checkpointer.finishCopy();
    this.checkpointer = checkpointer;
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    this.db.close();
  }

  // ---- health, coordination and group commit

  /**
   * Commits a write that changes nothing (the header's user_version, set to itself), so a read-only file or a
   * full disk fails it. Waits at most 250 ms for another connection's write (the engine's thread): that one
   * writing is proof enough that writes work, and readiness must not hold this thread for long.
   */
  async ping(): Promise<void> {
    const timeout = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.db.pragma('busy_timeout = 250');
    try {
      this.sql.transaction(() => {
        const version = this.db.pragma('user_version', { simple: true }) as number;
        this.db.pragma(`user_version = ${version}`);
      });
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
    } finally {
      this.db.pragma(`busy_timeout = ${timeout}`);
    }
  }

  /** One process writes the file, so a lock within the process is the store-wide lock. */
  exclusively<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(name, fn);
  }

  /**
   * Group commit, for throwaway runs (simulations): from beginGroup to commitGroup every unit of work joins
   * one transaction (its own becomes a savepoint), so many units share one commit. rollbackGroup drops an
   * open group, after a failure. Not on the Store port: PostgreSQL commits every unit of work on its own.
   */
  beginGroup(): void {
    this.db.exec('BEGIN');
  }

  commitGroup(): void {
    if (this.db.inTransaction) this.db.exec('COMMIT');
  }

  rollbackGroup(): void {
    if (this.db.open && this.db.inTransaction) this.db.exec('ROLLBACK');
  }

  // ---- access keys, settings and trait names

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    return apiKeys.listApiKeys(this.sql);
  }

  async addApiKey(key: ApiKeyRecord): Promise<void> {
    apiKeys.addApiKey(this.sql, key);
  }

  async removeApiKey(hash: string): Promise<KeyRemoval> {
    return apiKeys.removeApiKey(this.sql, hash);
  }

  async replaceApiKey(oldHash: string, key: ApiKeyRecord): Promise<boolean> {
    return apiKeys.replaceApiKey(this.sql, oldHash, key);
  }
  async touchApiKey(hash: string, at: number): Promise<void> {
    return apiKeys.touchApiKey(this.sql, hash, at);
  }

  async listDashboardUsers(): Promise<DashboardUserRecord[]> {
    return dashboardUsers.listDashboardUsers(this.sql);
  }

  async getDashboardUser(id: string): Promise<DashboardUserRecord | null> {
    return dashboardUsers.getDashboardUser(this.sql, id);
  }

  async findDashboardUserByEmail(email: string): Promise<DashboardUserRecord | null> {
    return dashboardUsers.findDashboardUserByEmail(this.sql, email);
  }

  async addDashboardUser(user: DashboardUserRecord): Promise<boolean> {
    return dashboardUsers.addDashboardUser(this.sql, user);
  }

  async updateDashboardUser(id: string, change: DashboardUserChange): Promise<DashboardUserWrite> {
    return dashboardUsers.updateDashboardUser(this.sql, id, change);
  }

  async removeDashboardUser(id: string): Promise<DashboardUserWrite> {
    return dashboardUsers.removeDashboardUser(this.sql, id);
  }

  async recordDashboardSignIn(id: string, at: number): Promise<void> {
    return dashboardUsers.recordDashboardSignIn(this.sql, id, at);
  }
  async listProjects(): Promise<ProjectRecord[]> {
    return projects.listProjects(this.sql);
  }

  async addProject(project: ProjectRecord): Promise<boolean> {
    return projects.addProject(this.sql, project);
  }



  async getSettings(): Promise<Record<string, unknown>> {
    return settings.getSettings(this.sql);
  }

  async saveSettings(document: Record<string, unknown>, now: number): Promise<void> {
    settings.saveSettings(this.sql, document, now);
  }

  async frequencyCapsSet(capped: boolean, onBuild?: (messages: number) => void): Promise<CapsIndexChange> {
    return keepCapsIndex(this.sql, capped, onBuild);
  }

  /** frequencyCapsSet, at once: for a simulation's store, made for settings known before its engine starts. */
  keepCapsIndex(capped: boolean): CapsIndexChange {
    return keepCapsIndex(this.sql, capped);
  }

  async listProviders(): Promise<ProviderRecord[]> {
    return settings.listProviders(this.sql);
  }

  async saveProvider(channel: Channel, config: Record<string, unknown>, now: number): Promise<void> {
    settings.saveProvider(this.sql, channel, config, now);
  }

  async removeProvider(channel: Channel): Promise<boolean> {
    return settings.removeProvider(this.sql, channel);
  }

  async getCopyProvider(): Promise<CopyProviderRecord | null> {
    return copy.getCopyProvider(this.sql);
  }

  async saveCopyProvider(config: Record<string, unknown>, now: number): Promise<void> {
    copy.saveCopyProvider(this.sql, config, now);
  }

  async removeCopyProvider(): Promise<boolean> {
    return copy.removeCopyProvider(this.sql);
  }

  async addCopyLog(entry: NewCopyLogEntry, keep: CopyLogRetention): Promise<number> {
    return copy.addCopyLog(this.sql, entry, keep);
  }

  async copyLogPage(page: PageRequest): Promise<Page<CopyLogEntry>> {
    return copy.copyLogPage(this.sql, page);
  }

  async secret(name: string, make: () => string, now: number): Promise<string> {
    return settings.secret(this.sql, name, make, now);
  }

  async traitNames(): Promise<Set<string>> {
    return settings.traitNames(this.sql);
  }

  // ---- journeys

  async createJourney(j: { id: string; name: string; draft: JourneyDefinition; layout: JourneyRecord['layout'] }, now: number): Promise<JourneyRecord> {
    return journeys.createJourney(this.sql, j, now);
  }

  async updateJourneyDraft(id: string, draft: JourneyDefinition, layout: JourneyRecord['layout'] | undefined, now: number): Promise<JourneyRecord | null> {
    return journeys.updateJourneyDraft(this.sql, id, draft, layout, now);
  }

  async publishJourney(id: string, now: number): Promise<JourneyVersion | null> {
    return journeys.publishJourney(this.sql, id, now);
  }

  async setJourneyStatus(id: string, status: JourneyStatus, now: number): Promise<JourneyRecord | null> {
    return journeys.setJourneyStatus(this.sql, id, status, now);
  }

  async getJourney(id: string): Promise<JourneyRecord | null> {
    return journeys.getJourney(this.sql, id);
  }

  async listJourneys(): Promise<JourneyRecord[]> {
    return journeys.listJourneys(this.sql);
  }

  async listVersions(journeyId?: string): Promise<JourneyVersion[]> {
    return journeys.listVersions(this.sql, journeyId);
  }

  async journeyPage(page: PageRequest): Promise<Page<JourneyRecord>> {
    return journeys.journeyPage(this.sql, page);
  }

  async versionPage(journeyId: string, page: PageRequest): Promise<Page<JourneyVersion>> {
    return journeys.versionPage(this.sql, journeyId, page);
  }

  async stopInstances(journeyId: string, now: number): Promise<number> {
    this.instancesInFile('stopInstances');
    return instances.stopInstances(this.sql, journeyId, now);
  }

  async moveInstances(journeyId: string, toVersion: number, nodeIds: readonly string[], now: number): Promise<number> {
    this.instancesInFile('moveInstances');
    return instances.moveInstances(this.sql, journeyId, toVersion, nodeIds, now);
  }

  // ---- engine units of work

  async upsertProfiles(profiles: ProfileUpsert[], now: number): Promise<void> {
    units.upsertProfiles(this.unit, profiles, now);
  }

  async mergeIdentity(merge: IdentityMerge, now: number): Promise<MergeResult> {
    return this.mergeIdentityNow(merge, now);
  }

  /** mergeIdentity, at once: for a merge that must commit in the same synchronous step as another file's (store/shards/). */
  mergeIdentityNow(merge: IdentityMerge, now: number): MergeResult {
    this.instancesInFile('mergeIdentity');
    return identities.mergeIdentity(this.unit, merge, now);
  }

  /**
   * Holds these users' profiles out of the units' cache (`hold: true`: read from the file until let go) while
   * another connection changes their rows (a merge across shards), then lets go (`hold: false`).
   */
  holdProfiles(userIds: readonly string[], hold: boolean): void {
    if (hold) this.unit.profiles.hold(userIds);
    else this.unit.profiles.release(userIds);
  }

  async resolveIdentities(ids: readonly string[]): Promise<Map<string, string>> {
    const merged = identities.mergedIds(this.sql, ids);
    return new Map(ids.map((id) => [id, merged.get(id) ?? id]));
  }

  async ingestEvents(events: JourneyEvent[], now: number, decide: (view: EventBatchView) => Changes, lookback?: Lookback, context?: UserContextSpec): Promise<IngestResult> {
    this.contextInFile(context);
    this.eventReadsInFile(lookback, context);
    try {
      return units.ingestEvents(this.unit, events, now, decide, lookback, context);
    } finally {
      this.unit.numbers?.settled();
    }
  }

  async drainInbox(now: number, limit: number, decide: (view: EventBatchView) => Changes, lookback?: Lookback, context?: UserContextSpec): Promise<number> {
    this.contextInFile(context);
    this.eventReadsInFile(lookback, context);
    try {
      return units.drainInbox(this.unit, now, limit, decide, lookback, context);
    } finally {
      this.unit.numbers?.settled();
    }
  }

  async fireDueTimers(now: number, limit: number, decide: (view: TimerBatchView) => Changes, context?: UserContextSpec): Promise<number> {
    this.contextInFile(context);
    this.eventReadsInFile(undefined, context);
    try {
      return units.fireDueTimers(this.unit, now, limit, decide, context);
    } finally {
      this.unit.numbers?.settled();
    }
  }

  // ---- scheduled entries

  async scanProfiles(after: string | null, limit: number): Promise<Profile[]> {
    return runs.scanProfiles(this.sql, after, limit);
  }

  async eventsOfUsers(userIds: readonly string[], ranges: readonly EventRange[]): Promise<StoredEvent[]> {
    this.unit.eventsKept?.check(ranges.map((r) => r.name), 'eventsOfUsers (a scheduled segment)');
    return runs.eventsOfUsers(this.sql, userIds, ranges);
  }

  async claimRun(journeyId: string, runAt: number, now: number, leaseMs: number): Promise<RunClaim | null> {
    return runs.claimRun(this.sql, journeyId, runAt, now, leaseMs);
  }

  async saveRunCursor(journeyId: string, runAt: number, cursor: string, now: number, leaseMs: number): Promise<void> {
    runs.saveRunCursor(this.sql, journeyId, runAt, cursor, now, leaseMs);
  }

  async finishRun(journeyId: string, runAt: number, now: number): Promise<void> {
    runs.finishRun(this.sql, journeyId, runAt, now);
  }

  // ---- outbox

  async pendingMessages(limit: number, now = Number.MAX_SAFE_INTEGER): Promise<Message[]> {
    return outbox.pendingMessages(this.sql, limit, now, OUTBOX_LEASE_MS);
  }

  async recordOutcomes(outcomes: RecordedOutcome[]): Promise<void> {
    outbox.recordOutcomes(this.sql, outcomes);
  }

  async markSending(ids: readonly string[], at: number): Promise<void> {
    sendingMarks.markSending(this.sql, ids, at);
  }

  async releaseClaims(claims: ReadonlyArray<{ id: string; claims: number }>): Promise<void> {
    outbox.releaseClaims(this.sql, claims);
  }

  /** `cap`: at most this many (MAX_REQUEUE by default; a shard's share, store/shards/). */
  async requeueDeadMessages(filter: DeadLetterFilter, now: number, cap?: number): Promise<number> {
    return deadLetters.requeueDeadMessages(this.sql, filter, now, cap);
  }

  async countDeadMessages(filter: DeadLetterFilter): Promise<number> {
    return deadLetters.countDeadMessages(this.sql, filter);
  }

  async recordEngagement(messageId: string, kind: Engagement, at: number): Promise<EngagementResult | null> {
    return engagement.recordEngagement(this.sql, messageId, kind, at);
  }

  async saveShortLinks(links: readonly ShortLink[], now: number): Promise<void> {
    engagement.saveShortLinks(this.sql, links, now);
  }

  async shortLink(code: string): Promise<ShortLink | null> {
    return engagement.shortLink(this.sql, code);
  }

  async recordDelivery(update: DeliveryUpdate): Promise<boolean> {
    return outbox.recordDelivery(this.sql, update);
  }

  async bounceMessage(id: string, reason: string): Promise<MessageStatus | null> {
    return bounces.bounceMessage(this.sql, id, reason);
  }

  async inboxPage(userId: string, query: InboxQuery): Promise<Page<InboxMessage>> {
    this.messagesInFile('inboxPage');
    return inboxPage(this.sql, userId, query);
  }

  async markInbox(userId: string, messageId: string, mark: 'read' | 'dismissed', at: number): Promise<InboxMessage | null> {
    return markInbox(this.sql, userId, messageId, mark, at);
  }

  // ---- reads

  async getProfile(userId: string): Promise<Profile | null> {
    return reads.getProfile(this.sql, userId);
  }

  async listMessages(q: MessageQuery): Promise<Message[]> {
    this.messagesInFile('listMessages');
    return reads.listMessages(this.sql, q);
  }

  async getMessage(id: string): Promise<Message | null> {
    this.messagesInFile('getMessage');
    return reads.getMessage(this.sql, id);
  }

  async userEvents(userId: string, limit: number): Promise<StoredEvent[]> {
    this.everyEventInFile('userEvents');
    return reads.userEvents(this.sql, userId, limit);
  }

  async userInstances(userId: string): Promise<Instance[]> {
    this.instancesInFile('userInstances');
    return reads.userInstances(this.sql, userId);
  }

  async userInstancePage(userId: string, page: PageRequest & { journeyId?: string | undefined }): Promise<Page<Instance>> {
    this.instancesInFile('userInstancePage');
    return reads.userInstancePage(this.sql, userId, page);
  }

  async messagesOfInstances(instanceIds: readonly string[]): Promise<Message[]> {
    this.messagesInFile('messagesOfInstances');
    return reads.messagesOfInstances(this.sql, instanceIds);
  }

  async userSeen(userId: string): Promise<UserSeen | null> {
    this.instancesInFile('userSeen');
    this.everyEventInFile('userSeen');
    return reads.userSeen(this.sql, userId);
  }

  async messageLog(q: MessageLogQuery): Promise<MessageLogPage> {
    this.messagesInFile('messageLog');
    return messageLog(this.sql, q);
  }

  async latestUserEvent(userId: string, name: string | null, lookback: number): Promise<StoredEvent | null> {
    this.everyEventInFile('latestUserEvent');
    return latestUserEvent(this.sql, userId, name, lookback);
  }

  async eventSample(limit: number, maxBytes: number): Promise<Sample<SampledEvent>> {
    this.everyEventInFile('eventSample');
    return eventSample(this.sql, limit, maxBytes);
  }

  async profileSample(limit: number, maxBytes: number): Promise<Sample<Record<string, unknown>>> {
    return profileSample(this.sql, limit, maxBytes);
  }

  async journeyStats(journeyId: string): Promise<StatRow[]> {
    return reads.journeyStats(this.sql, journeyId);
  }

  async journeyWaiting(journeyId: string): Promise<WaitingRow[]> {
    return this.unit.live?.waiting(journeyId) ?? journeyWaiting(this.sql, journeyId);
  }

  async journeySeries(journeyId: string, query: SeriesQuery): Promise<SeriesSlot[]> {
    this.instancesInFile('journeySeries');
    return journeySeries(this.sql, journeyId, query);
  }

  async eventWindow(query: EventWindowQuery): Promise<Page<StoredEvent>> {
    this.everyEventInFile('eventWindow');
    return eventWindow(this.sql, query);
  }

  async profilesOf(userIds: readonly string[]): Promise<Profile[]> {
    return profilesOf(this.sql, userIds);
  }

  async profilesWithPhone(phone: string, limit: number): Promise<Profile[]> {
    return profilesWithPhone(this.sql, phone, limit);
  }

  async queueDepth(now: number): Promise<QueueDepth> {
    this.instancesInFile('queueDepth');
    return reads.queueDepth(this.sql, now);
  }

  async inboxSize(): Promise<number> {
    return reads.inboxSize(this.sql);
  }

  async nextWakeAt(): Promise<number | null> {
    return this.unit.live ? this.unit.live.nextWakeAt() : reads.nextWakeAt(this.sql);
  }

  async lastWakeAt(): Promise<number | null> {
    return this.unit.live ? this.unit.live.lastWakeAt() : reads.lastWakeAt(this.sql);
  }

  async liveInstanceCount(journeyId: string): Promise<number> {
    return this.unit.live ? this.unit.live.liveCount(journeyId) : reads.liveInstanceCount(this.sql, journeyId);
  }

  /** Refuses a read of messages the file does not have: a store that writes none (SqliteOptions.messages 'none'). */
  private messagesInFile(method: string): void {
    if (!this.unit.messagesInFile) throw new Error(`${method}: this store writes no message to its file (a simulation's)`);
  }

  /** Refuses a unit that would count a user's recent sends or read an instance's outcomes, which a store without messages cannot. */
  private contextInFile(context: UserContextSpec | undefined): void {
    if (context && (context.sendsSince !== null || context.outcomes)) this.messagesInFile('a unit reading sends (frequency caps, outcomes)');
  }

  /** Refuses a unit that would read back events a store keeping only some does not have (SqliteOptions.eventsKept). */
  private eventReadsInFile(lookback: Lookback | undefined, context: UserContextSpec | undefined): void {
    const kept = this.unit.eventsKept;
    if (!kept) return;
    if (lookback) kept.check(lookback.names, 'a unit replaying events that overtook an entry');
    if (context?.history) kept.check(context.history.names, "a unit reading a user's event history");
  }

  /** Refuses a read of any event: a store keeping only some (SqliteOptions.eventsKept) cannot answer it. */
  private everyEventInFile(method: string): void {
    if (this.unit.eventsKept) throw new Error(`${method}: this store keeps only the events its journeys read back (a simulation's)`);
  }

  /** Refuses a read or write of instances the file does not have: a store keeping its live ones in memory keeps no past ones. */
  private instancesInFile(method: string): void {
    if (this.unit.live) throw new Error(`${method}: this store keeps its live instances in memory and no past ones (a simulation's)`);
  }

  /** The highest message and event numbers in the file (0 when none): where shards' shared counters start. */
  highestNumbers(): { message: number; event: number } {
    return reads.highestNumbers(this.sql);
  }

  async eventUserCount(): Promise<number> {
    return this.unit.eventsKept ? this.unit.eventsKept.userCount() : reads.eventUserCount(this.sql);
  }

  // ---- retention

  pruneEvents(before: number): Promise<PruneResult> {
    return pruneEvents(this.sql, before);
  }
}
