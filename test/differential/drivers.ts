/**
 * The four ways one case is run, each returning what the product did in one comparable form: every message
 * (user, node, channel, status, reason, at, content), the failed count, and the journey's stats as the API
 * answers them. (a) the engine fed one event at a time, (b) the same engine fed each moment's events as one
 * batch, as group commit does, (c) `simulate`, (d) (a) on PostgreSQL.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidJourneyError } from '../../src/app/journeys.ts';
import { journeyStats } from '../../src/app/stats.ts';
import type { StatsView } from '../../src/app/views.ts';
import { openWaymark, type Waymark } from '../../src/app/waymark.ts';
import { outboxOnly } from '../../src/channels/outbox.ts';
import { VirtualClock } from '../../src/core/clock.ts';
import type { JourneyEvent } from '../../src/core/instance.ts';
import { simulate } from '../../src/sim/simulate.ts';
import type { Store } from '../../src/store/store.ts';
import type { TestSchema } from '../store/postgres-fixture.ts';
import type { DiffCase } from './arbitraries.ts';

export const JOURNEY_ID = 'j';

export interface Row {
  userId: string;
  nodeId: string;
  channel: string;
  status: string;
  reason: string | null;
  /** Sent: when sent; skipped: when decided. */
  at: string;
  content: unknown;
}

/** What a run produced, or why the journey was refused (then every driver must refuse it alike). */
export type Outcome = { refused: string } | { rows: Row[]; failed: number; stats: StatsView };

/** 'simulate-threads': simulate on 2 threads, each with its share of the users (u1 and u2 fall on different ones). */
export type Driver = 'one-by-one' | 'batches' | 'simulate' | 'simulate-threads' | 'postgres';

const iso = (ms: number) => new Date(ms).toISOString();
/** Rows in a canonical order: the drivers may decide the same sends in a different order within a moment. */
const canonical = (rows: Row[]) => rows.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

export async function run(driver: Driver, c: DiffCase): Promise<Outcome> {
  if (driver === 'simulate' || driver === 'simulate-threads') return runSimulate(c, driver === 'simulate' ? 1 : 2);
  return runEngine(c, driver === 'postgres' ? 'postgres' : 'sqlite', driver === 'batches');
}

async function runEngine(c: DiffCase, kind: 'sqlite' | 'postgres', batches: boolean): Promise<Outcome> {
  const dir = kind === 'sqlite' ? mkdtempSync(join(tmpdir(), 'waymark-diff-')) : null;
  const database: string | Store = dir ? join(dir, 'waymark.db') : await emptiedPostgres();
  const clock = new VirtualClock(c.start);
  let w: Waymark | null = null;
  try {
    // 'fast' durability: fsync is no part of what is compared, and the cases must be cheap.
    w = await openWaymark({ database, storeOptions: { durability: 'fast' }, clock, realtime: false, channels: outboxOnly() });
    await w.store.saveSettings(c.settings as Record<string, unknown>, c.start);
    if (c.profiles.length > 0) await w.store.upsertProfiles(c.profiles, c.start);
    try {
      await w.journeys.create({ id: JOURNEY_ID, definition: c.journey });
      await w.journeys.publish(JOURNEY_ID);
    } catch (error) {
      if (error instanceof InvalidJourneyError) return { refused: error.message };
      throw error;
    }
    await w.engine.reloadJourneys();
    const engine = w.engine;
    const store = w.store;
    // As test/helpers.ts's virtualWaymark: timers in time order, each at its due time, then dispatch.
    const runUntil = async (at: number) => {
      for (;;) {
        const next = await store.nextWakeAt();
        if (next === null || next > at) break;
        clock.set(Math.max(clock.now(), next));
        await engine.runDue();
        await engine.drainInbox();
        await engine.dispatch();
      }
      clock.set(Math.max(clock.now(), at));
    };
    // Events arrive in list order; one that happened earlier than the clock arrives at the clock's now.
    const feed = async (events: JourneyEvent[], at: number) => {
      await runUntil(at - 1); // an event goes before a timer due at the same moment
      clock.set(Math.max(clock.now(), at));
      await engine.ingestNow(events);
      await engine.drainInbox();
      await engine.dispatch();
    };
    for (const group of batches ? arrivals(c.events) : c.events.map((e) => [e])) await feed(group, group[0]!.timestamp);
    for (;;) {
      const last = await store.lastWakeAt();
      if (last === null) break;
      await runUntil(last);
    }
    const messages = await store.listMessages({ limit: 100_000 });
    const rows = messages
      .filter((m) => m.status !== 'failed')
      .map((m) => ({ userId: m.userId, nodeId: m.nodeId, channel: m.channel, status: m.status, reason: m.reason, at: iso(m.status === 'sent' ? m.sentAt! : m.createdAt), content: m.status === 'sent' ? m.content : null }));
    return { rows: canonical(rows), failed: messages.length - rows.length, stats: await journeyStats(store, JOURNEY_ID) };
  } finally {
    if (w) await w.close();
    else if (typeof database !== 'string') await database.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The events as group commit would take them: the events that arrive at one moment in one batch. An event
 * arrives at its own time, or, when it happened before an event already received, at that event's time.
 */
export function arrivals(events: readonly JourneyEvent[]): JourneyEvent[][] {
  const groups: JourneyEvent[][] = [];
  let clock = -Infinity;
  let current: JourneyEvent[] = [];
  for (const e of events) {
    const at = Math.max(clock, e.timestamp);
    if (current.length > 0 && at !== clock) {
      groups.push(current);
      current = [];
    }
    clock = at;
    current.push(e); // the batch's first event is on time: its timestamp is the batch's arrival
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

async function runSimulate(c: DiffCase, threads: number): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'waymark-diff-sim-'));
  try {
    const profiles = join(dir, 'profiles.ndjson');
    const events = join(dir, 'events.ndjson');
    writeFileSync(profiles, c.profiles.map((p) => `${JSON.stringify({ userId: p.userId, traits: p.traits })}\n`).join(''));
    writeFileSync(events, c.events.map((e) => `${JSON.stringify({ messageId: e.messageId, userId: e.userId, event: e.name, timestamp: e.timestamp, properties: e.properties })}\n`).join(''));
    let result;
    try {
      result = await simulate({ journey: { id: JOURNEY_ID, definition: c.journey }, settings: c.settings, profiles, events, start: c.start, out: join(dir, 'out'), threads });
    } catch (error) {
      if (error instanceof InvalidJourneyError) return { refused: error.message };
      throw error;
    }
    const lines = (file: string) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, string>);
    const rows: Row[] = [
      ...lines(result.files.messages).map((m) => ({ userId: m.userId!, nodeId: m.nodeId!, channel: m.channel!, status: 'sent', reason: null, at: m.sentAt!, content: m.content })),
      ...lines(result.files.skipped).map((m) => ({ userId: m.userId!, nodeId: m.nodeId!, channel: m.channel!, status: 'skipped', reason: m.reason!, at: m.at!, content: null })),
    ];
    return { rows: canonical(rows), failed: result.failed, stats: result.stats };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * One PostgreSQL schema for every case, emptied before each: creating and migrating a schema costs a few
 * hundred milliseconds of DDL, emptying it a few. Its tables then hold what a fresh schema's do (the day
 * partitions of events stay, as they would on a server that has run for a while).
 */
let shared: TestSchema | null = null;

async function emptiedPostgres(): Promise<Store> {
  if (!shared) {
    // Loaded only when asked for: the fixture registers a test hook, noise in a SQLite-only soak.
    const { testSchema } = await import('../store/postgres-fixture.ts');
    shared = testSchema();
    return shared.open({ poolSize: 2 });
  }
  const tables = await shared.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'",
  );
  if (tables.length > 0) await shared.query(`TRUNCATE ${tables.map((t) => `"${t.tablename}"`).join(', ')} RESTART IDENTITY`);
  return shared.open({ poolSize: 2 });
}

/** Drops the shared schema (the test fixture drops it at the end of a test file anyway; the soak calls this). */
export async function dropPostgres(): Promise<void> {
  if (shared) await shared.drop();
  shared = null;
}
