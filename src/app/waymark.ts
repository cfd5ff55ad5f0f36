/** The composition root: a store, the engine on it, and the services the API and CLI use. */
import { outboxOnly } from '../channels/outbox.ts';
import type { ChannelSenders } from '../channels/channel.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { Engine } from '../engine/engine.ts';
import { SqliteStore, type SqliteOptions } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { JourneyService } from './journeys.ts';

export interface WaymarkOptions {
  /** A SQLite file path (default) or an already opened store. */
  database: string | Store;
  sqlite?: SqliteOptions;
  clock?: Clock;
  channels?: ChannelSenders;
  realtime?: boolean;
  /** Fire timers and dispatch the outbox in this process (default true; false for an API-only process). */
  background?: boolean;
  onError?: (error: unknown, where: string) => void;
}

export interface Waymark {
  store: Store;
  engine: Engine;
  journeys: JourneyService;
  close(): Promise<void>;
}

export async function openWaymark(options: WaymarkOptions): Promise<Waymark> {
  const store = typeof options.database === 'string' ? new SqliteStore(options.database, options.sqlite) : options.database;
  const engine = new Engine({
    store,
    clock: options.clock ?? systemClock,
    channels: options.channels ?? outboxOnly(),
    realtime: options.realtime ?? true,
    background: options.background ?? true,
    ...(options.onError ? { onError: options.onError } : {}),
  });
  await engine.start();
  return {
    store,
    engine,
    journeys: new JourneyService(store, engine),
    async close() {
      await engine.stop();
      await store.close();
    },
  };
}
