/** `waymark serve`: the engine, the HTTP API and the embedded SQLite store in one process. */
import type { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Waymark } from '../../app/waymark.ts';
import { journeyIdFromFile, readJourney } from '../../sim/journey-file.ts';
import { CliError } from '../errors.ts';
import { port } from '../options.ts';

interface ServeOptions {
  db: string;
  port?: number;
  host: string;
  example?: string[];
  log?: boolean;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run Waymark: engine, HTTP API and the embedded SQLite store')
    .option('--db <file>', 'SQLite database file, created if missing', './data/waymark.db')
    .option('--port <n>', 'port to listen on (env PORT, default 3000)', port)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--example <file...>', 'create and publish these journey files unless a journey with that id exists (id from the file name)')
    .option('--log', 'log every request (JSON lines on stdout)')
    .action((options: ServeOptions) => serve(options));
}

async function serve(options: ServeOptions): Promise<void> {
  const listenPort = options.port ?? portFromEnv();
  const dbFile = resolve(options.db);
  // Read the example journeys first: a typo in a path should fail before anything is created.
  const examples = [];
  for (const file of options.example ?? []) examples.push({ file, id: journeyIdFromFile(file), ...(await readJourney(file)) });
  mkdirSync(dirname(dbFile), { recursive: true });

  // Loaded here, not at the top: the rest of the CLI starts faster without the server's dependencies.
  const [{ openWaymark }, { buildServer }, { ensureApiKeys }] = await Promise.all([
    import('../../app/waymark.ts'),
    import('../../api/server.ts'),
    import('../../api/keys.ts'),
  ]);
  const waymark = await openWaymark({ database: dbFile });
  let app: Awaited<ReturnType<typeof buildServer>> | null = null;
  try {
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
    app = await buildServer(waymark, { logger: options.log === true });
    try {
      await app.listen({ port: listenPort, host: options.host });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new CliError(`port ${listenPort} on ${options.host} is already in use; choose another with --port`);
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new CliError(`cannot listen on host ${options.host}: ${code}`);
      throw error;
    }
  } catch (error) {
    await app?.close().catch(() => {});
    await waymark.close().catch(() => {});
    throw error;
  }
  const address = app.server.address();
  const shown = address && typeof address === 'object' ? `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}` : String(address);
  process.stdout.write(`Waymark listening on ${shown} (database ${dbFile}); Ctrl-C to stop\n`);
  onShutdown(app, waymark);
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

function onShutdown(app: { close(): Promise<unknown> }, waymark: Waymark): void {
  let closing = false;
  const stop = (signal: NodeJS.Signals) => {
    if (closing) {
      process.stderr.write(`waymark: ${signal} again, exiting at once\n`);
      process.exit(1);
    }
    closing = true;
    process.stdout.write(`${signal}: stopping (finishing requests and queued work)...\n`);
    void (async () => {
      try {
        await app.close();
        await waymark.close();
        process.stdout.write('stopped\n');
        process.exit(0);
      } catch (error) {
        process.stderr.write(`waymark: shutdown failed: ${(error as Error).message}\n`);
        process.exit(1);
      }
    })();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
