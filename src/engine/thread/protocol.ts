/**
 * The messages between the main thread (HTTP, the API's reads) and the engine's thread (units of work,
 * timers, dispatch): calls by id and their answers, the engine's errors to log, and how the thread starts.
 */
import type { EngineHandle } from '../handle.ts';

/** What the engine's thread needs to open its own connection to the store and start the engine. */
export interface EngineThreadConfig {
  /** The SQLite file: the thread opens its own connection to it (the main thread keeps one for reads). */
  file: string;
  engine: { pollMs?: number; timerBatch?: number; eventRetentionMs?: number | null };
  /**
   * One shard of a database split by user (store/shards/): `file` is shard `index` of `files`, whose first is
   * the main file (journeys, settings, providers...); `numbers` the memory of the counters the shards share.
   */
  shard?: { index: number; files: string[]; numbers: SharedArrayBuffer };
}

/** The engine's methods a call may name: the handle's, but stop, which ends the thread. */
export type CallMethod = Exclude<keyof EngineHandle, 'clock'> | 'holdProfiles';

export type ToEngine = { kind: 'call'; id: number; method: CallMethod; args: unknown[] };

export type FromEngine =
  | { kind: 'started' }
  | { kind: 'failed-to-start'; message: string }
  | { kind: 'answer'; id: number; value: unknown }
  | { kind: 'refusal'; id: number; error: unknown }
  | { kind: 'error'; where: string; error: unknown };
