/** The composition root: a store, the engine on it, and the services the API and CLI use. */
import { channelSenders } from '../channels/senders.ts';
import type { ChannelSenders } from '../channels/channel.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { TimeMode } from '../engine/decide.ts';
import { Engine } from '../engine/engine.ts';
import type { EngineHandle } from '../engine/handle.ts';
import { ShardedEngine } from '../engine/thread/sharded-engine.ts';
import { ThreadedEngine } from '../engine/thread/threaded-engine.ts';
import { logError } from '../ops/logger.ts';
import { openShardedStore, openStore, storeLocation, type OpenStoreOptions } from '../store/open.ts';
import { shardFiles } from '../store/shards/shard-files.ts';
import { ShardedStore } from '../store/shards/sharded-store.ts';
import { lockDatabaseFile } from '../store/sqlite/file-lock.ts';
import type { Store } from '../store/store.ts';
import { JourneyService } from './journeys.ts';

export interface WaymarkOptions {
  /** A SQLite file path, a postgres:// URL (see openStore), or an already opened store. */
  database: string | Store;
  /** How to open `database` when it is a path or URL. */
  storeOptions?: OpenStoreOptions;
  clock?: Clock;
  channels?: ChannelSenders;
  realtime?: boolean;
  /** When inputs are processed: on arrival (default) or when they happened (simulations). */
  time?: TimeMode;
  /** Fire timers and dispatch the outbox in this process (default true; false for an API-only process). */
  background?: boolean;
  /**
   * Engine tuning: the safety poll for timers and journeys set by other processes, the timer claim size, the
   * group commit's wait, and the retry backoff's jitter (random).
   */
  engine?: { pollMs?: number; timerBatch?: number; eventRetentionMs?: number | null; yieldBetweenUnits?: boolean; ingestDelayMs?: number; random?: () => number };
  /**
   * Readiness's store check: a cheap query that fails when the store is unreachable. Default: the store's
   * ping().
   */
  probe?: () => Promise<unknown>;
  onError?: (error: unknown, where: string) => void;
}

export interface Readiness {
  ready: boolean;
  /** Why not, when not ready. */
  reason?: string;
}

/** How long readiness waits for the store before it says the store is unreachable. */
const PROBE_TIMEOUT_MS = 2_000;

/**
 * A running Waymark: `engine` is the Engine itself (openWaymark), or, with the engine in its own thread
 * (openThreadedWaymark), only what the API needs of it.
 */
export interface Waymark<E extends EngineHandle = Engine> {
  store: Store;
  engine: E;
  journeys: JourneyService;
  /**
   * Readiness: the store answers a cheap query within 2 s and shutdown has not begun. (Migrations ran and
   * the engine started before openWaymark returned, so they hold from the start.)
   */
  readiness(): Promise<Readiness>;
  /** Marks the process as going away: readiness answers not ready from now on. close() does it too. */
  drain(): void;
  readonly draining: boolean;
  /**
   * Readiness answers "starting" until `done` settles: for start-up work after the port is open (the first
   * keys, example journeys), so that a client waiting on /ready never calls before it is done.
   */
  startingUntil(done: Promise<unknown>): void;
  /** Commits queued events, waits for the engine's timer and dispatch work under way, closes the store. */
  close(): Promise<void>;
}

export async function openWaymark(options: WaymarkOptions): Promise<Waymark> {
  const store = typeof options.database === 'string' ? await openStore(options.database, options.storeOptions) : options.database;
  const engine = new Engine({
    store,
    clock: options.clock ?? systemClock,
    channels: options.channels ?? (await channelSenders(store, options.onError ? { onError: options.onError } : {})),
    realtime: options.realtime ?? true,
    background: options.background ?? true,
    time: options.time ?? 'arrival',
    ...options.engine,
    ...(options.onError ? { onError: options.onError } : {}),
  });
  await engine.start();
  return assemble(store, engine, options.probe ?? (() => store.ping()));
}

/**
 * Waymark on a SQLite file with the engine in a thread of its own (thread/threaded-engine.ts): this thread
 * keeps a connection for the API's reads and rare writes, the engine's thread another for its units of work.
 * The real clock only, and the channel senders the stored provider settings make (channels/senders.ts), built
 * in the engine's thread: neither a clock nor a sender can be handed to another thread.
 */
export async function openThreadedWaymark(options: {
  file: string;
  engine?: { pollMs?: number; timerBatch?: number; eventRetentionMs?: number | null };
  onError?: (error: unknown, where: string) => void;
  onFatal: (error: Error) => void;
}): Promise<Waymark<EngineHandle>> {
  // Opened first, so the migrations run here once, before the engine's thread opens the file; and a file that
  // cannot be written is refused before an engine starts on it.
  const store = await openStore(options.file);
  try {
    await store.ping().catch((error: Error) => {
      throw new Error(`cannot write to ${storeLocation(store)}: ${error.message}`);
    });
    const engine = await ThreadedEngine.start({
      file: options.file,
      engine: options.engine ?? {},
      onError: options.onError ?? logError('engine'),
      onFatal: options.onFatal,
    });
    return assemble(store, engine, () => store.ping());
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * Waymark on a SQLite database split by user into `shards` files (store/shards/), an engine thread on each: the
 * main thread routes each user's events to the thread of the user's shard (thread/sharded-engine.ts) and reads
 * all of them for the API. The number of shards is fixed when the database is made (store/shards/layout.ts).
 */
export async function openShardedWaymark(options: {
  file: string;
  shards: number;
  engine?: { pollMs?: number; timerBatch?: number; eventRetentionMs?: number | null };
  onError?: (error: unknown, where: string) => void;
  onFatal: (error: Error) => void;
}): Promise<Waymark<EngineHandle>> {
  const files = shardFiles(options.file, options.shards);
  // One server per file, as for the main one (store/sqlite/file-lock.ts): a shard's file served on its own
  // would be a second engine sending its users' messages.
  const locks = files.slice(1).map((file) => lockDatabaseFile(file));
  const release = () => locks.forEach((lock) => lock.release());
  let store: ShardedStore | null = null;
  const engines: ThreadedEngine[] = [];
  try {
    store = openShardedStore(files);
    const opened = store;
    await opened.ping().catch((error: Error) => {
      throw new Error(`cannot write to ${options.file} or its shards: ${error.message}`);
    });
    for (let index = 0; index < files.length; index++) {
      engines.push(
        await ThreadedEngine.start({
          file: files[index]!,
          engine: options.engine ?? {},
          shard: { index, files, numbers: opened.numberMemory },
          onError: options.onError ?? logError(`engine, shard ${index}`),
          onFatal: options.onFatal,
        }),
      );
    }
    const waymark = assemble<EngineHandle>(opened, new ShardedEngine(engines, opened), () => opened.ping());
    const close = waymark.close.bind(waymark);
    waymark.close = () => close().finally(release);
    return waymark;
  } catch (error) {
    await Promise.allSettled(engines.map((e) => e.stop()));
    await store?.close();
    release();
    throw error;
  }
}

function assemble<E extends EngineHandle>(store: Store, engine: E, probe: () => Promise<unknown>): Waymark<E> {
  let draining = false;
  let starting = 0;
  let closing: Promise<void> | null = null;
  return {
    store,
    engine,
    journeys: new JourneyService(store, engine, { knownTraits: () => knownTraits(store) }),
    get draining() {
      return draining;
    },
    drain() {
      draining = true;
    },
    startingUntil(done) {
      starting++;
      void done.then(
        () => starting--,
        () => starting--,
      );
    },
    async readiness() {
      if (draining) return { ready: false, reason: 'shutting down' };
      if (starting > 0) return { ready: false, reason: 'starting' };
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          probe(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
          }),
        ]);
      } catch (error) {
        return { ready: false, reason: `store unreachable: ${(error as Error).message}` };
      } finally {
        clearTimeout(timer);
      }
      return draining ? { ready: false, reason: 'shutting down' } : { ready: true };
    },
    close() {
      draining = true;
      closing ??= (async () => {
        await engine.stop();
        await store.close();
      })();
      return closing;
    },
  };
}

/** The trait names profiles have had; null before any profile is stored, when "no profile has X" says nothing. */
async function knownTraits(store: Store): Promise<ReadonlySet<string> | null> {
  const names = await store.traitNames();
  return names.size === 0 ? null : names;
}
