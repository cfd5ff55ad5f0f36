/** What the benchmark modes share: arguments, the workload on disk, reading NDJSON. */
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { generateWorkload, parseWorkloadArgs, type WorkloadParams } from './workload.ts';

export interface BenchArgs extends WorkloadParams {
  /** A workload made elsewhere; otherwise one is generated from the parameters (and kept for reuse). */
  workload?: string;
  /** How often the replayer flushes its batch, like an SDK's flush interval. */
  batchMs: number;
  /** How long to wait past the last due time for stragglers. */
  settleMs: number;
  /** A postgres:// URL: run on PostgreSQL, in a fresh schema dropped afterwards; otherwise a fresh SQLite file. */
  database?: string;
  /** 0: one `serve` process (role all). N >= 1 (PostgreSQL only): one `--role api` process and N `--role worker` processes. */
  workers: number;
  /** PostgreSQL: ANALYZE the schema's tables this often (default 5000; 0: leave it to autovacuum). See cluster.ts. */
  analyzeMs: number;
  /** Extra `waymark serve` options for every server process (--timer-batch N, --poll-ms N). */
  serveArgs: string[];
  /** simulate: threads to run on (default: simulate's own). */
  threads?: number;
  /**
   * The events' messageIds: 'sequential' (bench-0, bench-1, ...: each index keyed by them is written at one end)
   * or 'random' (a UUID v4 each, as Segment's and RudderStack's SDKs send them).
   */
  messageIds: 'sequential' | 'random';
  /**
   * SQLite: N independent servers, each with a file of its own, the users split between them by a hash of their
   * id: what sharding the engine by user gave on this machine before it was built (bench/RESULTS.md; before
   * 2026-12-08 this was --shards).
   */
  servers: number;
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const known = new Set(['--users', '--span-ms', '--window-ms', '--delay-ms', '--seed', '--workload', '--batch-ms', '--settle-ms', '--out', '--database', '--workers', '--analyze-ms', '--timer-batch', '--poll-ms', '--no-engine-thread', '--threads', '--message-ids', '--servers', '--shards']);
  for (const a of argv) if (a.startsWith('--') && !known.has(a)) throw new Error(`unknown option ${a}`);
  const workload = get('--workload');
  const database = get('--database');
  if (database !== undefined && !/^postgres(ql)?:\/\//.test(database)) throw new Error('--database must be a postgres:// URL (the default is a fresh SQLite file)');
  const workers = Number(get('--workers') ?? 0);
  if (!Number.isInteger(workers) || workers < 0 || workers > 64) throw new Error('--workers must be a whole number from 0 to 64');
  if (workers > 0 && database === undefined) throw new Error('--workers needs --database postgres://...: SQLite runs in one process');
  const threads = get('--threads') === undefined ? undefined : Number(get('--threads'));
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= 64)) throw new Error('--threads must be a whole number from 1 to 64');
  const servers = Number(get('--servers') ?? 1);
  if (!Number.isInteger(servers) || servers < 1 || servers > 16) throw new Error('--servers must be a whole number from 1 to 16');
  if (servers > 1 && database !== undefined) throw new Error('--servers is for SQLite: PostgreSQL shares one database (use --workers)');
  if (get('--shards') !== undefined && database !== undefined) throw new Error('--shards is for SQLite (waymark serve --shards)');
  const messageIds = get('--message-ids') ?? 'sequential';
  if (messageIds !== 'sequential' && messageIds !== 'random') throw new Error('--message-ids must be sequential or random');
  return {
    ...(threads !== undefined ? { threads } : {}),
    messageIds,
    servers,
    ...parseWorkloadArgs(argv),
    ...(workload ? { workload } : {}),
    batchMs: Number(get('--batch-ms') ?? 10),
    settleMs: Number(get('--settle-ms') ?? 10_000),
    ...(database !== undefined ? { database } : {}),
    workers,
    analyzeMs: Number(get('--analyze-ms') ?? 0),
    serveArgs: [
      // --shards N: one server with its users split among N files, an engine thread each (waymark serve --shards).
      ...['--timer-batch', '--poll-ms', '--shards'].flatMap((flag) => (get(flag) === undefined ? [] : [flag, get(flag)!])),
      // The one-thread layout, to compare it with the engine's own thread on the same build.
      ...(argv.includes('--no-engine-thread') ? ['--no-engine-thread'] : []),
    ],
  };
}

const WORKLOADS = new URL('./workloads/', import.meta.url).pathname;

export async function ensureWorkload(args: BenchArgs): Promise<string> {
  if (args.workload) {
    if (!existsSync(join(args.workload, 'expected.json'))) throw new Error(`${args.workload}: no expected.json; is it a cart workload directory?`);
    return args.workload;
  }
  const dir = join(WORKLOADS, `cart-${args.users}u-${args.spanMs}s-${args.windowMs}w-${args.delayMs}d-seed${args.seed}`);
  if (!existsSync(join(dir, 'expected.json'))) {
    process.stderr.write(`generating workload in ${dir}\n`);
    const { users, spanMs, windowMs, delayMs, seed } = args;
    generateWorkload({ users, spanMs, windowMs, delayMs, seed }, dir);
  }
  return dir;
}

export async function* readLines(file: string): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim() !== '') yield line;
}
