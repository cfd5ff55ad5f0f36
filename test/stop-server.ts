/** Stopping a server a test started, with a bound, so that a stop that never ends fails the test, not the suite. */
import type { ChildProcess } from 'node:child_process';

/** Well past the server's own --shutdown-ms (60 s), after which it exits 1 by itself. */
const STUCK_MS = 120_000;

export interface StopOptions {
  /** SIGTERM unless given. */
  signal?: NodeJS.Signals;
  /** How long the server may take to exit; STUCK_MS unless given. */
  withinMs?: number;
}

/** Stops `server` with the signal; resolves to its exit code, within the bound of `exitWithin`. */
export function stopWithin(server: ChildProcess, printed: () => string = () => '(not kept)', { signal = 'SIGTERM', withinMs }: StopOptions = {}): Promise<number | null> {
  if (server.exitCode !== null || server.signalCode !== null) return Promise.resolve(server.exitCode);
  const exit = exitWithin(server, printed, withinMs);
  server.kill(signal);
  return exit;
}

/**
 * Resolves to `server`'s exit code once it exits. A server still there `withinMs` later is stuck (by default, where
 * its own deadline cannot act: Node's exit), and is killed: the promise rejects with what `printed` returns.
 */
export async function exitWithin(server: ChildProcess, printed: () => string = () => '(not kept)', withinMs = STUCK_MS): Promise<number | null> {
  if (server.exitCode !== null || server.signalCode !== null) return server.exitCode;
  const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      server.kill('SIGKILL');
      reject(new Error(`the server had not exited within ${withinMs / 1000} s; it printed:\n${printed()}`));
    }, withinMs);
  });
  try {
    return await Promise.race([exited, stuck]);
  } finally {
    clearTimeout(timer);
  }
}
