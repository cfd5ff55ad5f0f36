/**
 * What the API and the services need of a running engine: its clock, the write path (events and profiles),
 * and news of changed journeys. The engine itself has it (engine.ts); so does the proxy of an engine running
 * in its own thread (thread/threaded-engine.ts), which is why nothing else of the engine is on it.
 */
import type { Clock } from '../core/clock.ts';
import type { JourneyEvent } from '../core/instance.ts';
import type { EngineCounts } from './counters.ts';
import type { IdentityMerge, IngestResult, MergeResult, ProfileUpsert } from '../store/store.ts';

export interface EngineHandle {
  readonly clock: Clock;
  /**
   * Resolves once the events are committed with everything they caused (group commit). `receivedAt` (default:
   * now) places them among the timers: those due before it fire first, those due after it wait for them.
   */
  ingest(events: JourneyEvent[], receivedAt?: number): Promise<IngestResult>;
  /** Merges one identity into another, in order with the events ingested before and after the call. */
  identify(merge: IdentityMerge, receivedAt?: number): Promise<MergeResult>;
  /** Merges trait patches into profiles, stamped with the engine's clock. */
  upsertProfiles(profiles: ProfileUpsert[]): Promise<void>;
  /** Re-reads journeys after a publish, pause or stop, the project settings, and the channels' provider settings. */
  reloadJourneys(): Promise<void>;
  /** What the engine has done since it started (messages by channel and status, errors), for GET /metrics. */
  counters(): Promise<EngineCounts>;
  /** Stops timers and waits for work under way; queued events are committed first. */
  stop(): Promise<void>;
}
