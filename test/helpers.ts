/**
 * Shared test fixtures: temporary SQLite files, the example journeys, a virtual-clock Waymark on either store,
 * and forEachStore, which registers a file's tests once per store.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { openWaymark, type Waymark } from '../src/app/waymark.ts';
import type { ChannelSenders } from '../src/channels/channel.ts';
import { outboxOnly } from '../src/channels/outbox.ts';
import { VirtualClock } from '../src/core/clock.ts';
import type { JourneyDefinition } from '../src/core/definition.ts';
import type { JourneyEvent } from '../src/core/instance.ts';
import { openTestStore, withPostgres } from './store/postgres-fixture.ts';

export const ROOT = new URL('..', import.meta.url).pathname;

export function tempDir(prefix = 'waymark-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function example(name: string): JourneyDefinition {
  return JSON.parse(readFileSync(join(ROOT, 'examples', `${name}.json`), 'utf8'));
}

export const T0 = Date.UTC(2026, 10, 2, 15, 0, 0); // a Monday, 15:00 UTC

export interface VirtualWaymark extends Waymark {
  clock: VirtualClock;
  /** Moves the virtual clock to `at`, firing every timer due on the way, in order, and dispatching. */
  runUntil(at: number): Promise<void>;
  send(event: Omit<JourneyEvent, 'messageId' | 'properties'> & { messageId?: string; properties?: Record<string, unknown> }): Promise<void>;
}

/** The stores a Waymark runs on: the embedded SQLite file, or PostgreSQL (a fresh schema per Waymark). */
export type StoreKind = 'sqlite' | 'postgres';

/**
 * Registers `register`'s tests once per store, each store's under a describe named after it ("sqlite",
 * "postgres"). Call it at the top level of a test file, with await. The PostgreSQL server comes from
 * WAYMARK_TEST_DATABASE_URL (see test/store/postgres-fixture.ts): when it is unreachable the PostgreSQL half is
 * one failing test that says why, and with WAYMARK_SKIP_POSTGRES=1 one skipped test.
 */
export async function forEachStore(register: (store: StoreKind) => void): Promise<void> {
  // Ask about the server before registering anything: a file's root after-hooks (the PostgreSQL fixture's,
  // which ends its pool) run once the tests registered so far are done, so tests registered after an await
  // would run after them.
  let postgres = false;
  await withPostgres('postgres', () => {
    postgres = true;
  });
  describe('sqlite', () => register('sqlite'));
  if (postgres) describe('postgres', () => register('postgres'));
}

export interface VirtualWaymarkOptions {
  /** Default 'sqlite': a file in a temporary directory. 'postgres': a fresh schema, dropped when the test ends. */
  store?: StoreKind;
  /** The virtual clock's start. Default T0. */
  start?: number;
  /** Senders in place of the built-in outbox, per channel. */
  channels?: Partial<ChannelSenders>;
}

let messageCounter = 0;

/** A Waymark on a virtual clock, closed when the current test ends. A number is the start (SQLite store). */
export async function virtualWaymark(options: VirtualWaymarkOptions | number = {}): Promise<VirtualWaymark> {
  const { store = 'sqlite', start = T0, channels = {} } = typeof options === 'number' ? { start: options } : options;
  const clock = new VirtualClock(start);
  const database = store === 'postgres' ? await openTestStore() : join(tempDir(), 'waymark.db');
  const waymark = await openWaymark({ database, clock, realtime: false, channels: { ...outboxOnly(), ...channels } }).catch(async (error) => {
    if (typeof database !== 'string') await database.close().catch(() => {});
    throw error;
  });
  after(() => waymark.close());
  const runUntil = (at: number) => driveUntil(waymark, clock, at);
  return {
    ...waymark,
    clock,
    runUntil,
    async send(e) {
      await runUntil(e.timestamp - 1); // an event goes before a timer due at the same moment
      clock.set(Math.max(clock.now(), e.timestamp));
      await waymark.engine.ingestNow([{ messageId: e.messageId ?? `m${++messageCounter}`, properties: {}, ...e }]);
      await waymark.engine.drainInbox();
      await waymark.engine.dispatch();
    },
  };
}

/**
 * Moves `clock` to `at`, firing every timer and scheduled entry due on the way in time order (a scheduled run
 * goes before a timer due at the same moment), draining the inbox and dispatching after each step.
 */
export async function driveUntil(waymark: Waymark, clock: VirtualClock, at: number): Promise<void> {
  for (;;) {
    const timer = await waymark.store.nextWakeAt();
    const run = waymark.engine.nextScheduledAt();
    const next = Math.min(timer ?? Infinity, run ?? Infinity);
    if (next === Infinity || next > at) break;
    clock.set(Math.max(clock.now(), next));
    if (run !== null && run <= next) await waymark.engine.runScheduled();
    await waymark.engine.runDue();
    await waymark.engine.drainInbox();
    await waymark.engine.dispatch();
  }
  clock.set(Math.max(clock.now(), at));
}
