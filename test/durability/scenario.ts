/**
 * The crash scenario both kill -9 tests run, on whichever store `serve` is pointed at: the abandoned-cart
 * workload replayed in real time by a client that retries like an SDK's queue, while the server is killed
 * with SIGKILL at random moments and started again on the same database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../bench/cluster.ts';
import { generateWorkload } from '../../bench/workload.ts';
import { CLI } from '../cli/run.ts';
import { ROOT } from '../helpers.ts';
import { stopWithin } from '../stop-server.ts';
import type { ExpectedUser } from './verdict.ts';

export const ADMIN = 'wm_admin_durability_test';
export const WRITE = 'wm_write_durability_test';

export interface ScenarioOptions {
  dir: string;
  /** `serve` arguments naming the database, e.g. ['--db', file] or ['--database', url]. */
  database: string[];
  users: number;
  spanMs: number;
  windowMs: number;
  delayMs: number;
  kills: number;
  /** Live instances in the store, read right after each kill. */
  liveInstances(): Promise<number>;
}

export interface ScenarioRun {
  expected: ExpectedUser[];
  events: number;
  t0: number;
  /** When the last expected message was due. */
  lastDue: number;
  inFlightAtKill: number[];
  /** Stops the running server with SIGTERM; resolves to its exit code. */
  stop(): Promise<number | null>;
}

export async function runKillScenario(o: ScenarioOptions): Promise<ScenarioRun> {
  generateWorkload({ users: o.users, spanMs: o.spanMs, windowMs: o.windowMs, delayMs: o.delayMs, seed: 7 }, join(o.dir, 'workload'));
  const expected = (JSON.parse(readFileSync(join(o.dir, 'workload', 'expected.json'), 'utf8')) as { users: ExpectedUser[] }).users;
  const events = lines(join(o.dir, 'workload', 'events.ndjson')) as ReplayedEvent[];
  const profiles = lines(join(o.dir, 'workload', 'profiles.ndjson')) as Array<{ userId: string }>;

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // What every server printed, one after the other, for a failure to show.
  const log = join(o.dir, 'servers.log');
  const logFd = openSync(log, 'a');
  const start = () =>
    spawn(process.execPath, [...CLI, 'serve', ...o.database, '--port', String(port)], {
      env: { ...process.env, WAYMARK_ADMIN_KEY: ADMIN, WAYMARK_WRITE_KEY: WRITE },
      stdio: ['ignore', logFd, logFd],
    });
  let server: ChildProcess = start();
  // Whatever happens below, no server is left running.
  const killServer = () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  };
  process.once('exit', killServer);
  await healthy(base, server).catch((error) => {
    killServer();
    throw error;
  });
  const definition = JSON.parse(readFileSync(join(ROOT, 'examples/abandoned-cart.json'), 'utf8'));
  definition.nodes[0].trigger.within = `${o.windowMs}ms`;
  for (const node of definition.nodes) if (node.kind === 'delay') node.duration = `${o.delayMs}ms`;
  await post(base, '/v1/journeys', ADMIN, { id: 'cart', definition });
  await post(base, '/v1/journeys/cart/publish', ADMIN, {});
  for (let i = 0; i < profiles.length; i += 1000) {
    await post(base, '/v1/profiles', WRITE, { batch: profiles.slice(i, i + 1000).map(({ userId, ...traits }) => ({ userId, traits })) });
  }

  const killAt = Array.from({ length: o.kills }, () => 500 + Math.random() * (o.spanMs + o.windowMs + o.delayMs)).sort((a, b) => a - b);
  const inFlightAtKill: number[] = [];
  const t0 = Date.now() + 300;
  const killer = (async () => {
    for (const at of killAt) {
      await sleep(t0 + at - Date.now());
      server.kill('SIGKILL');
      await new Promise((resolve) => server.once('exit', resolve));
      inFlightAtKill.push(await o.liveInstances());
      server = start();
      await healthy(base, server);
    }
  })();

  await Promise.all([replayInRealTime(base, WRITE, events, t0, 500), killer]);

  return {
    expected,
    events: events.length,
    t0,
    lastDue: t0 + Math.max(...expected.flatMap((u) => Object.values(u.sends))),
    inFlightAtKill,
    async stop() {
      process.removeListener('exit', killServer);
      try {
        return await stopWithin(server, () => readFileSync(log, 'utf8').slice(-3000));
      } finally {
        closeSync(logFd);
      }
    },
  };
}

function lines(file: string): unknown[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

/**
 * Resolves once the server answers /ready: started, its keys and example journeys made. The limit is a ceiling
 * for a machine under heavy load, not a timing expectation; a server that exits before it answers fails at once.
 */
export async function healthy(base: string, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) throw new Error(`server exited (${server.exitCode ?? server.signalCode}) before it was healthy`);
    try {
      if ((await fetch(`${base}/ready`)).ok) return;
    } catch {
      // not up yet
    }
    await sleep(25);
  }
  throw new Error('server did not come up within 90 s');
}

async function post(base: string, path: string, key: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new HttpError(`${path}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
}

/** The server answered, and not with 2xx: a defect to report at once, never a reason to retry. */
export class HttpError extends Error {}


export interface ReplayedEvent {
  at: number;
  userId: string;
  event: string;
  properties: unknown;
}

/**
 * Sends a workload's events in real time from `t0` (each at t0 + at), as a client would: batches of up to
 * `batchSize`, one in flight at a time, each retried until the server takes it, like an SDK's queue (the same
 * messageIds, so a retry never duplicates). Resolves once every event has been taken; rejects at once, with
 * the status and body, when the server answers anything but 2xx (only no answer at all is retried).
 */
export async function replayInRealTime(base: string, writeKey: string, events: readonly ReplayedEvent[], t0: number, batchSize: number): Promise<void> {
  const queue: unknown[] = [];
  let replayDone = false;
  let failure: { error: unknown } | null = null;
  const sender = (async () => {
    while (!replayDone || queue.length > 0) {
      if (queue.length === 0) {
        await sleep(5);
        continue;
      }
      const batch = queue.slice(0, batchSize);
      for (;;) {
        try {
          await post(base, '/v1/events', writeKey, { batch });
          break;
        } catch (error) {
          if (error instanceof HttpError) throw error;
          await sleep(50); // the server is down (no answer): retry the same batch
        }
      }
      queue.splice(0, batch.length);
    }
  })();
  sender.catch((error) => (failure = { error }));
  let next = 0;
  while (next < events.length) {
    if (failure) throw (failure as { error: unknown }).error;
    const elapsed = Date.now() - t0;
    while (next < events.length && events[next]!.at <= elapsed) {
      const e = events[next]!;
      queue.push({ messageId: `e${next}`, userId: e.userId, event: e.event, properties: e.properties, timestamp: t0 + e.at });
      next++;
    }
    await sleep(5);
  }
  replayDone = true;
  await sender;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
