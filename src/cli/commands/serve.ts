/**
 * `waymark serve`: the engine and the HTTP API, on the embedded SQLite file or on PostgreSQL.
 *
 * Roles (PostgreSQL): `all` (default) runs the HTTP API and the workers (timers, outbox) in one process;
 * `api` runs the HTTP API, and ingested events do what they cause at once, but timers and sends are left to
 * workers; `worker` fires timers and dispatches the outbox, and listens only for GET /health and GET /ready.
 * Any number of each against one database. SQLite is single-process: role `all` only, with the engine in a
 * thread of its own (engine/thread/) so that HTTP and the engine each have a core.
 */
import type { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEFAULT_RATE_LIMIT, type RateLimit } from '../../api/rate-limit.ts';
import type { Waymark } from '../../app/waymark.ts';
import type { EngineHandle } from '../../engine/handle.ts';
import { journeyIdFromFile, readJourney } from '../../sim/journey-file.ts';
import { CliError } from '../errors.ts';
import type { Logger } from '../../ops/logger.ts';
import { durationAtLeast, nonNegativeInt, port, positiveInt } from '../options.ts';
import { MAX_SHARDS } from '../../store/shards/shard-files.ts';

const ROLES = ['all', 'api', 'worker'] as const;
/** How often a PostgreSQL process reads the registry for projects another process made. */
const PROJECT_WATCH_MS = 5_000;
/** The most a graceful stop may take unless --shutdown-ms says otherwise. */
const DEFAULT_SHUTDOWN_MS = 60_000;
type Role = (typeof ROLES)[number];

interface ServeOptions {
  db?: string;
  database?: string;
  role: string;
  port?: number;
  host: string;
  example?: string[];
  log?: boolean;
  poolSize?: number;
  drainMs?: number;
  shutdownMs?: number;
  pollMs?: number;
  timerBatch?: number;
  eventRetention?: number;
  engineThread?: boolean;
  shards?: number;
  rateLimit?: number;
}

/** Where the data lives: an embedded SQLite file, or a PostgreSQL database (and schema). */
export type DatabaseChoice = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema?: string; shown: string };

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run Waymark: the HTTP API and the engine, on the embedded SQLite file or on PostgreSQL')
    .option('--db <file>', 'SQLite database file, created if missing (default ./data/waymark.db)')
    .option(
      '--database <url>',
      'postgres://user:pass@host:5432/db[?schema=NAME] selects PostgreSQL (env DATABASE_URL; the schema also from env WAYMARK_PG_SCHEMA); anything else is a SQLite file',
    )
    .option('--role <role>', 'all: API and workers; api: HTTP API only; worker: timers and sends, plus /health, /ready and /metrics (PostgreSQL only)', 'all')
    .option('--port <n>', 'port to listen on, 0 for any free port (env PORT, default 3000); a worker serves only /health, /ready and /metrics on it', port)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--example <file...>', 'create and publish these journey files unless a journey with that id exists (id from the file name)')
    .option('--log', 'log every request and its answer (the log is JSON lines on stdout; level from WAYMARK_LOG_LEVEL, WAYMARK_LOG_FORMAT=pretty for a terminal)')
    .option('--pool-size <n>', 'PostgreSQL connections of this process (default 10)', positiveInt('--pool-size', 1000))
    .option('--drain-ms <n>', 'on SIGTERM, answer /ready with 503 and keep serving this long before closing, so load balancers stop sending work (default 0)', nonNegativeInt('--drain-ms'))
    .option('--shutdown-ms <n>', `the most a graceful stop may take after --drain-ms; past it the process exits 1, naming what it waited on, as safely as after a crash (default ${DEFAULT_SHUTDOWN_MS})`, positiveInt('--shutdown-ms', 3_600_000))
    .option('--poll-ms <n>', 'how often the engine looks for timers and journeys set by other processes (default 1000)', positiveInt('--poll-ms', 3_600_000))
    .option('--timer-batch <n>', 'most due timers one transaction claims (default 2000); smaller holds users\' locks for less time', positiveInt('--timer-batch', 100_000))
    .option(
      '--event-retention <duration>',
      'drop events received longer ago than this, e.g. 90d (at least 1d), checked hourly by the worker and all roles; a messageId is deduplicated only as long as its event is kept (default: keep events for ever)',
      durationAtLeast('--event-retention', '1d'),
    )
    .option('--rate-limit <n>', 'requests a second each API key may make, bursts of twice that; 0: no limit (env WAYMARK_RATE_LIMIT, default 500)', nonNegativeInt('--rate-limit', 1_000_000))
    .option(
      '--shards <n>',
      `SQLite: split the users by a hash of their id among n files, each with an engine thread of its own, to use more cores (at most ${MAX_SHARDS}; fixed when the database is made: docs/scaling.md)`,
      positiveInt('--shards', MAX_SHARDS),
    )
    .option('--no-engine-thread', 'SQLite: run the engine on the thread that serves HTTP (one core) rather than in a thread of its own')
    .action((options: ServeOptions) => serve(options));
}

/** --rate-limit, else WAYMARK_RATE_LIMIT, else the default; 0 turns it off. */
function rateLimitOf(options: ServeOptions, env: NodeJS.ProcessEnv = process.env): RateLimit | null {
  let perSecond = options.rateLimit;
  if (perSecond === undefined && env.WAYMARK_RATE_LIMIT !== undefined) {
    perSecond = Number(env.WAYMARK_RATE_LIMIT);
    if (!Number.isInteger(perSecond) || perSecond < 0) throw new CliError(`WAYMARK_RATE_LIMIT must be a whole number of requests a second (0: no limit), not ${JSON.stringify(env.WAYMARK_RATE_LIMIT)}`);
  }
  if (perSecond === undefined) return DEFAULT_RATE_LIMIT;
  return perSecond === 0 ? null : { perSecond, burst: 2 * perSecond };
}

/** The embedded store's one-server lock (store/sqlite/file-lock.ts), kept referenced for the life of the process. */
let fileLock: { release(): void } | null = null;

/** --database, else --db, else DATABASE_URL, else ./data/waymark.db. A postgres:// URL means PostgreSQL. */
export function chooseDatabase(options: { db?: string; database?: string }, env: NodeJS.ProcessEnv = process.env): DatabaseChoice {
  if (options.db !== undefined && options.database !== undefined) throw new CliError('give either --db FILE (SQLite) or --database URL, not both');
  const given = options.database ?? options.db ?? (env.DATABASE_URL || undefined) ?? './data/waymark.db';
  if (options.db !== undefined || !/^postgres(ql)?:\/\//i.test(given)) return { kind: 'sqlite', file: resolve(given) };
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new CliError('the PostgreSQL URL cannot be parsed; expected postgres://user:password@host:5432/database');
  }
  // ?schema= is Waymark's, not the driver's: take it out of the URL.
  const fromUrl = url.searchParams.get('schema') ?? undefined;
  url.searchParams.delete('schema');
  const schema = fromUrl || env.WAYMARK_PG_SCHEMA || undefined;
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new CliError(`the schema must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*), got ${JSON.stringify(schema)}`);
  const shown = new URL(url.toString());
  if (shown.password) shown.password = '***';
  return { kind: 'postgres', url: url.toString(), ...(schema !== undefined ? { schema } : {}), shown: shown.toString() };
}

async function serve(options: ServeOptions): Promise<void> {
  if (!(ROLES as readonly string[]).includes(options.role)) throw new CliError(`--role must be one of ${ROLES.join(', ')}; got ${JSON.stringify(options.role)}`);
  const role = options.role as Role;
  const database = chooseDatabase(options);
  if (database.kind === 'sqlite' && role !== 'all') {
    throw new CliError(
      `--role ${role} needs PostgreSQL (--database postgres://... or DATABASE_URL): SQLite is a single-process store, so run one \`waymark serve\` (role all) on it`,
    );
  }
  if (role === 'worker' && options.example !== undefined) throw new CliError('--example is for the api and all roles: a worker serves no API and creates no journeys');
  if (database.kind === 'sqlite' && options.poolSize !== undefined) throw new CliError('--pool-size is for PostgreSQL');
  const shards = options.shards ?? 1;
  if (database.kind === 'postgres' && options.shards !== undefined) throw new CliError('--shards is for SQLite: on PostgreSQL, add worker processes (--role worker)');
  if (shards > 1 && options.engineThread === false) throw new CliError('--shards runs an engine thread for each shard: leave out --no-engine-thread');
  if (role === 'api' && options.eventRetention !== undefined) throw new CliError('--event-retention is for the worker and all roles: an api process prunes nothing');
  const listenPort = options.port ?? portFromEnv();
  const { createLogger, setProcessLogger, LoggerSettingError } = await import('../../ops/logger.ts');
  let logger: Logger;
  try {
    logger = createLogger();
  } catch (error) {
    throw error instanceof LoggerSettingError ? new CliError(error.message) : error;
  }
  setProcessLogger(logger);
  // Read the example journeys first: a typo in a path should fail before anything is created.
  const examples: Array<{ file: string; id: string } & Awaited<ReturnType<typeof readJourney>>> = [];
  for (const file of options.example ?? []) examples.push({ file, id: journeyIdFromFile(file), ...(await readJourney(file)) });
  if (database.kind === 'sqlite') {
    mkdirSync(dirname(database.file), { recursive: true });
    const { lockDatabaseFile, FileInUseError } = await import('../../store/sqlite/file-lock.ts');
    try {
      fileLock = lockDatabaseFile(database.file); // held until the process ends
    } catch (error) {
      throw error instanceof FileInUseError ? new CliError(error.message) : error;
    }
  }

  // Loaded here, not at the top: the rest of the CLI starts faster without the server's dependencies.
  const [{ openWaymark, openThreadedWaymark, openShardedWaymark }, { buildServer, buildHealthServer }, { ensureApiKeys }] = await Promise.all([
    import('../../app/waymark.ts'),
    import('../../api/server.ts'),
    import('../../api/keys.ts'),
  ]);
  const { openStore, storeLocation } = await import('../../store/open.ts');
  const engineOptions = {
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    ...(options.timerBatch !== undefined ? { timerBatch: options.timerBatch } : {}),
    ...(options.eventRetention !== undefined ? { eventRetentionMs: options.eventRetention } : {}),
  };
  let waymark: Waymark<EngineHandle>;
  const onEngineFatal = (error: Error) => {
    logger.fatal({ err: error }, 'the engine stopped; exiting');
    process.exit(1);
  };
  if (database.kind === 'sqlite' && shards > 1) {
    // Users split among files, an engine thread on each (store/shards/).
    waymark = await openShardedWaymark({ file: database.file, shards, engine: engineOptions, onFatal: onEngineFatal }).catch((error: Error) => {
      throw new CliError(error.message);
    });
  } else if (database.kind === 'sqlite' && options.engineThread !== false) {
    // The engine in a thread of its own: HTTP and the API's reads on this one (see engine/thread/).
    waymark = await openThreadedWaymark({
      file: database.file,
      engine: engineOptions,
      onFatal: onEngineFatal,
    }).catch((error: Error) => {
      throw new CliError(error.message);
    });
  } else {
    const store = await openStore(database.kind === 'sqlite' ? database.file : database.url, {
      ...(database.kind === 'postgres' && database.schema !== undefined ? { schema: database.schema } : {}),
      ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
    }).catch((error: Error) => {
      throw new CliError(error.message);
    });
    // A database that cannot be written is refused now, before an engine starts on it.
    try {
      await store.ping();
    } catch (error) {
      await store.close().catch(() => {});
      throw new CliError(`cannot write to ${storeLocation(store)}: ${(error as Error).message}`);
    }
    waymark = await openWaymark({ database: store, background: role !== 'api', engine: engineOptions }).catch(async (error) => {
      await store.close().catch(() => {});
      throw error;
    });
  }
  const store = waymark.store;
  // The deployment's other projects (app/projects.ts), each opened the way the default one was, and all opened
  // now: their engines fire timers and send whether or not a request comes.
  const { Projects } = await import('../../app/projects.ts');
  const { sqliteProjectOpener, postgresProjectOpener } = await import('../../app/project-stores.ts');
  const onFatal = (error: Error) => {
    logger.fatal({ err: error }, 'the engine of a project stopped; exiting');
    process.exit(1);
  };
  const projects = new Projects(
    waymark,
    database.kind === 'sqlite'
      ? sqliteProjectOpener(database.file, { threaded: options.engineThread !== false, engine: engineOptions, onFatal })
      : postgresProjectOpener(database.url, (store as { schema?: string }).schema ?? 'public', {
          background: role !== 'api',
          engine: engineOptions,
          ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
        }),
  );
  await projects.refresh();
  // Other processes on the same PostgreSQL database may make projects: look for them every few seconds.
  if (database.kind === 'postgres') projects.watch(PROJECT_WATCH_MS);
  let app: Awaited<ReturnType<typeof buildServer>> | null = null;
  let started: () => void = () => {};
  waymark.startingUntil(new Promise<void>((resolve) => (started = resolve)));
  try {
    app = role !== 'worker' ? await buildServer(projects, { logRequests: options.log === true, rateLimit: rateLimitOf(options) }) : await buildHealthServer(projects, { logRequests: options.log === true });
    try {
      await app.listen({ port: listenPort, host: options.host });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new CliError(`port ${listenPort} on ${options.host} is already in use; choose another with --port`);
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new CliError(`cannot listen on host ${options.host}: ${code}`);
      throw error;
    }
    // Keys are made only once the port is ours: keys printed by a server that then failed to listen would be
    // shown once and lost. Until they exist, /ready answers "starting" (and any other request but /health is refused).
    if (role !== 'worker') {
      // Several api processes may start at once on an empty PostgreSQL database: one makes the keys and
      // the examples, the others then find them.
      await store.exclusively('startup', async () => {
        const keys = await ensureApiKeys(waymark.store, seedKeys());
        if (keys.admin || keys.write) printNewKeys(keys);
        for (const example of examples) {
          if (await waymark.store.getJourney(example.id)) {
            process.stdout.write(`example journey ${example.id} exists already; left as it is\n`);
            continue;
          }
          await waymark.journeys.create({ id: example.id, definition: example.definition, ...(example.layout ? { layout: example.layout } : {}) });
          const version = await waymark.journeys.publish(example.id);
          process.stdout.write(`example journey ${example.id} created from ${example.file} and published (version ${version.version})\n`);
        }
      });
    }
    started();
  } catch (error) {
    await app?.close().catch(() => {});
    await projects.close().catch(() => {});
    throw error;
  }
  const address = app.server.address();
  const shown = address && typeof address === 'object' ? `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}` : String(address);
  const what = { all: 'role all: API and workers', api: 'role api: HTTP API; timers and sends by workers', worker: 'role worker: timers and sends; serves /health and /ready only' }[role];
  const retention = options.eventRetention === undefined ? '' : `; events kept ${options.eventRetention / 86_400_000} days`;
  // Signals are handled before the line that says the server is up: whoever waits for it may stop it at once.
  onShutdown(app, projects, { drainMs: options.drainMs ?? 0, deadlineMs: options.shutdownMs ?? DEFAULT_SHUTDOWN_MS }, logger);
  const { isDashboardBuilt } = await import('../../api/dashboard.ts');
  process.stdout.write(`Waymark listening on ${shown} (${what}; ${storeLocation(store)}${retention}); Ctrl-C to stop\n`);
  const { loadWalBatch } = await import('../../store/sqlite/wal-batch.ts');
  if (database.kind === 'sqlite' && !loadWalBatch()) {
    const why = process.env.WAYMARK_WAL_BATCH === 'off' ? 'WAYMARK_WAL_BATCH=off' : 'native/build/wal_batch.so is not built; `npm run build` with a C compiler builds it';
    process.stdout.write(`Note: the SQLite log is written two calls a page (${why}): a cart costs the engine about 15% more CPU\n`);
  }
  if (role !== 'worker') {
    process.stdout.write(isDashboardBuilt() ? `Dashboard: ${shown}/ (sign in as admin)\n` : 'Dashboard: not built; run "npm run build:web" and restart to serve it at /\n');
  }
}

function portFromEnv(): number {
  const value = process.env.PORT;
  if (value === undefined || value === '') return 3000;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new CliError(`PORT=${value} is not a port number`);
  return n;
}

function seedKeys(): { admin?: string; write?: string } {
  const seed: { admin?: string; write?: string } = {};
  if (process.env.WAYMARK_ADMIN_KEY) seed.admin = process.env.WAYMARK_ADMIN_KEY;
  if (process.env.WAYMARK_WRITE_KEY) seed.write = process.env.WAYMARK_WRITE_KEY;
  return seed;
}

function printNewKeys(keys: { admin?: string; write?: string }): void {
  const show = (kind: 'admin' | 'write', env: string) => {
    const value = keys[kind];
    if (value === undefined) return '';
    return process.env[env] === value ? `  ${kind} key: (the value of ${env})\n` : `  ${kind} key: ${value}\n`;
  };
  process.stdout.write(
    '\nAPI keys created for this database. They are stored only as hashes: copy them now, they will not be shown again.\n' +
      show('admin', 'WAYMARK_ADMIN_KEY') +
      show('write', 'WAYMARK_WRITE_KEY') +
      '  The admin key manages journeys and reads data; the write key only sends events and profiles.\n' +
      '  For the CLI: export WAYMARK_ADMIN_KEY=<admin key> WAYMARK_WRITE_KEY=<write key>\n\n',
  );
}

/**
 * Graceful shutdown on SIGTERM or SIGINT: /ready answers 503 at once (and for --drain-ms the process keeps
 * serving), then the listener stops accepting and waits for requests under way, queued events are
 * committed, the engine's timer and dispatch work under way finishes, and the store closes; exit 0. A
 * timer batch or outbox lease never outlives the process: what is not committed rolls back and is claimed
 * again by another worker. A second signal exits at once, and so does a shutdown still unfinished after
 * --shutdown-ms (exit 1, naming the step it waited on): stopping then is as safe as a crash, and a process
 * that never ends would hold its port, its file lock and whoever waits for it. A request whose body never
 * finishes arriving would otherwise hold it for Node's request timeout, five minutes.
 */
function onShutdown(
  app: { close(): Promise<unknown> },
  projects: { main: Waymark<EngineHandle>; close(): Promise<void> },
  { drainMs, deadlineMs }: { drainMs: number; deadlineMs: number },
  logger: Logger,
): void {
  let closing = false;
  const stop = (signal: NodeJS.Signals) => {
    if (closing) {
      process.stderr.write(`waymark: ${signal} again, exiting at once\n`);
      process.exit(1);
    }
    closing = true;
    projects.main.drain();
    process.stdout.write(`${signal}: stopping (finishing requests and queued work)...\n`);
    let step = 'draining';
    setTimeout(() => {
      process.stderr.write(`waymark: shutdown still ${step} after ${deadlineMs} ms; exiting without finishing it\n`);
      process.exit(1);
    }, drainMs + deadlineMs).unref();
    void (async () => {
      try {
        if (drainMs > 0) await new Promise((resolve) => setTimeout(resolve, drainMs));
        step = 'waiting for requests under way';
        await app.close();
        step = 'stopping the engine and closing the stores';
        await projects.close();
        process.stdout.write('stopped\n');
        process.exit(0);
      } catch (error) {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      }
    })();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
