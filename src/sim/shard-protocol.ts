/** What the threads of a simulation on several (shards.ts, shard-worker.ts) say to each other. */
import type { JourneyDefinition } from '../core/definition.ts';
import type { Problem } from '../core/problem.ts';
import type { JourneyVersion, StatRow, WaitingRow } from '../store/records.ts';
import type { OutputFiles, Written } from './output.ts';
import type { RunCounts, Timings } from './run.ts';

/** A thread's start: its own SQLite file and output files, and what every thread of the run shares. */
export interface ShardConfig {
  dbFile: string;
  /** Its parts of the output files, merged into them at the end. */
  output: OutputFiles;
  clockStart: number;
  settings: Record<string, unknown> | undefined;
  journeys: Array<{ id: string; definition: unknown }>;
  commitEvery: number | undefined;
}

export type ShardMethod = 'open' | 'profiles' | 'take' | 'end' | 'drain' | 'finish' | 'close';

export interface ShardCall {
  id: number;
  method: ShardMethod;
  args: unknown[];
}

/** A thread's share of the results: its output counts, its stats rows, its counters. */
export interface ShardFinish {
  written: Written;
  rows: StatRow[];
  waiting: WaitingRow[];
  versions: JourneyVersion[];
  draft: JourneyDefinition;
  users: number;
  counts: RunCounts;
  timings: Timings;
}

export type ShardMessage =
  | { id: number; value: unknown }
  | { id: number; error: { message: string; problems?: Problem[] } }
  | { progress: { virtualTime: number; timersFired: number } };
