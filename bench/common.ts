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
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const known = new Set(['--users', '--span-ms', '--window-ms', '--delay-ms', '--seed', '--workload', '--batch-ms', '--settle-ms', '--out']);
  for (const a of argv) if (a.startsWith('--') && !known.has(a)) throw new Error(`unknown option ${a}`);
  const workload = get('--workload');
  return {
    ...parseWorkloadArgs(argv),
    ...(workload ? { workload } : {}),
    batchMs: Number(get('--batch-ms') ?? 10),
    settleMs: Number(get('--settle-ms') ?? 10_000),
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
