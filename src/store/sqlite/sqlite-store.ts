/**
 * The embedded Store: one SQLite file in WAL mode, no setup. Every unit of work runs synchronously inside
 * one transaction (better-sqlite3 is synchronous), so nothing can interleave between a read and its write.
 */
import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { JourneyDefinition } from '../../core/definition.ts';
import type { Instance, JourneyEvent } from '../../core/instance.ts';
import type {
  ApiKeyRecord,
  Changes,
  EventBatchView,
  IngestResult,
  JourneyRecord,
  JourneyStatus,
  JourneyVersion,
  Lookback,
  Message,
  MessageQuery,
  Profile,
  ProfileUpsert,
  PruneResult,
  SendOutcome,
  StatRow,
  Store,
  StoredEvent,
  TimerBatchView,
} from '../store.ts';
import { rowMappers, type Row } from '../rows.ts';

const { profile: toProfile, event: toEvent, journey: toJourney, message: toMessage } = rowMappers((value) => JSON.parse(value as string));

export interface SqliteOptions {
  /** 'safe' survives power loss up to the last commit; 'fast' (simulations) may lose recent commits on a crash of the machine. */
  durability?: 'safe' | 'fast';
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const IN_CHUNK = 500; // bound the size of IN (...) lists
const PROFILE_CACHE_SIZE = 200_000;
/** Events deleted per transaction when pruning, so ingest never waits long behind retention. */
const PRUNE_BATCH = 5_000;


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
    this.db.transaction(() => {
      for (const p of profiles) {
        this.profileCache.delete(p.userId);
        this.s.upsertProfile.run({ userId: p.userId, traits: JSON.stringify(p.traits), now });
      }
    })();
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

  async ingestEvents(events: JourneyEvent[], now: number, decide: (view: EventBatchView) => Changes, lookback?: Lookback): Promise<IngestResult> {
    return this.db.transaction((): IngestResult => {
      const fresh: StoredEvent[] = [];
      for (const e of events) {
        const inserted = this.s.insertEvent.run(e.messageId, e.userId, e.name, e.timestamp, JSON.stringify(e.properties), now);
        if (inserted.changes === 1) fresh.push({ ...e, receivedAt: now });
      }
      if (fresh.length > 0) {
        const users = unique(fresh.map((e) => e.userId));
        const view: EventBatchView = { events: fresh, profiles: this.loadProfiles(users), live: new Map(), entered: new Map(), recent: new Map() };
        this.loadInstancesOf(users, view);
        if (lookback) this.loadRecent(fresh, lookback, view);
        this.apply(decide(view), now);
      }
      return { accepted: fresh.length, duplicates: events.length - fresh.length };
    })();
  }

  async fireDueTimers(now: number, limit: number, decide: (view: TimerBatchView) => Changes): Promise<number> {
    return this.db.transaction((): number => {
      const instances = (this.s.dueInstances.all(now, limit) as Row[]).map(toInstance);
      if (instances.length === 0) return 0;
      const profiles = this.loadProfiles(unique(instances.map((i) => i.userId)));
      this.apply(decide({ instances, profiles }), now);
      return instances.length;
    })();
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

  private loadInstancesOf(users: string[], view: EventBatchView): void {
    for (const chunk of chunks(users)) {
      const rows = this.inList("SELECT journey_id, user_id, status, entered_at, CASE WHEN status <> 'exited' THEN state END AS state FROM instances WHERE user_id IN", chunk);
      for (const row of rows) {
        const userId = row.user_id as string;
        if (row.entered_at !== null) getOrCreate(view.entered, userId, () => new Set<string>()).add(row.journey_id as string);
        if (row.state !== null) getOrCreate(view.live, userId, () => [] as Instance[]).push(JSON.parse(row.state as string));
      }
    }
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
  /** Runs `prefix (?, ?, …)` with one placeholder per value after `prefix`'s own. */
  private inList(prefix: string, values: Array<string | number>): Row[] {
    const own = prefix.split('?').length - 1;
    const sql = `${prefix} (${values.slice(own).map(() => '?').join(',')})`;
    let statement = this.inListCache.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      if (this.inListCache.size > 2000) this.inListCache.clear();
      this.inListCache.set(sql, statement);
    }
    return statement.all(...values) as Row[];
  }

  private apply(changes: Changes, now: number): void {
    for (const instance of changes.instances) this.writeInstance(instance, now);
    for (const m of changes.messages) {
      this.s.insertMessage.run(m.id, m.journeyId, m.version, m.instanceId, m.nodeId, m.userId, m.channel, m.status, m.reason, m.content === null ? null : JSON.stringify(m.content), m.createdAt, m.sentAt);
    }
    for (const d of changes.stats) this.s.addStat.run(d.journeyId, d.version, d.nodeId, d.metric, d.count);
    for (const p of changes.profiles ?? []) {
      this.profileCache.delete(p.userId); // the cached parse is stale now; the next unit reads the merged row
      this.s.upsertProfile.run({ userId: p.userId, traits: JSON.stringify(p.traits), now });
    }
  }

  /** Most writes move an existing instance on, so try the cheaper UPDATE first. */
  private writeInstance(i: Instance, now: number): void {
    const state = JSON.stringify(i);
    if (this.s.updateInstance.run(i.status, i.wakeAt, i.enteredAt, state, now, i.id).changes === 0) {
      this.s.insertInstance.run(i.id, i.journeyId, i.version, i.userId, i.status, i.wakeAt, i.enteredAt, state, now);
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
    insertInstance: db.prepare('INSERT INTO instances (id, journey_id, version, user_id, status, wake_at, entered_at, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    updateInstance: db.prepare('UPDATE instances SET status = ?, wake_at = ?, entered_at = ?, state = ?, updated_at = ? WHERE id = ?'),
    dueInstances: db.prepare('SELECT state FROM instances WHERE wake_at <= ? ORDER BY wake_at LIMIT ?'),
    nextWake: db.prepare('SELECT wake_at FROM instances WHERE wake_at IS NOT NULL ORDER BY wake_at LIMIT 1'),
    liveOfJourney: db.prepare("SELECT state FROM instances WHERE journey_id = ? AND status <> 'exited'"),
    userInstances: db.prepare('SELECT state FROM instances WHERE user_id = ? ORDER BY updated_at DESC'),
    insertMessage: db.prepare(
      `INSERT INTO messages (id, journey_id, version, instance_id, node_id, user_id, channel, status, reason, content, created_at, sent_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    ),
    pendingMessages: db.prepare("SELECT * FROM messages WHERE status = 'pending' ORDER BY seq LIMIT ?"),
    recordOutcome: db.prepare(
      "UPDATE messages SET status = ?, sent_at = ?, reason = ?, attempts = attempts + 1 WHERE id = ? AND status = 'pending' RETURNING journey_id, version, node_id",
    ),
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
