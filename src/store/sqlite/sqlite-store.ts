/**
 * The embedded Store: one SQLite file in WAL mode, no setup. Every unit of work runs synchronously inside
 * one transaction (better-sqlite3 is synchronous), so nothing can interleave between a read and its write.
 */
import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Channel, JourneyDefinition } from '../../core/definition.ts';
import type { Instance, JourneyEvent } from '../../core/instance.ts';
import type {
  ApiKeyRecord,
  Changes,
  EventBatchView,
  IngestResult,
  JourneyRecord,
  JourneyStatus,
  JourneyVersion,
  InstanceMessage,
  Lookback,
  Message,
  MessageQuery,
  Profile,
  ProfileUpsert,
  PruneResult,
  RunClaim,
  SendOutcome,
  StatRow,
  Store,
  StoredEvent,
  TimerBatchView,
  UserContext,
  UserContextSpec,
} from '../store.ts';
import { exitedAt, MIN_TIMESTAMP, rowMappers, type Row } from '../rows.ts';
import { TraitNameCache } from '../trait-names.ts';

const {
  profile: toProfile,
  event: toEvent,
  journey: toJourney,
  message: toMessage,
  inboxEvent: toInboxEvent,
  instanceMessage: toInstanceMessage,
} = rowMappers((value) => JSON.parse(value as string));

export interface SqliteOptions {
  /** 'safe' survives power loss up to the last commit; 'fast' (simulations) may lose recent commits on a crash of the machine. */
  durability?: 'safe' | 'fast';
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const IN_CHUNK = 500; // bound the size of IN (...) lists
const PROFILE_CACHE_SIZE = 200_000;
/** Events deleted per transaction when pruning, so ingest never waits long behind retention. */
const PRUNE_BATCH = 5_000;
/** Live instances looked at per transaction when moving a journey's instances to a new version. */
const MOVE_BATCH = 2_000;


export class SqliteStore implements Store {
  readonly db: Database.Database;
  private readonly s: ReturnType<typeof prepareStatements>;

  constructor(file: string, options: SqliteOptions = {}) {
    this.db = new Database(file);
    // 'fast' is for throwaway databases (simulations): no write-ahead log to write twice, no syncing.
    this.db.pragma(`journal_mode = ${options.durability === 'fast' ? 'MEMORY' : 'WAL'}`);
    this.db.pragma(`synchronous = ${options.durability === 'fast' ? 'OFF' : 'NORMAL'}`);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('cache_size = -65536');
    this.db.pragma('temp_store = MEMORY');
    this.db.pragma('mmap_size = 268435456');
    migrate(this.db);
    this.s = prepareStatements(this.db);
  }

  async close(): Promise<void> {
    this.db.close();
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    return (this.s.listKeys.all() as Row[]).map((r) => ({ hash: r.hash as string, kind: r.kind as ApiKeyRecord['kind'], createdAt: r.created_at as number }));
  }

  async addApiKey(key: ApiKeyRecord): Promise<void> {
    this.s.addKey.run(key.hash, key.kind, key.createdAt);
  }

  async upsertProfiles(profiles: ProfileUpsert[], now: number): Promise<void> {
    const names = this.db.transaction((): string[] => {
      for (const p of profiles) {
        this.profileCache.delete(p.userId);
        this.s.upsertProfile.run({ userId: p.userId, traits: JSON.stringify(p.traits), now });
      }
      return this.recordTraitNames(profiles);
    })();
    this.traitNameCache.remember(names);
  }

  async getProfile(userId: string): Promise<Profile | null> {
    const row = this.s.getProfile.get(userId) as Row | undefined;
    return row ? toProfile(row) : null;
  }

  async createJourney(j: { id: string; name: string; draft: JourneyDefinition; layout: JourneyRecord['layout'] }, now: number): Promise<JourneyRecord> {
    this.s.insertJourney.run(j.id, j.name, JSON.stringify(j.draft), JSON.stringify(j.layout), now, now);
    return (await this.getJourney(j.id))!;
  }

  async updateJourneyDraft(id: string, draft: JourneyDefinition, layout: JourneyRecord['layout'] | undefined, now: number): Promise<JourneyRecord | null> {
    const result = this.s.updateDraft.run(draft.name, JSON.stringify(draft), layout === undefined ? null : JSON.stringify(layout), now, id);
    return result.changes === 0 ? null : this.getJourney(id);
  }

  async publishJourney(id: string, now: number): Promise<JourneyVersion | null> {
    return this.db.transaction((): JourneyVersion | null => {
      const row = this.s.getJourney.get(id) as Row | undefined;
      if (!row) return null;
      const version = ((row.version as number | null) ?? 0) + 1;
      this.s.insertVersion.run(id, version, row.draft, now);
      this.s.setPublished.run(version, now, id);
      return { journeyId: id, version, definition: JSON.parse(row.draft as string), publishedAt: now };
    })();
  }

  async setJourneyStatus(id: string, status: JourneyStatus, now: number): Promise<JourneyRecord | null> {
    const result = this.s.setStatus.run(status, now, id);
    return result.changes === 0 ? null : this.getJourney(id);
  }

  async getJourney(id: string): Promise<JourneyRecord | null> {
    const row = this.s.getJourney.get(id) as Row | undefined;
    return row ? toJourney(row) : null;
  }

  async listJourneys(): Promise<JourneyRecord[]> {
    return (this.s.listJourneys.all() as Row[]).map(toJourney);
  }

  async listVersions(journeyId?: string): Promise<JourneyVersion[]> {
    const rows = (journeyId === undefined ? this.s.allVersions.all() : this.s.versionsOf.all(journeyId)) as Row[];
    return rows.map((r) => ({
      journeyId: r.journey_id as string,
      version: r.version as number,
      definition: JSON.parse(r.definition as string),
      publishedAt: r.published_at as number,
    }));
  }

  async ingestEvents(events: JourneyEvent[], now: number, decide: (view: EventBatchView) => Changes, lookback?: Lookback, context?: UserContextSpec): Promise<IngestResult> {
    const { result, names } = this.db.transaction(() => this.eventUnit(events, now, decide, lookback, context))();
    this.traitNameCache.remember(names);
    return result;
  }

  /**
   * One transaction: the oldest `limit` inbox rows, processed by the same code as ingestEvents, then removed
   * (by seq: the follow-ups the unit adds are new rows, and an id already waiting was not added again).
   */
  async drainInbox(now: number, limit: number, decide: (view: EventBatchView) => Changes, lookback?: Lookback, context?: UserContextSpec): Promise<number> {
    if (limit <= 0) return 0; // SQLite reads a negative LIMIT as none
    const { claimed, names } = this.db.transaction((): { claimed: number; names: string[] } => {
      const rows = this.s.claimInbox.all(limit) as Row[];
      if (rows.length === 0) return { claimed: 0, names: [] };
      const { names } = this.eventUnit(rows.map(toInboxEvent), now, decide, lookback, context);
      this.s.deleteInbox.run(JSON.stringify(rows.map((r) => r.seq)));
      return { claimed: rows.length, names };
    })();
    this.traitNameCache.remember(names);
    return claimed;
  }

  async inboxSize(): Promise<number> {
    return (this.s.inboxSize.get() as Row).n as number;
  }

  async fireDueTimers(now: number, limit: number, decide: (view: TimerBatchView) => Changes, context?: UserContextSpec): Promise<number> {
    let names: string[] = [];
    const fired = this.db.transaction((): number => {
      const instances = (this.s.dueInstances.all(now, limit) as Row[]).map(toInstance);
      if (instances.length === 0) return 0;
      const users = unique(instances.map((i) => i.userId));
      const view: TimerBatchView = { instances, profiles: this.loadProfiles(users), context: this.loadContext(users, instances.map((i) => i.id), context) };
      names = this.apply(decide(view), now);
      return instances.length;
    })();
    this.traitNameCache.remember(names);
    return fired;
  }

  async nextWakeAt(): Promise<number | null> {
    const row = this.s.nextWake.get() as Row | undefined;
    return (row?.wake_at as number | undefined) ?? null;
  }

  async stopInstances(journeyId: string, now: number): Promise<number> {
    return this.db.transaction((): number => {
      const live = (this.s.liveOfJourney.all(journeyId) as Row[]).map(toInstance);
      const counts = new Map<number, number>();
      for (const i of live) {
        const stopped: Instance = { ...i, status: 'exited', wakeAt: null, nodeUntil: null, exit: { reason: 'stopped', at: now, nodeId: i.nodeId } };
        this.writeInstance(stopped, now);
        counts.set(i.version, (counts.get(i.version) ?? 0) + 1);
      }
      for (const [version, count] of counts) this.s.addStat.run(journeyId, version, '', 'stopped', count);
      return live.length;
    })();
  }

  async liveInstanceCount(journeyId: string): Promise<number> {
    return (this.s.liveCount.get(journeyId) as Row).n as number;
  }

  /**
   * In pages of the journey's live instances in user order, one transaction each (units of work go on in
   * between; each instance is moved whole or not at all). Only the version changes: node, timers and the
   * rest of the state stay.
   */
  async moveInstances(journeyId: string, toVersion: number, nodeIds: readonly string[], now: number): Promise<number> {
    const nodes = JSON.stringify([...nodeIds]);
    let moved = 0;
    let after: string | null = null;
    for (;;) {
      const page = this.db.transaction((): Row[] => {
        const rows = (after === null ? this.s.livePageFirst.all(journeyId, MOVE_BATCH) : this.s.livePageAfter.all(journeyId, after, MOVE_BATCH)) as Row[];
        if (rows.length > 0) moved += this.s.moveInstances.run({ ids: JSON.stringify(rows.map((r) => r.id)), version: toVersion, nodes, now }).changes;
        return rows;
      })();
      if (page.length < MOVE_BATCH) return moved;
      after = page[page.length - 1]!.user_id as string;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async scanProfiles(after: string | null, limit: number): Promise<Profile[]> {
    const rows = after === null ? this.s.profilesFirst.all(limit) : this.s.profilesAfter.all(after, limit);
    return (rows as Row[]).map(toProfile);
  }

  /** One statement: the users come as a JSON array, each probing events_by_user; sorted by user in SQL (byte order, as PostgreSQL's "C"). */
  async eventsOfUsers(userIds: readonly string[], names: readonly string[], since: number | null): Promise<StoredEvent[]> {
    if (userIds.length === 0 || names.length === 0) return [];
    const rows = this.s.eventsOfUsers.all(JSON.stringify(unique([...userIds])), JSON.stringify(unique([...names])), since ?? MIN_TIMESTAMP) as Row[];
    return rows.map(toEvent);
  }

  async claimRun(journeyId: string, runAt: number, now: number, leaseMs: number): Promise<RunClaim | null> {
    const row = this.s.claimRun.get(journeyId, runAt, now + leaseMs, now) as Row | undefined;
    return row ? { cursor: (row.cursor as string | null) ?? null } : null;
  }

  async saveRunCursor(journeyId: string, runAt: number, cursor: string, now: number, leaseMs: number): Promise<void> {
    this.s.saveRunCursor.run({ journeyId, runAt, cursor, leaseUntil: now + leaseMs });
  }

  async finishRun(journeyId: string, runAt: number, now: number): Promise<void> {
    this.s.finishRun.run(journeyId, runAt, now);
  }

  async getSettings(): Promise<Record<string, unknown>> {
    const row = this.s.getSettings.get() as Row | undefined;
    return row ? JSON.parse(row.document as string) : {};
  }

  async saveSettings(settings: Record<string, unknown>, now: number): Promise<void> {
    this.s.saveSettings.run(JSON.stringify(settings), now);
  }

  async traitNames(): Promise<Set<string>> {
    return new Set((this.s.traitNames.all() as Row[]).map((r) => r.name as string));
  }

  async pendingMessages(limit: number): Promise<Message[]> {
    return (this.s.pendingMessages.all(limit) as Row[]).map(toMessage);
  }

  async recordOutcomes(outcomes: SendOutcome[]): Promise<void> {
    this.db.transaction(() => {
      for (const o of outcomes) {
        const row = this.s.recordOutcome.get(o.status, o.at, o.error ?? null, o.id) as Row | undefined;
        if (row) this.s.addStat.run(row.journey_id, row.version, row.node_id, o.status === 'sent' ? 'node_sent' : 'node_failed', 1);
      }
    })();
  }

  async recordClick(messageId: string, at: number): Promise<boolean> {
    return this.db.transaction((): boolean => this.s.recordClick.run(at, messageId).changes === 1 || this.s.messageExists.get(messageId) !== undefined)();
  }

  async listMessages(q: MessageQuery): Promise<Message[]> {
    const after = q.after ?? 0;
    const rows =
      q.userId !== undefined
        ? this.s.messagesOfUser.all(q.userId, after, q.limit)
        : q.journeyId !== undefined
          ? this.s.messagesOfJourney.all(q.journeyId, after, q.limit)
          : this.s.messagesAfter.all(after, q.limit);
    return (rows as Row[]).map(toMessage);
  }

  async userEvents(userId: string, limit: number): Promise<StoredEvent[]> {
    return (this.s.userEvents.all(userId, limit) as Row[]).map(toEvent);
  }

  async userInstances(userId: string): Promise<Instance[]> {
    return (this.s.userInstances.all(userId) as Row[]).map(toInstance);
  }

  async journeyStats(journeyId: string): Promise<StatRow[]> {
    return (this.s.stats.all(journeyId) as Row[]).map((r) => ({ version: r.version as number, nodeId: r.node_id as string, metric: r.metric as string, count: r.count as number }));
  }

  /** Deletes in batches, oldest first; the dedupe keys (message_id is unique in events) go with the rows. */
  async pruneEvents(before: number): Promise<PruneResult> {
    let events = 0;
    for (;;) {
      const { changes } = this.s.pruneEvents.run(before, PRUNE_BATCH);
      events += changes;
      if (changes < PRUNE_BATCH) return { events, before };
      // The store is synchronous: between batches, let the server read requests.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Every unit of work needs its users' profiles, and this process is the file's only writer, so parsed
   * profiles are kept (bounded) and dropped when a profile is written.
   */
  private readonly profileCache = new Map<string, Profile | null>();

  private loadProfiles(users: string[]): Map<string, Profile> {
    const profiles = new Map<string, Profile>();
    const missing: string[] = [];
    for (const user of users) {
      const cached = this.profileCache.get(user);
      if (cached === undefined) missing.push(user);
      else if (cached !== null) profiles.set(user, cached);
    }
    if (this.profileCache.size + missing.length > PROFILE_CACHE_SIZE) this.profileCache.clear();
    for (const chunk of chunks(missing)) {
      for (const row of this.inList('SELECT * FROM profiles WHERE user_id IN', chunk)) profiles.set(row.user_id as string, toProfile(row));
    }
    for (const user of missing) this.profileCache.set(user, profiles.get(user) ?? null);
    return profiles;
  }

  /**
   * The unit of work of ingestEvents and drainInbox, in the caller's transaction: stores the events not seen
   * before (deduplicated on messageId), loads the view, decides and writes. Returns the trait names recorded,
   * to remember once the transaction commits.
   */
  private eventUnit(
    events: JourneyEvent[],
    now: number,
    decide: (view: EventBatchView) => Changes,
    lookback: Lookback | undefined,
    context: UserContextSpec | undefined,
  ): { result: IngestResult; names: string[] } {
    const fresh: StoredEvent[] = [];
    for (const e of events) {
      const inserted = this.s.insertEvent.run(e.messageId, e.userId, e.name, e.timestamp, JSON.stringify(e.properties), now);
      if (inserted.changes === 1) fresh.push({ ...e, receivedAt: now });
    }
    const result = { accepted: fresh.length, duplicates: events.length - fresh.length };
    if (fresh.length === 0) return { result, names: [] };
    const users = unique(fresh.map((e) => e.userId));
    const view: EventBatchView = {
      events: fresh,
      profiles: this.loadProfiles(users),
      live: new Map(),
      entered: new Map(),
      lastExits: new Map(),
      context: { history: new Map(), sends: new Map() },
      recent: new Map(),
    };
    this.loadInstancesOf(users, view);
    view.context = this.loadContext(users, liveInstanceIds(view.live), context);
    if (lookback) this.loadRecent(fresh, lookback, view);
    return { result, names: this.apply(decide(view), now) };
  }

  private loadInstancesOf(users: string[], view: EventBatchView): void {
    for (const chunk of chunks(users)) {
      const rows = this.inList("SELECT journey_id, user_id, entered_at, exited_at, CASE WHEN status <> 'exited' THEN state END AS state FROM instances WHERE user_id IN", chunk);
      for (const row of rows) {
        const userId = row.user_id as string;
        const journeyId = row.journey_id as string;
        if (row.entered_at !== null) getOrCreate(view.entered, userId, () => new Set<string>()).add(journeyId);
        if (row.state !== null) getOrCreate(view.live, userId, () => [] as Instance[]).push(JSON.parse(row.state as string));
        const exited = row.exited_at as number | null;
        if (exited !== null && row.entered_at !== null) {
          const exits = getOrCreate(view.lastExits, userId, () => new Map<string, number>());
          if (!((exits.get(journeyId) ?? -Infinity) >= exited)) exits.set(journeyId, exited);
        }
      }
    }
  }

  /**
   * What `spec` asks for about these users (and, for outcomes, these instances of theirs): a query per chunk of
   * users and kind, one for the instances' messages, in the unit's transaction.
   */
  private loadContext(users: string[], instanceIds: string[], spec: UserContextSpec | undefined): UserContext {
    const context: UserContext = { history: new Map(), sends: new Map() };
    if (!spec) return context;
    const history = spec.history;
    if (history && history.names.size > 0) {
      const names = [...history.names];
      const sql = `SELECT * FROM events WHERE name IN (${names.map(() => '?').join(',')}) AND ts >= ? AND user_id IN`;
      for (const chunk of chunks(users)) {
        for (const row of this.inList(sql, [...names, history.since ?? MIN_TIMESTAMP, ...chunk], 'ORDER BY ts, seq')) {
          getOrCreate(context.history, row.user_id as string, () => [] as StoredEvent[]).push(toEvent(row));
        }
      }
    }
    if (spec.sendsSince !== null) {
      const sql = "SELECT user_id, channel, created_at FROM messages WHERE status IN ('pending', 'sent') AND created_at >= ? AND user_id IN";
      for (const chunk of chunks(users)) {
        for (const row of this.inList(sql, [spec.sendsSince, ...chunk], 'ORDER BY created_at, seq')) {
          getOrCreate(context.sends, row.user_id as string, () => [] as Array<{ channel: Channel; at: number }>).push({ channel: row.channel as Channel, at: row.created_at as number });
        }
      }
    }
    if (spec.outcomes) {
      const messages = new Map<string, InstanceMessage[]>();
      if (instanceIds.length > 0) {
        for (const row of this.s.messagesOfInstances.all(JSON.stringify(unique(instanceIds))) as Row[]) {
          getOrCreate(messages, row.instance_id as string, () => [] as InstanceMessage[]).push(toInstanceMessage(row));
        }
      }
      context.messages = messages;
    }
    return context;
  }

  private loadRecent(fresh: StoredEvent[], lookback: Lookback, view: EventBatchView): void {
    const since = new Map<string, number>();
    for (const e of fresh) {
      if (lookback.startsJourney(e)) since.set(e.userId, Math.min(since.get(e.userId) ?? Infinity, e.timestamp));
    }
    if (since.size === 0 || lookback.names.size === 0) return;
    const names = [...lookback.names];
    const earliest = Math.min(...since.values());
    for (const chunk of chunks([...since.keys()])) {
      const sql = `SELECT * FROM events WHERE name IN (${names.map(() => '?').join(',')}) AND ts >= ? AND user_id IN`;
      for (const row of this.inList(sql, [...names, earliest, ...chunk] as string[]).sort((a, b) => (a.ts as number) - (b.ts as number) || (a.seq as number) - (b.seq as number))) {
        const e = toEvent(row);
        if (e.timestamp < since.get(e.userId)!) continue;
        getOrCreate(view.recent, e.userId, () => [] as StoredEvent[]).push(e);
      }
    }
  }

  private readonly inListCache = new Map<string, Database.Statement>();
  /** Runs `prefix (?, ?, …) suffix` with one placeholder per value after `prefix`'s own. */
  private inList(prefix: string, values: Array<string | number>, suffix = ''): Row[] {
    const own = prefix.split('?').length - 1;
    const sql = `${prefix} (${values.slice(own).map(() => '?').join(',')}) ${suffix}`;
    let statement = this.inListCache.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      if (this.inListCache.size > 2000) this.inListCache.clear();
      this.inListCache.set(sql, statement);
    }
    return statement.all(...values) as Row[];
  }

  /** Writes a unit of work's changes; returns the trait names it recorded, to remember once it commits. */
  private apply(changes: Changes, now: number): string[] {
    for (const instance of changes.instances) this.writeInstance(instance, now);
    for (const m of changes.messages) {
      this.s.insertMessage.run(m.id, m.journeyId, m.version, m.instanceId, m.nodeId, m.userId, m.channel, m.status, m.reason, m.content === null ? null : JSON.stringify(m.content), m.createdAt, m.sentAt);
    }
    for (const d of changes.stats) this.s.addStat.run(d.journeyId, d.version, d.nodeId, d.metric, d.count);
    for (const e of changes.followUps ?? []) {
      this.s.insertInbox.run(e.messageId, e.userId, e.name, e.timestamp, JSON.stringify(e.properties), now);
    }
    const profiles = changes.profiles ?? [];
    for (const p of profiles) {
      this.profileCache.delete(p.userId); // the cached parse is stale now; the next unit reads the merged row
      this.s.upsertProfile.run({ userId: p.userId, traits: JSON.stringify(p.traits), now });
    }
    return profiles.length === 0 ? [] : this.recordTraitNames(profiles);
  }

  /** Trait names recorded per store: a write inserts only the ones it has not seen (usually none). */
  private readonly traitNameCache = new TraitNameCache();

  /** Records the trait names of these patches not seen before, in the caller's transaction; returns them. */
  private recordTraitNames(profiles: ProfileUpsert[]): string[] {
    const names = this.traitNameCache.unknown(profiles);
    for (const name of names) this.s.insertTraitName.run(name);
    return names;
  }

  /** Most writes move an existing instance on, so try the cheaper UPDATE first. */
  private writeInstance(i: Instance, now: number): void {
    const state = JSON.stringify(i);
    const exited = exitedAt(i);
    if (this.s.updateInstance.run(i.status, i.wakeAt, i.enteredAt, exited, state, now, i.id).changes === 0) {
      this.s.insertInstance.run(i.id, i.journeyId, i.version, i.userId, i.status, i.wakeAt, i.enteredAt, exited, state, now);
    }
  }
}

function migrate(db: Database.Database): void {
  const files = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const file of files) {
    const version = Number.parseInt(file, 10);
    if (version <= current) continue;
    db.transaction(() => {
      db.exec(readFileSync(MIGRATIONS_DIR + file, 'utf8'));
      db.pragma(`user_version = ${version}`);
    })();
  }
}

function prepareStatements(db: Database.Database) {
  return {
    listKeys: db.prepare('SELECT * FROM api_keys'),
    addKey: db.prepare('INSERT INTO api_keys (hash, kind, created_at) VALUES (?, ?, ?)'),
    // json_patch merges traits; a null trait removes it (RFC 7396).
    upsertProfile: db.prepare(
      `INSERT INTO profiles (user_id, traits, updated_at) VALUES (@userId, json_patch('{}', @traits), @now)
       ON CONFLICT (user_id) DO UPDATE SET traits = json_patch(profiles.traits, @traits), updated_at = @now`,
    ),
    getProfile: db.prepare('SELECT * FROM profiles WHERE user_id = ?'),
    insertJourney: db.prepare("INSERT INTO journeys (id, name, status, version, draft, layout, created_at, updated_at) VALUES (?, ?, 'draft', NULL, ?, ?, ?, ?)"),
    updateDraft: db.prepare('UPDATE journeys SET name = ?, draft = ?, layout = coalesce(?, layout), updated_at = ? WHERE id = ?'),
    insertVersion: db.prepare('INSERT INTO journey_versions (journey_id, version, definition, published_at) VALUES (?, ?, ?, ?)'),
    setPublished: db.prepare("UPDATE journeys SET version = ?, status = 'running', updated_at = ? WHERE id = ?"),
    setStatus: db.prepare('UPDATE journeys SET status = ?, updated_at = ? WHERE id = ?'),
    getJourney: db.prepare('SELECT * FROM journeys WHERE id = ?'),
    listJourneys: db.prepare('SELECT * FROM journeys ORDER BY created_at, id'),
    allVersions: db.prepare('SELECT * FROM journey_versions ORDER BY journey_id, version'),
    versionsOf: db.prepare('SELECT * FROM journey_versions WHERE journey_id = ? ORDER BY version'),
    insertEvent: db.prepare(
      'INSERT INTO events (message_id, user_id, name, ts, properties, received_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING',
    ),
    userEvents: db.prepare('SELECT * FROM events WHERE user_id = ? ORDER BY ts DESC, seq DESC LIMIT ?'),
    pruneEvents: db.prepare('DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE received_at < ? ORDER BY received_at LIMIT ?)'),
    insertInstance: db.prepare(
      'INSERT INTO instances (id, journey_id, version, user_id, status, wake_at, entered_at, exited_at, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    updateInstance: db.prepare('UPDATE instances SET status = ?, wake_at = ?, entered_at = ?, exited_at = ?, state = ?, updated_at = ? WHERE id = ?'),
    dueInstances: db.prepare('SELECT state FROM instances WHERE wake_at <= ? ORDER BY wake_at LIMIT ?'),
    nextWake: db.prepare('SELECT wake_at FROM instances WHERE wake_at IS NOT NULL ORDER BY wake_at LIMIT 1'),
    liveOfJourney: db.prepare("SELECT state FROM instances WHERE journey_id = ? AND status <> 'exited'"),
    liveCount: db.prepare("SELECT count(*) AS n FROM instances WHERE journey_id = ? AND status <> 'exited'"),
    // A page of a journey's live instances in user order (instances_one_live), then the move of those that
    // are on another version and at no node or at one of the nodes given.
    livePageFirst: db.prepare("SELECT id, user_id FROM instances WHERE journey_id = ? AND status <> 'exited' ORDER BY user_id LIMIT ?"),
    livePageAfter: db.prepare("SELECT id, user_id FROM instances WHERE journey_id = ? AND status <> 'exited' AND user_id > ? ORDER BY user_id LIMIT ?"),
    moveInstances: db.prepare(
      `UPDATE instances SET version = @version, state = json_set(state, '$.version', @version), updated_at = @now
       WHERE id IN (SELECT value FROM json_each(@ids)) AND status <> 'exited' AND version <> @version
         AND (json_extract(state, '$.nodeId') IS NULL OR json_extract(state, '$.nodeId') IN (SELECT value FROM json_each(@nodes)))`,
    ),
    profilesFirst: db.prepare('SELECT * FROM profiles ORDER BY user_id LIMIT ?'),
    profilesAfter: db.prepare('SELECT * FROM profiles WHERE user_id > ? ORDER BY user_id LIMIT ?'),
    // CROSS JOIN keeps the users outside: one probe of events_by_user each.
    eventsOfUsers: db.prepare(
      `SELECT e.* FROM json_each(?) AS u CROSS JOIN events e ON e.user_id = u.value
       WHERE e.name IN (SELECT value FROM json_each(?)) AND e.ts >= ?
       ORDER BY e.user_id, e.ts, e.seq`,
    ),
    // Inserts the run, or takes it over when it is unfinished and its lease has run out; no row otherwise.
    claimRun: db.prepare(
      `INSERT INTO journey_runs (journey_id, run_at, cursor, lease_until, finished_at) VALUES (?, ?, NULL, ?, NULL)
       ON CONFLICT (journey_id, run_at) DO UPDATE SET lease_until = excluded.lease_until
       WHERE journey_runs.finished_at IS NULL AND (journey_runs.lease_until IS NULL OR journey_runs.lease_until <= ?)
       RETURNING cursor`,
    ),
    // The cursor only moves forward (a late save of an owner that lost its lease does not rewind the run).
    saveRunCursor: db.prepare(
      `UPDATE journey_runs SET cursor = CASE WHEN cursor IS NULL OR cursor < @cursor THEN @cursor ELSE cursor END, lease_until = @leaseUntil
       WHERE journey_id = @journeyId AND run_at = @runAt AND finished_at IS NULL`,
    ),
    finishRun: db.prepare(
      `INSERT INTO journey_runs (journey_id, run_at, cursor, lease_until, finished_at) VALUES (?, ?, NULL, NULL, ?)
       ON CONFLICT (journey_id, run_at) DO UPDATE SET finished_at = coalesce(journey_runs.finished_at, excluded.finished_at), lease_until = NULL`,
    ),
    getSettings: db.prepare('SELECT document FROM settings WHERE id = 1'),
    saveSettings: db.prepare('INSERT INTO settings (id, document, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at'),
    traitNames: db.prepare('SELECT name FROM trait_names ORDER BY name'),
    insertTraitName: db.prepare('INSERT OR IGNORE INTO trait_names (name) VALUES (?)'),
    userInstances: db.prepare('SELECT state FROM instances WHERE user_id = ? ORDER BY updated_at DESC'),
    insertMessage: db.prepare(
      `INSERT INTO messages (id, journey_id, version, instance_id, node_id, user_id, channel, status, reason, content, created_at, sent_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    ),
    pendingMessages: db.prepare("SELECT * FROM messages WHERE status = 'pending' ORDER BY seq LIMIT ?"),
    recordOutcome: db.prepare(
      "UPDATE messages SET status = ?, sent_at = ?, reason = ?, attempts = attempts + 1 WHERE id = ? AND status = 'pending' RETURNING journey_id, version, node_id",
    ),
    recordClick: db.prepare('UPDATE messages SET clicked_at = ? WHERE id = ? AND clicked_at IS NULL'),
    messageExists: db.prepare('SELECT 1 FROM messages WHERE id = ?'),
    // The messages of a unit's instances (a JSON array of ids), one probe of messages_by_instance each, in
    // creation (log) order.
    messagesOfInstances: db.prepare(
      `SELECT m.instance_id, m.node_id, m.status, m.created_at, m.sent_at, m.clicked_at
       FROM json_each(?) AS i CROSS JOIN messages m ON m.instance_id = i.value
       ORDER BY m.seq`,
    ),
    insertInbox: db.prepare(
      'INSERT INTO inbox (message_id, user_id, name, ts, properties, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING',
    ),
    claimInbox: db.prepare('SELECT seq, message_id, user_id, name, ts, properties FROM inbox ORDER BY seq LIMIT ?'),
    deleteInbox: db.prepare('DELETE FROM inbox WHERE seq IN (SELECT value FROM json_each(?))'),
    inboxSize: db.prepare('SELECT count(*) AS n FROM inbox'),
    messagesAfter: db.prepare('SELECT * FROM messages WHERE seq > ? ORDER BY seq LIMIT ?'),
    messagesOfUser: db.prepare('SELECT * FROM messages WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
    messagesOfJourney: db.prepare('SELECT * FROM messages WHERE journey_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
    addStat: db.prepare(
      'INSERT INTO stats (journey_id, version, node_id, metric, count) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET count = count + excluded.count',
    ),
    stats: db.prepare('SELECT version, node_id, metric, count FROM stats WHERE journey_id = ? ORDER BY version, node_id, metric'),
  };
}




function toInstance(row: Row): Instance {
  return JSON.parse(row.state as string);
}

function liveInstanceIds(live: Map<string, Instance[]>): string[] {
  const ids: string[] = [];
  for (const instances of live.values()) for (const i of instances) ids.push(i.id);
  return ids;
}


function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function* chunks<T>(values: T[]): Generator<T[]> {
  for (let i = 0; i < values.length; i += IN_CHUNK) yield values.slice(i, i + IN_CHUNK);
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}
