/**
 * The PostgreSQL Store: several engine processes, on several machines, against one database. A thin class
 * over modules of plain functions, one concern each:
 *
 *  - connection.ts: the options, the pool, the migrations run at start-up, and transactions;
 *  - units-of-work.ts: ingest, the inbox drain and the timer claim, with the concurrency rules every
 *    module follows; unit-views.ts reads their views, apply-changes.ts commits their Changes, and locks.ts
 *    holds the per-user advisory locks; identities.ts the identity map the units resolve ids through, and
 *    identity merges;
 *  - journeys.ts (journeys and versions), journey-instances.ts (stopping and moving instances),
 *    scheduled-runs.ts, outbox.ts (pending messages, outcomes, callbacks), dead-letters.ts (sent again),
 *    engagement.ts (opens, clicks, short links), reads.ts, api-keys.ts, settings.ts (settings, providers, trait names) and retention.ts over event-partitions.ts;
 *  - the dashboard's reads: message-log.ts (the filtered log), latest-user-event.ts (the preview's event),
 *    event-sample.ts and profile-sample.ts (the catalog's bounded samples), journey-waiting.ts and
 *    journey-series.ts (stats now and over time), event-window.ts and profiles-of.ts (a backtest's input).
 */
import type pg from 'pg';
import type { Channel, JourneyDefinition } from '../../core/definition.ts';
import type { Instance, JourneyEvent } from '../../core/instance.ts';
import type { EventRange } from '../../core/segment.ts';
import type { ApiKeyRecord, KeyRemoval, Changes, DeliveryUpdate, InboxMessage, InboxQuery, EventBatchView, EventWindowQuery, IngestResult, JourneyRecord, JourneyStatus, JourneyVersion, Lookback, Message, MessageLogPage, MessageLogQuery, MessageQuery, Page, PageRequest, Profile, ProfileUpsert, PruneResult, RunClaim, Sample, SampledEvent, ProviderRecord, RecordedOutcome, DeadLetterFilter, SeriesQuery, SeriesSlot, StatRow, Store, StoredEvent, TimerBatchView, UserContextSpec, UserSeen, WaitingRow, CopyLogEntry, CopyLogRetention, CopyProviderRecord, NewCopyLogEntry, Engagement, EngagementResult, ShortLink, QueueDepth, DashboardUserRecord, DashboardUserChange, DashboardUserWrite, ProjectRecord, MessageStatus, CapsIndexChange } from '../store.ts';
import { TraitNameCache } from '../trait-names.ts';
import { connect, transaction, type PostgresOptions } from './connection.ts';
import { EventPartitions } from './event-partitions.ts';
import { eventWindow } from './event-window.ts';
import * as instances from './journey-instances.ts';
import { eventSample } from './event-sample.ts';
import { journeySeries } from './journey-series.ts';
import { journeyWaiting } from './journey-waiting.ts';
import * as journeys from './journeys.ts';
import { latestUserEvent } from './latest-user-event.ts';
import { exclusively, hash53 } from './locks.ts';
import { messageLog } from './message-log.ts';
import * as engagement from './engagement.ts';
import * as outbox from './outbox.ts';
import * as deadLetters from './dead-letters.ts';
import * as sendingMarks from './sending-marks.ts';
import * as ingestWaiting from './ingest-waiting.ts';
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
import * as copy from './copy.ts';
import * as units from './units-of-work.ts';
import * as identities from './identities.ts';
import type { IdentityMerge, MergeResult } from '../identities.ts';

export { redact, type PostgresOptions } from './connection.ts';
export { hash53, userLockKey } from './locks.ts';

export class PostgresStore implements Store {
  readonly pool: pg.Pool;
  /** The schema this store works in. */
  readonly schema: string;
  private readonly leaseMs: number;
  get outboxLeaseMs(): number {
    return this.leaseMs;
  }
  private readonly unit: units.UnitContext;
  private closed = false;

  private constructor(pool: pg.Pool, schema: string, leaseMs: number) {
    this.pool = pool;
    this.schema = schema;
    this.leaseMs = leaseMs;
    this.unit = {
      pool,
      schema,
      partitions: new EventPartitions((fn) => transaction(pool, fn), String(hash53(`waymark:${schema}:event-partitions`))),
      traitNames: new TraitNameCache(),
    };
  }

  /** Connects a pool and brings the schema up to date (under an advisory lock, so processes may start together). */
  static async open(url: string, options: PostgresOptions = {}): Promise<PostgresStore> {
    const { pool, schema, leaseMs } = await connect(url, options);
    return new PostgresStore(pool, schema, leaseMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  // ---- health and coordination

  ping(): Promise<void> {
    return reads.ping(this.pool);
  }

  exclusively<T>(name: string, fn: () => Promise<T>): Promise<T> {
    return exclusively(this.pool, this.schema, name, fn);
  }

  // ---- access keys, settings and trait names

  listApiKeys(): Promise<ApiKeyRecord[]> {
    return apiKeys.listApiKeys(this.pool);
  }

  addApiKey(key: ApiKeyRecord): Promise<void> {
    return apiKeys.addApiKey(this.pool, key);
  }

  removeApiKey(hash: string): Promise<KeyRemoval> {
    return apiKeys.removeApiKey(this.pool, hash);
  }

  replaceApiKey(oldHash: string, key: ApiKeyRecord): Promise<boolean> {
    return apiKeys.replaceApiKey(this.pool, oldHash, key);
  }
  touchApiKey(hash: string, at: number): Promise<void> {
    return apiKeys.touchApiKey(this.pool, hash, at);
  }

  listDashboardUsers(): Promise<DashboardUserRecord[]> {
    return dashboardUsers.listDashboardUsers(this.pool);
  }

  getDashboardUser(id: string): Promise<DashboardUserRecord | null> {
    return dashboardUsers.getDashboardUser(this.pool, id);
  }

  findDashboardUserByEmail(email: string): Promise<DashboardUserRecord | null> {
    return dashboardUsers.findDashboardUserByEmail(this.pool, email);
  }

  addDashboardUser(user: DashboardUserRecord): Promise<boolean> {
    return dashboardUsers.addDashboardUser(this.pool, user);
  }

  updateDashboardUser(id: string, change: DashboardUserChange): Promise<DashboardUserWrite> {
    return dashboardUsers.updateDashboardUser(this.pool, id, change);
  }

  removeDashboardUser(id: string): Promise<DashboardUserWrite> {
    return dashboardUsers.removeDashboardUser(this.pool, id);
  }

  recordDashboardSignIn(id: string, at: number): Promise<void> {
    return dashboardUsers.recordDashboardSignIn(this.pool, id, at);
  }
  listProjects(): Promise<ProjectRecord[]> {
    return projects.listProjects(this.pool);
  }

  addProject(project: ProjectRecord): Promise<boolean> {
    return projects.addProject(this.pool, project);
  }



  getSettings(): Promise<Record<string, unknown>> {
    return settings.getSettings(this.pool);
  }

  saveSettings(document: Record<string, unknown>, now: number): Promise<void> {
    return settings.saveSettings(this.pool, document, now);
  }

  /**
   * Keeps messages_by_user_created whatever the settings: several processes share the database, and building it
   * while they write would need CREATE INDEX CONCURRENTLY outside any transaction (not done).
   */
  async frequencyCapsSet(_capped: boolean, _onBuild?: (messages: number) => void): Promise<CapsIndexChange> {
    return null;
  }

  listProviders(): Promise<ProviderRecord[]> {
    return settings.listProviders(this.pool);
  }

  saveProvider(channel: Channel, config: Record<string, unknown>, now: number): Promise<void> {
    return settings.saveProvider(this.pool, channel, config, now);
  }

  removeProvider(channel: Channel): Promise<boolean> {
    return settings.removeProvider(this.pool, channel);
  }

  getCopyProvider(): Promise<CopyProviderRecord | null> {
    return copy.getCopyProvider(this.pool);
  }

  saveCopyProvider(config: Record<string, unknown>, now: number): Promise<void> {
    return copy.saveCopyProvider(this.pool, config, now);
  }

  removeCopyProvider(): Promise<boolean> {
    return copy.removeCopyProvider(this.pool);
  }

  addCopyLog(entry: NewCopyLogEntry, keep: CopyLogRetention): Promise<number> {
    return copy.addCopyLog(this.pool, entry, keep);
  }

  copyLogPage(page: PageRequest): Promise<Page<CopyLogEntry>> {
    return copy.copyLogPage(this.pool, page);
  }

  secret(name: string, make: () => string, now: number): Promise<string> {
    return settings.secret(this.pool, name, make, now);
  }

  traitNames(): Promise<Set<string>> {
    return settings.traitNames(this.pool);
  }

  // ---- journeys

  createJourney(j: { id: string; name: string; draft: JourneyDefinition; layout: JourneyRecord['layout'] }, now: number): Promise<JourneyRecord> {
    return journeys.createJourney(this.pool, j, now);
  }

  updateJourneyDraft(id: string, draft: JourneyDefinition, layout: JourneyRecord['layout'] | undefined, now: number): Promise<JourneyRecord | null> {
    return journeys.updateJourneyDraft(this.pool, id, draft, layout, now);
  }

  publishJourney(id: string, now: number): Promise<JourneyVersion | null> {
    return journeys.publishJourney(this.pool, id, now);
  }

  setJourneyStatus(id: string, status: JourneyStatus, now: number): Promise<JourneyRecord | null> {
    return journeys.setJourneyStatus(this.pool, id, status, now);
  }

  getJourney(id: string): Promise<JourneyRecord | null> {
    return journeys.getJourney(this.pool, id);
  }

  listJourneys(): Promise<JourneyRecord[]> {
    return journeys.listJourneys(this.pool);
  }

  listVersions(journeyId?: string): Promise<JourneyVersion[]> {
    return journeys.listVersions(this.pool, journeyId);
  }

  journeyPage(page: PageRequest): Promise<Page<JourneyRecord>> {
    return journeys.journeyPage(this.pool, page);
  }

  versionPage(journeyId: string, page: PageRequest): Promise<Page<JourneyVersion>> {
    return journeys.versionPage(this.pool, journeyId, page);
  }

  stopInstances(journeyId: string, now: number): Promise<number> {
    return instances.stopInstances(this.pool, journeyId, now);
  }

  moveInstances(journeyId: string, toVersion: number, nodeIds: readonly string[], now: number): Promise<number> {
    return instances.moveInstances(this.pool, journeyId, toVersion, nodeIds, now);
  }

  // ---- engine units of work

  upsertProfiles(profiles: ProfileUpsert[], now: number): Promise<void> {
    return units.upsertProfiles(this.unit, profiles, now);
  }

  mergeIdentity(merge: IdentityMerge, now: number): Promise<MergeResult> {
    return identities.mergeIdentity(this.pool, this.schema, merge, now);
  }

  async resolveIdentities(ids: readonly string[]): Promise<Map<string, string>> {
    const merged = await identities.mergedIds(this.pool, ids);
    return new Map(ids.map((id) => [id, merged.get(id) ?? id]));
  }

  ingestEvents(events: JourneyEvent[], now: number, decide: (view: EventBatchView) => Changes, lookback?: Lookback, context?: UserContextSpec): Promise<IngestResult> {
    return units.ingestEvents(this.unit, events, now, decide, lookback, context);
  }

  drainInbox(now: number, limit: number, decide: (view: EventBatchView) => Changes, lookback?: Lookback, context?: UserContextSpec): Promise<number> {
    return units.drainInbox(this.unit, now, limit, decide, lookback, context);
  }

  fireDueTimers(now: number, limit: number, decide: (view: TimerBatchView) => Changes, context?: UserContextSpec): Promise<number> {
    return units.fireDueTimers(this.unit, now, limit, decide, context);
  }

  // ---- scheduled entries

  scanProfiles(after: string | null, limit: number): Promise<Profile[]> {
    return runs.scanProfiles(this.pool, after, limit);
  }

  eventsOfUsers(userIds: readonly string[], ranges: readonly EventRange[]): Promise<StoredEvent[]> {
    return runs.eventsOfUsers(this.pool, userIds, ranges);
  }

  claimRun(journeyId: string, runAt: number, now: number, leaseMs: number): Promise<RunClaim | null> {
    return runs.claimRun(this.pool, journeyId, runAt, now, leaseMs);
  }

  saveRunCursor(journeyId: string, runAt: number, cursor: string, now: number, leaseMs: number): Promise<void> {
    return runs.saveRunCursor(this.pool, journeyId, runAt, cursor, now, leaseMs);
  }

  finishRun(journeyId: string, runAt: number, now: number): Promise<void> {
    return runs.finishRun(this.pool, journeyId, runAt, now);
  }

  // ---- outbox

  pendingMessages(limit: number, now = Number.MAX_SAFE_INTEGER): Promise<Message[]> {
    return outbox.pendingMessages(this.pool, limit, now, this.leaseMs);
  }

  recordOutcomes(outcomes: RecordedOutcome[]): Promise<void> {
    return outbox.recordOutcomes(this.pool, outcomes);
  }

  markSending(ids: readonly string[], at: number): Promise<void> {
    return sendingMarks.markSending(this.pool, ids, at);
  }

  setIngestWaiting(processId: string, since: number | null, now: number): Promise<void> {
    return ingestWaiting.setIngestWaiting(this.pool, processId, since, now);
  }

  ingestWaitingElsewhere(processId: string, freshSince: number): Promise<number | null> {
    return ingestWaiting.ingestWaitingElsewhere(this.pool, processId, freshSince);
  }

  releaseClaims(claims: ReadonlyArray<{ id: string; claims: number }>): Promise<void> {
    return outbox.releaseClaims(this.pool, claims);
  }

  requeueDeadMessages(filter: DeadLetterFilter, now: number): Promise<number> {
    return deadLetters.requeueDeadMessages(this.pool, filter, now);
  }

  countDeadMessages(filter: DeadLetterFilter): Promise<number> {
    return deadLetters.countDeadMessages(this.pool, filter);
  }

  recordEngagement(messageId: string, kind: Engagement, at: number): Promise<EngagementResult | null> {
    return engagement.recordEngagement(this.pool, messageId, kind, at);
  }

  saveShortLinks(links: readonly ShortLink[], now: number): Promise<void> {
    return engagement.saveShortLinks(this.pool, links, now);
  }

  shortLink(code: string): Promise<ShortLink | null> {
    return engagement.shortLink(this.pool, code);
  }

  recordDelivery(update: DeliveryUpdate): Promise<boolean> {
    return outbox.recordDelivery(this.pool, update);
  }

  bounceMessage(id: string, reason: string): Promise<MessageStatus | null> {
    return bounces.bounceMessage(this.pool, id, reason);
  }

  inboxPage(userId: string, query: InboxQuery): Promise<Page<InboxMessage>> {
    return inboxPage(this.pool, userId, query);
  }

  markInbox(userId: string, messageId: string, mark: 'read' | 'dismissed', at: number): Promise<InboxMessage | null> {
    return markInbox(this.pool, userId, messageId, mark, at);
  }

  // ---- reads

  getProfile(userId: string): Promise<Profile | null> {
    return reads.getProfile(this.pool, userId);
  }

  listMessages(q: MessageQuery): Promise<Message[]> {
    return reads.listMessages(this.pool, q);
  }

  getMessage(id: string): Promise<Message | null> {
    return reads.getMessage(this.pool, id);
  }

  userEvents(userId: string, limit: number): Promise<StoredEvent[]> {
    return reads.userEvents(this.pool, userId, limit);
  }

  userInstances(userId: string): Promise<Instance[]> {
    return reads.userInstances(this.pool, userId);
  }

  userInstancePage(userId: string, page: PageRequest & { journeyId?: string | undefined }): Promise<Page<Instance>> {
    return reads.userInstancePage(this.pool, userId, page);
  }

  messagesOfInstances(instanceIds: readonly string[]): Promise<Message[]> {
    return reads.messagesOfInstances(this.pool, instanceIds);
  }

  userSeen(userId: string): Promise<UserSeen | null> {
    return reads.userSeen(this.pool, userId);
  }

  messageLog(q: MessageLogQuery): Promise<MessageLogPage> {
    return messageLog(this.pool, q);
  }

  latestUserEvent(userId: string, name: string | null, lookback: number): Promise<StoredEvent | null> {
    return latestUserEvent(this.pool, userId, name, lookback);
  }

  eventSample(limit: number, maxBytes: number): Promise<Sample<SampledEvent>> {
    return eventSample(this.pool, limit, maxBytes);
  }

  profileSample(limit: number, maxBytes: number): Promise<Sample<Record<string, unknown>>> {
    return profileSample(this.pool, limit, maxBytes);
  }

  journeyStats(journeyId: string): Promise<StatRow[]> {
    return reads.journeyStats(this.pool, journeyId);
  }

  journeyWaiting(journeyId: string): Promise<WaitingRow[]> {
    return journeyWaiting(this.pool, journeyId);
  }

  journeySeries(journeyId: string, query: SeriesQuery): Promise<SeriesSlot[]> {
    return journeySeries(this.pool, journeyId, query);
  }

  eventWindow(query: EventWindowQuery): Promise<Page<StoredEvent>> {
    return eventWindow(this.pool, query);
  }

  profilesOf(userIds: readonly string[]): Promise<Profile[]> {
    return profilesOf(this.pool, userIds);
  }

  profilesWithPhone(phone: string, limit: number): Promise<Profile[]> {
    return profilesWithPhone(this.pool, phone, limit);
  }

  queueDepth(now: number): Promise<QueueDepth> {
    return reads.queueDepth(this.pool, now);
  }

  inboxSize(): Promise<number> {
    return reads.inboxSize(this.pool);
  }

  nextWakeAt(): Promise<number | null> {
    return reads.nextWakeAt(this.pool);
  }

  lastWakeAt(): Promise<number | null> {
    return reads.lastWakeAt(this.pool);
  }

  liveInstanceCount(journeyId: string): Promise<number> {
    return reads.liveInstanceCount(this.pool, journeyId);
  }

  eventUserCount(): Promise<number> {
    return reads.eventUserCount(this.pool);
  }

  // ---- retention

  pruneEvents(before: number): Promise<PruneResult> {
    return pruneEvents(this.pool, this.unit.partitions, before);
  }
}
