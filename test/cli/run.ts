/**
 * Runs the real CLI as a child process, FROM SOURCE: `node --import tsx src/cli/main.ts ...`, so every test
 * sees the code as it is now, with no build step in the edit-test loop. What ships (bin/waymark.mjs over the
 * compiled dist/) is tested on its own, once, in build.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after } from 'node:test';
import { ROOT } from '../helpers.ts';
import { stopWithin } from '../stop-server.ts';

/** Node arguments that start the CLI from source (tsx located here, so any working directory will do). */
export const CLI = ['--import', import.meta.resolve('tsx'), join(ROOT, 'src', 'cli', 'main.ts')];

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, WAYMARK_DEBUG: '', WAYMARK_NO_PROGRESS: '1', ...extra };
  // Never let the developer's own settings leak into a test.
  for (const name of ['WAYMARK_URL', 'WAYMARK_ADMIN_KEY', 'WAYMARK_WRITE_KEY', 'PORT']) if (!(name in extra)) delete env[name];
  return env;
}

/** `cli` is what starts the CLI: from source unless a test says otherwise (the compiled bin). */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, cli: string[] = CLI): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cli, ...args], { cwd: ROOT, env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function startCli(args: string[], env: Record<string, string | undefined> = {}, cli: string[] = CLI): ChildProcess {
  return spawn(process.execPath, [...cli, ...args], { cwd: ROOT, env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Starts `waymark serve` on a free port and resolves with its URL and everything it printed so far. */
export async function serve(db: string, env: Record<string, string> = {}, cli: string[] = CLI, args: string[] = []) {
  const child = startCli(['serve', '--db', db, '--port', '0', '--example', 'examples/abandoned-cart.json', ...args], env, cli);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // A test that fails before stopping its server must not leave it running: it would keep the test process,
  // and so the whole suite, waiting forever.
  after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const url = await new Promise<string>((resolve, reject) => {
    // A ceiling for a machine under heavy load, not a timing expectation; a server that missed it is killed
    // so that it cannot keep the test process alive.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start:\n${stdout}\n${stderr}`));
    }, 60_000);
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then(() => reject(new Error(`serve exited:\n${stdout}\n${stderr}`)));
  });
  /** Stops the server with `signal` (SIGTERM unless given); resolves to its exit code, within a bound (stop-server.ts). */
  const stop = (signal?: NodeJS.Signals) => stopWithin(child, () => `${stdout}\n${stderr}`, { signal });
  return { child, url, exited, stop, output: () => ({ stdout, stderr }) };
}
