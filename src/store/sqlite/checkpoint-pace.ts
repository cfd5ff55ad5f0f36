/**
 * When the checkpoint thread copies next (checkpoint-thread.ts): once a second, and every 50 ms while the log
 * may reach the handover point before the copy after next.
 *
 * At the handover the thread catches up with what it has not copied yet, and hands the rest to the writer
 * (checkpointer.ts). When the writer's own checkpoint did all of that inside one of the engine's commits, with up
 * to a second of log left to copy, a 10-minute run at 4,000 carts/s failed (319 late sends, the last minute's p99
 * 1.4 s); with 50 ms left, the same run had none and 8% less of the server's CPU, though two more runs in slower
 * stretches failed (bench/RESULTS.md, 2026-12-07).
 */
export interface CheckpointPace {
  /** The usual wait between copies. */
  intervalMs: number;
  /** The wait near the handover point. */
  nearIntervalMs: number;
  /** The log's size, in frames, at which the thread hands over to the writer. */
  handoverFrames: number;
}

/** The frames in the log after a copy, and the frames and time since the one before. */
export interface LogGrowth {
  frames: number;
  framesBefore: number;
  elapsedMs: number;
}

export function nextCopyInMs(pace: CheckpointPace, log: LogGrowth): number {
  // A log shorter than before has started over: all of it is new.
  const grown = log.frames >= log.framesBefore ? log.frames - log.framesBefore : log.frames;
  const byCopyAfterNext = (grown / Math.max(1, log.elapsedMs)) * 2 * pace.intervalMs;
  return log.frames + byCopyAfterNext >= pace.handoverFrames ? pace.nearIntervalMs : pace.intervalMs;
}
