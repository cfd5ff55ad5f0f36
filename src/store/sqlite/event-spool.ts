/**
 * A scratch pile of events that gives them back in (timestamp, arrival) order: a backtest reads the store's
 * events by arrival (what its indexes bound) and the engine needs them by time. A private temporary SQLite
 * database (an empty file name), deleted when closed: its pages stay in memory up to the cache size and go to
 * a temporary file beyond, so a million events cost disk rather than heap.
 */
import Database from 'better-sqlite3';
import type { JourneyEvent } from '../../core/instance.ts';

/** Keyset of the sorted reading: the last (timestamp, arrival) given out. */
export type SpoolCursor = [ts: number, n: number] | null;

export class EventSpool {
  private readonly db = new Database('');
  private readonly insert: Database.Statement;
  private readonly insertUser: Database.Statement;
  private sealed = false;
  /** Events added. */
  count = 0;

  constructor() {
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('cache_size = -32768');
    // Sorted and listed as they come (the index, the users table), a page at a time, rather than at the end
    // in one step that would hold the process for seconds.
    this.db.exec(`
      CREATE TABLE spool (n INTEGER PRIMARY KEY, ts INTEGER NOT NULL, message_id TEXT NOT NULL, user_id TEXT NOT NULL, name TEXT NOT NULL, properties TEXT NOT NULL);
      CREATE INDEX spool_by_time ON spool (ts, n);
      CREATE TABLE users (user_id TEXT PRIMARY KEY) WITHOUT ROWID;`);
    this.insert = this.db.prepare('INSERT INTO spool (ts, message_id, user_id, name, properties) VALUES (?, ?, ?, ?, ?)');
    this.insertUser = this.db.prepare('INSERT OR IGNORE INTO users (user_id) VALUES (?)');
  }

  /** Adds events in arrival order (n counts on from the last one added). */
  add(events: readonly JourneyEvent[]): void {
    if (this.sealed) throw new Error('the spool is sealed');
    this.db.transaction(() => {
      for (const e of events) {
        this.insert.run(e.timestamp, e.messageId, e.userId, e.name, JSON.stringify(e.properties));
        this.insertUser.run(e.userId);
      }
    })();
    this.count += events.length;
  }

  /** No more events: the reads below may begin. */
  seal(): void {
    this.sealed = true;
  }

  /** How many distinct users the events are of. */
  userCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  /** Up to `limit` users after `after` (null: from the first), in user id order. */
  users(after: string | null, limit: number): string[] {
    const rows = after === null ? this.db.prepare('SELECT user_id FROM users ORDER BY user_id LIMIT ?').all(limit) : this.db.prepare('SELECT user_id FROM users WHERE user_id > ? ORDER BY user_id LIMIT ?').all(after, limit);
    return (rows as Array<{ user_id: string }>).map((r) => r.user_id);
  }

  /** Up to `limit` events after `cursor`, in (timestamp, arrival) order, and the cursor after them. */
  events(cursor: SpoolCursor, limit: number): { events: JourneyEvent[]; cursor: SpoolCursor } {
    const rows = (
      cursor === null
        ? this.db.prepare('SELECT * FROM spool ORDER BY ts, n LIMIT ?').all(limit)
        : this.db.prepare('SELECT * FROM spool WHERE (ts, n) > (?, ?) ORDER BY ts, n LIMIT ?').all(cursor[0], cursor[1], limit)
    ) as Array<{ n: number; ts: number; message_id: string; user_id: string; name: string; properties: string }>;
    const last = rows.at(-1);
    return {
      events: rows.map((r) => ({ messageId: r.message_id, userId: r.user_id, name: r.name, timestamp: r.ts, properties: JSON.parse(r.properties) })),
      cursor: last ? [last.ts, last.n] : cursor,
    };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
