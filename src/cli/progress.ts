/** Progress bars on a terminal only: piped or logged output gets the final summary lines and nothing else. */
import type CliProgress from 'cli-progress';
import { createRequire } from 'node:module';

export interface Progress {
  update(value: number, payload?: Record<string, unknown>): void;
  stop(): void;
}

const silent: Progress = { update() {}, stop() {} };

/** A bar on stderr when it is a terminal; otherwise a no-op. `format` may use {bar}, {percentage} and payload keys. */
export function progressBar(format: string, total: number, payload: Record<string, unknown>): Progress {
  if (!process.stderr.isTTY || process.env.WAYMARK_NO_PROGRESS) return silent;
  // Loaded on first use: a fifth of `waymark --help`'s start-up went to this module.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
  const bar = new cliProgress.SingleBar(
    { format, stream: process.stderr, hideCursor: true, clearOnComplete: true, fps: 5, barsize: 30, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(total, 1), 0, payload);
  let stopped = false;
  return {
    update(value, next) {
      if (!stopped) bar.update(value, next);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}

export function megabytes(bytes: number): string {
  return (bytes / 1_048_576).toFixed(1);
}

export function thousands(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
