/**
 * Real `waymark serve` processes on one PostgreSQL schema, for the multi-process tests. Each test gets a
 * schema of its own (test/store/postgres-fixture.ts), passed to serve as `?schema=` on the URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from '../cli/run.ts';
import { ROOT } from '../helpers.ts';
import { PG_URL } from '../store/postgres-fixture.ts';
import { stopWithin, type StopOptions } from '../stop-server.ts';

export const ADMIN = 'wm_admin_cluster_test_key';
export const WRITE = 'wm_write_cluster_test_key';

/** The test server's URL with Waymark's `schema` parameter. */
export function schemaUrl(schema: string): string {
  const url = new URL(PG_URL);
  url.searchParams.set('schema', schema);
  return url.toString();
}

export interface Serve {
  role: string;
  child: ChildProcess;
  /** The listener's base URL (the API, or a worker's /health and /ready). */
  url: string;
  exited: Promise<number | null>;
  /** Stops the process (SIGTERM unless told); resolves to its exit code, within a bound (stop-server.ts). */
  stop(options?: StopOptions): Promise<number | null>;
  output(): { stdout: string; stderr: string };
}

/** Every process started here, killed when the test process exits however it ends (a timeout, a failure). */
const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Starts `waymark serve --role ROLE --port 0` and resolves once it prints where it listens. */
export function startServe(role: 'all' | 'api' | 'worker', database: string, extra: string[] = [], env: Record<string, string> = {}): Promise<Serve> {
  const child = spawn(process.execPath, [...CLI, 'serve', '--database', database, '--role', role, '--port', '0', ...extra], {
    cwd: ROOT,
    env: { ...cleanEnv(), WAYMARK_ADMIN_KEY: ADMIN, WAYMARK_WRITE_KEY: WRITE, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  child.once('exit', () => started.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise<Serve>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve --role ${role} did not start within 90 s:\n${stdout}\n${stderr}`));
    }, 90_000);
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve({ role, child, url: m[1]!, exited, stop: (options) => stopWithin(child, () => `${stdout}\n${stderr}`, options), output: () => ({ stdout, stderr }) });
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve --role ${role} exited (${code}) before listening:\n${stdout}\n${stderr}`));
    });
  });
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, WAYMARK_DEBUG: '' };
  for (const name of ['WAYMARK_URL', 'WAYMARK_ADMIN_KEY', 'WAYMARK_WRITE_KEY', 'PORT', 'DATABASE_URL', 'WAYMARK_PG_SCHEMA']) delete env[name];
  return env;
}

export async function call(base: string, method: string, path: string, key: string | null, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** POST that must succeed. */
export async function post(base: string, path: string, key: string, body: unknown): Promise<any> {
  const r = await call(base, 'POST', path, key, body);
  if (r.status >= 300) throw new Error(`POST ${path}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** The abandoned-cart example with a short window and delays. */
export function cartJourney(definition: any, windowMs: number, delayMs: number): any {
  const copy = structuredClone(definition);
  for (const node of copy.nodes) {
    if (node.kind === 'entry') node.trigger.within = `${windowMs}ms`;
    if (node.kind === 'delay') node.duration = `${delayMs}ms`;
  }
  return copy;
}
