/** The composition root: a store, the engine on it, and the services the API and CLI use. */
import { channelSenders } from '../channels/senders.ts';
import type { ChannelSenders } from '../channels/channel.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { TimeMode } from '../engine/decide.ts';
import { Engine } from '../engine/engine.ts';
import { openStore, type OpenStoreOptions } from '../store/open.ts';
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
  /** Engine tuning: the safety poll for timers and journeys set by other processes, and the timer claim size. */
  engine?: { pollMs?: number; timerBatch?: number; eventRetentionMs?: number | null; yieldBetweenUnits?: boolean };
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

export interface Waymark {
  store: Store;
  engine: Engine;
  journeys: JourneyService;
  /**
   * Readiness: the store answers a cheap query within 2 s and shutdown has not begun. (Migrations ran and
   * the engine started before openWaymark returned, so they hold from the start.)
   */
  readiness(): Promise<Readiness>;
  /** Marks the process as going away: readiness answers not ready from now on. close() does it too. */
  drain(): void;
  readonly draining: boolean;
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
  const probe = options.probe ?? (() => store.ping());
  let draining = false;
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
    async readiness() {
      if (draining) return { ready: false, reason: 'shutting down' };
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
