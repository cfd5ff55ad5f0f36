/**
 * The Store's reads of a database split into shards, through one connection to the main file with the others
 * attached, whose temporary views read each table of users' rows in every file (sqlite/shard-views.ts): the
 * SQLite store's own reads, unchanged. The message log, oldest first, is read only below the lowest number a
 * shard holds uncommitted (message-numbers.ts). The base of ShardedStore (sharded-store.ts).
 */
import type { Instance } from '../../core/instance.ts';
import type { EventRange } from '../../core/segment.ts';
import type { SqliteStore } from '../sqlite/sqlite-store.ts';
import type { EventWindowQuery, InboxMessage, InboxQuery, Message, MessageLogPage, MessageLogQuery, MessageQuery, Page, PageRequest, Profile, QueueDepth, Sample, SampledEvent, SeriesQuery, SeriesSlot, ShortLink, StatRow, StoredEvent, UserSeen, WaitingRow } from '../store.ts';
import { MainFileMethods } from './main-file-methods.ts';
import type { MessageNumbers } from './message-numbers.ts';

export abstract class ShardReads extends MainFileMethods {
  constructor(
    main: SqliteStore,
    protected readonly reader: SqliteStore,
    protected readonly numbers: MessageNumbers,
  ) {
    super(main);
  }

  resolveIdentities(ids: readonly string[]): Promise<Map<string, string>> {
    return this.reader.resolveIdentities(ids);
  }
  getProfile(userId: string): Promise<Profile | null> {
    return this.reader.getProfile(userId);
  }
  /** Oldest first after a cursor, only below the horizon: a message a shard has yet to commit is not passed. */
  async listMessages(query: MessageQuery): Promise<Message[]> {
    const horizon = this.numbers.horizon();
    const messages = await this.reader.listMessages(query);
    const cut = messages.findIndex((m) => m.seq >= horizon);
    return cut === -1 ? messages : messages.slice(0, cut);
  }
  getMessage(id: string): Promise<Message | null> {
    return this.reader.getMessage(id);
  }
  userEvents(userId: string, limit: number): Promise<StoredEvent[]> {
    return this.reader.userEvents(userId, limit);
  }
  userInstances(userId: string): Promise<Instance[]> {
    return this.reader.userInstances(userId);
  }
  userInstancePage(userId: string, page: PageRequest & { journeyId?: string | undefined }): Promise<Page<Instance>> {
    return this.reader.userInstancePage(userId, page);
  }
  messagesOfInstances(instanceIds: readonly string[]): Promise<Message[]> {
    return this.reader.messagesOfInstances(instanceIds);
  }
  userSeen(userId: string): Promise<UserSeen | null> {
    return this.reader.userSeen(userId);
  }
  /** As listMessages: oldest first, the page ends below the horizon. */
  async messageLog(query: MessageLogQuery): Promise<MessageLogPage> {
    const horizon = this.numbers.horizon();
    const page = await this.reader.messageLog(query);
    if (query.order === 'newest') return page;
    const cut = page.messages.findIndex((m) => m.seq >= horizon);
    if (cut !== -1) return { messages: page.messages.slice(0, cut), scannedTo: cut === 0 ? (query.from ?? null) : page.messages[cut - 1]!.seq, more: true };
    if (page.scannedTo !== null && page.scannedTo >= horizon) return { messages: page.messages, scannedTo: Math.max(horizon - 1, query.from ?? 0), more: true };
    return page;
  }
  latestUserEvent(userId: string, name: string | null, lookback: number): Promise<StoredEvent | null> {
    return this.reader.latestUserEvent(userId, name, lookback);
  }
  eventSample(limit: number, maxBytes: number): Promise<Sample<SampledEvent>> {
    return this.reader.eventSample(limit, maxBytes);
  }
  profileSample(limit: number, maxBytes: number): Promise<Sample<Record<string, unknown>>> {
    return this.reader.profileSample(limit, maxBytes);
  }
  journeyStats(journeyId: string): Promise<StatRow[]> {
    return this.reader.journeyStats(journeyId);
  }
  journeyWaiting(journeyId: string): Promise<WaitingRow[]> {
    return this.reader.journeyWaiting(journeyId);
  }
  journeySeries(journeyId: string, query: SeriesQuery): Promise<SeriesSlot[]> {
    return this.reader.journeySeries(journeyId, query);
  }
  eventWindow(query: EventWindowQuery): Promise<Page<StoredEvent>> {
    return this.reader.eventWindow(query);
  }
  profilesOf(userIds: readonly string[]): Promise<Profile[]> {
    return this.reader.profilesOf(userIds);
  }
  profilesWithPhone(phone: string, limit: number): Promise<Profile[]> {
    return this.reader.profilesWithPhone(phone, limit);
  }
  eventUserCount(): Promise<number> {
    return this.reader.eventUserCount();
  }
  scanProfiles(after: string | null, limit: number): Promise<Profile[]> {
    return this.reader.scanProfiles(after, limit);
  }
  eventsOfUsers(userIds: readonly string[], ranges: readonly EventRange[]): Promise<StoredEvent[]> {
    return this.reader.eventsOfUsers(userIds, ranges);
  }
  queueDepth(now: number): Promise<QueueDepth> {
    return this.reader.queueDepth(now);
  }
  inboxSize(): Promise<number> {
    return this.reader.inboxSize();
  }
  liveInstanceCount(journeyId: string): Promise<number> {
    return this.reader.liveInstanceCount(journeyId);
  }
  inboxPage(userId: string, query: InboxQuery): Promise<Page<InboxMessage>> {
    return this.reader.inboxPage(userId, query);
  }
  shortLink(code: string): Promise<ShortLink | null> {
    return this.reader.shortLink(code);
  }
  traitNames(): Promise<Set<string>> {
    return this.reader.traitNames();
  }
}
