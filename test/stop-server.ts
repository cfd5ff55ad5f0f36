/** Stopping a server a test started, with a bound, so that a stop that never ends fails the test, not the suite. */
import type { ChildProcess } from 'node:child_process';

/** Well past the server's own --shutdown-ms (60 s), after which it exits 1 by itself. */
const STUCK_MS = 120_000;

/** Stops `server` with `signal`; resolves to its exit code, within the bound of `exitWithin`. */
export function stopWithin(server: ChildProcess, printed: () => string = () => '(not kept)', signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  if (server.exitCode !== null || server.signalCode !== null) return Promise.resolve(server.exitCode);
  const exit = exitWithin(server, printed);
  server.kill(signal);
  return exit;
}

/**
 * Resolves to `server`'s exit code once it exits. A server still there STUCK_MS later is stuck where its own
 * deadline cannot act (Node's exit), and is killed: the promise rejects with what `printed` returns.
 */
export async function exitWithin(server: ChildProcess, printed: () => string = () => '(not kept)'): Promise<number | null> {
  if (server.exitCode !== null || server.signalCode !== null) return server.exitCode;
  const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      server.kill('SIGKILL');
      reject(new Error(`the server had not exited within ${STUCK_MS / 1000} s; it printed:\n${printed()}`));
    }, STUCK_MS);
  });
  try {
    return await Promise.race([exited, stuck]);
  } finally {
    clearTimeout(timer);
  }
}
