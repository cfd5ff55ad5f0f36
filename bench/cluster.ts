/**
 * The Waymark processes a benchmark runs against: one `serve` on a fresh SQLite file, or on PostgreSQL (a
 * fresh schema, dropped afterwards) one `serve` (role all) or one `--role api` process plus N
 * `--role worker` processes. Also the CPU the PostgreSQL server spends meanwhile.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { processTreeUsage } from './proc.ts';

const ROOT = new URL('..', import.meta.url).pathname;

export interface ClusterOptions {
  /** postgres:// URL, or undefined for a SQLite file in `dataDir`. */
  database?: string;
  /** 0: one process with role all; N: one api process and N workers (PostgreSQL). */
  workers: number;
  dataDir: string;
  env: Record<string, string>;
  /** Extra `serve` arguments for every process. */
  serveArgs?: string[];
  /**
   * PostgreSQL: run ANALYZE on the schema's tables this often (0: never). A fresh schema has no column
   * statistics until autovacuum first looks at it (autovacuum_naptime, a minute by default); until then the
   * planner misjudges `user_id = ANY($1)` over a batch's users and scans whole tables. This stands in for
   * autovacuum on a long-running database, where statistics are current. See bench/RESULTS.md.
   */
  analyzeMs?: number;
}

export interface Cluster {
  /** The HTTP API. */
  base: string;
  /** e.g. "SQLite, 1 process (role all)" or "PostgreSQL, 1 api + 4 workers". */
  label: string;
  schema: string | null;
  /**
   * CPU seconds so far: Waymark processes by role, the PostgreSQL server (every `postgres` process), and the
   * whole machine (busy time of all cores, so other load on the machine shows).
   */
  cpu(): { byRole: Record<string, number>; database: number | null; machine: number };
  peakRssMb(): number;
  /** The servers' resident set now (the largest of them). */
  rssMb(): number;
  /** The largest private resident set now (less the mapped database file). */
  anonMb(): number;
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const bin = join(ROOT, 'bin/waymark.mjs');
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const children: Array<{ role: string; child: ChildProcess }> = [];
  let schema: string | null = null;
  let where: string[];
  if (options.database) {
    schema = `wm_bench_${randomBytes(5).toString('hex')}`;
    const url = new URL(options.database);
    url.searchParams.set('schema', schema);
    where = ['--database', url.toString()];
  } else {
    where = ['--db', join(options.dataDir, 'bench.db')];
  }
  // The PostgreSQL roles run with the young generation docker-compose.yml gives them (a 64 MB semi-space).
  const node = options.database ? ['--max-semi-space-size=64'] : [];
  const spawnServe = (role: string, port: number) => {
    const child = spawn(process.execPath, [...node, ...profile, bin, 'serve', ...where, '--role', role, '--port', String(port), ...(options.serveArgs ?? [])], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push({ role, child });
    return child;
  };
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let analyzer: NodeJS.Timeout | null = null;
  let analyzing: Promise<unknown> = Promise.resolve();
  const stop = async () => {
    if (analyzer) clearInterval(analyzer);
    await analyzing;
    await Promise.all(
      children.map(({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
        child.kill('SIGTERM');
        return new Promise((resolve) => child.once('exit', resolve));
      }),
    );
    if (schema && options.database) {
      const client = new pg.Client({ connectionString: options.database });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  };
  try {
    if (options.workers === 0) {
      await waitReady(base, spawnServe('all', port));
    } else {
      // The api process first: it creates the keys; workers need none.
      await waitReady(base, spawnServe('api', port));
      const workers = [];
      for (let i = 0; i < options.workers; i++) {
        const workerPort = await freePort();
        workers.push(waitReady(`http://127.0.0.1:${workerPort}`, spawnServe('worker', workerPort)));
      }
      await Promise.all(workers);
    }
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
  if (schema && options.database && (options.analyzeMs ?? 0) > 0) {
    const tables = ['instances', 'events', 'profiles', 'messages'].map((t) => `"${schema}".${t}`).join(', ');
    const analyze = async () => {
      const client = new pg.Client({ connectionString: options.database });
      await client.connect();
      try {
        await client.query(`ANALYZE ${tables}`);
      } finally {
        await client.end();
      }
    };
    analyzer = setInterval(() => {
      analyzing = analyzing.then(analyze).catch((error) => process.stderr.write(`bench: ANALYZE failed: ${(error as Error).message}\n`));
    }, options.analyzeMs);
  }
  const usages = children.map(({ role, child }) => ({ role, usage: processTreeUsage(child.pid!) }));
  const store = options.database ? 'PostgreSQL' : 'SQLite';
  const label = options.workers === 0 ? `${store}, 1 process (role all)` : `${store}, 1 api + ${options.workers} worker${options.workers === 1 ? '' : 's'}`;
  return {
    base,
    label,
    schema,
    cpu() {
      const byRole: Record<string, number> = {};
      for (const { role, usage } of usages) byRole[role] = (byRole[role] ?? 0) + usage.cpuSeconds();
      return { byRole, database: options.database ? postgresCpuSeconds() : null, machine: machineBusySeconds() };
    },
    peakRssMb: () => Math.max(...usages.map(({ usage }) => usage.peakRssMb())),
    rssMb: () => Math.max(...usages.map(({ usage }) => usage.rssMb())),
    anonMb: () => Math.max(...usages.map(({ usage }) => usage.anonMb())),
    stop,
  };
}

async function waitReady(base: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${base} did not become ready within 60 s`);
}

/** CPU seconds of every process named `postgres` on this machine (the local server and its backends). */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (name !== 'postgres' && !name.startsWith('postgres:')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100; // own + waited-for children
    } catch {
      // ended while we looked
    }
  }
  return total;
}

/** Busy CPU seconds of the whole machine since boot, all cores (from /proc/stat: everything but idle and iowait). */
export function machineBusySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return (user! + nice! + system! + irq! + softirq! + steal!) / 100;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
