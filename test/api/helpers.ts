/**
 * An API server over a real store (a SQLite file unless told), listening on a random local port, with both keys.
 * With `clock` the server runs on that virtual clock with realtime off: nothing fires by itself, and the test
 * moves time with `runUntil`.
 */
import { join } from 'node:path';
import { after } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { openWaymark, type Waymark } from '../../src/app/waymark.ts';
import { ensureApiKeys } from '../../src/api/keys.ts';
import { buildServer, type ServerOptions } from '../../src/api/server.ts';
import type { VirtualClock } from '../../src/core/clock.ts';
import { driveUntil, tempDir, type StoreKind } from '../helpers.ts';
import { dropWhenDone, openTestStore, PG_URL } from '../store/postgres-fixture.ts';
import { Projects, projectSchema } from '../../src/app/projects.ts';
import { postgresProjectOpener, sqliteProjectOpener } from '../../src/app/project-stores.ts';

export interface TestApi {
  waymark: Waymark;
  /** The deployment's projects: `waymark` is the default one. */
  projects: Projects;
  server: FastifyInstance;
  url: string;
  admin: string;
  write: string;
  /** JSON request; `key` defaults to the admin key, null sends none. */
  /** With a virtual clock: move it to `at`, firing due timers and dispatching; without one, an error. */
  runUntil(at: number): Promise<void>;
  call(method: string, path: string, options?: { key?: string | null; body?: unknown; raw?: string }): Promise<{ status: number; body: any }>;
}

/** `store: 'postgres'` runs on a fresh schema (see forEachStore in test/helpers.ts), dropped when the file ends. */
export async function startApi({ store = 'sqlite', clock, ...options }: ServerOptions & { store?: StoreKind; clock?: VirtualClock } = {}): Promise<TestApi> {
  const file = join(tempDir('waymark-api-'), 'waymark.db');
  const database = store === 'postgres' ? await openTestStore() : file;
  const waymark = await openWaymark({ database, ...(clock ? { clock, realtime: false } : { realtime: true }) });
  const keys = await ensureApiKeys(waymark.store);
  // Other projects open as `waymark serve` opens them: a file beside this one, or a schema beside this one.
  const opener =
    typeof database === 'string'
      ? sqliteProjectOpener(file, { threaded: false })
      : (id: string) => {
          dropWhenDone(projectSchema(database.schema, id));
          return postgresProjectOpener(PG_URL, database.schema, { background: true, poolSize: 2 })(id);
        };
  const projects = new Projects(waymark, opener);
  const server = await buildServer(projects, options);
  const address = await server.listen({ port: 0, host: '127.0.0.1' });
  after(async () => {
    await server.close();
    await projects.close();
  });
  const admin = keys.admin!;
  const call: TestApi['call'] = async (method, path, { key = admin, body, raw } = {}) => {
    const headers: Record<string, string> = {};
    if (key !== null) headers.authorization = `Bearer ${key}`;
    const payload = raw ?? (body === undefined ? undefined : JSON.stringify(body));
    if (payload !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${address}${path}`, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  const runUntil = async (at: number) => {
    if (!clock) throw new Error('runUntil needs startApi({ clock })');
    await driveUntil(waymark, clock, at);
  };
  return { waymark, projects, server, url: address, admin, write: keys.write!, call, runUntil };
}

/** Polls `check` until it returns a value other than undefined, or fails after `ms` (a ceiling for a loaded machine). */
export async function eventually<T>(check: () => Promise<T | undefined>, ms = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
