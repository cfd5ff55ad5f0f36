/**
 * The long soak of the differential tests (test/differential): many more random cases than `npm test` runs.
 *
 *   node --import tsx bench/differential.ts [--runs N] [--seed K] [--path P] [--postgres] [--jobs J]
 *
 * Default 100000 cases through the engine one event at a time, in group-commit batches and `simulate`, on
 * SQLite. --postgres compares one event at a time on SQLite with PostgreSQL instead (WAYMARK_TEST_DATABASE_URL,
 * one schema emptied between cases, dropped at the end). A disagreement prints the shrunk case with its seed
 * and path, and the exit code is 1; replay it with the same --seed and --path (or the test file's variables).
 * --jobs J splits the cases over J processes, one a core (a case is single-threaded): job k runs its share with
 * seed K + k and prefixes its lines with [k]; the first disagreement stops the others.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { dropPostgres, type Driver } from '../test/differential/drivers.ts';
import { checkProperty, emptyTally } from '../test/differential/property.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100000' },
    seed: { type: 'string' },
    path: { type: 'string' },
    postgres: { type: 'boolean', default: false },
    jobs: { type: 'string', default: '1' },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`differential: --runs must be a positive whole number, not ${JSON.stringify(values.runs)}`);
  process.exit(2);
}
const seed = values.seed === undefined ? Date.now() ^ (Math.random() * 0x100000000) : Number(values.seed);
if (!Number.isInteger(seed)) {
  console.error(`differential: --seed must be a whole number, not ${JSON.stringify(values.seed)}`);
  process.exit(2);
}
const jobs = Number(values.jobs);
if (!Number.isInteger(jobs) || jobs < 1 || jobs > runs) {
  console.error(`differential: --jobs must be a whole number from 1 to --runs, not ${JSON.stringify(values.jobs)}`);
  process.exit(2);
}
if (jobs > 1 && values.path !== undefined) {
  console.error('differential: --path replays one case, in one process: leave out --jobs');
  process.exit(2);
}
if (jobs > 1) process.exit(await inParallel(jobs));

const drivers: Driver[] = values.postgres ? ['one-by-one', 'postgres'] : ['one-by-one', 'batches', 'simulate'];
const tally = emptyTally();
const started = performance.now();
let done = 0;
console.log(`differential: ${runs} cases, seed ${seed}, ${drivers.join(' / ')}`);
try {
  await checkProperty({
    drivers,
    runs,
    seed,
    path: values.path,
    tally,
    onCase() {
      if (++done % 1000 !== 0) return;
      const s = (performance.now() - started) / 1000;
      console.log(`  ${done} cases in ${s.toFixed(0)} s (${(done / s).toFixed(1)}/s), simulate in ${tally.simulated}, messages ${JSON.stringify(tally.messages)}`);
    },
  });
  console.log(`differential: ${runs} cases agree in ${((performance.now() - started) / 1000).toFixed(0)} s; ${JSON.stringify(tally)}`);
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await dropPostgres().catch(() => {});
}
// The PostgreSQL fixture keeps an admin pool for dropping schemas; nothing else is left to wait for.
process.exit(process.exitCode ?? 0);

/** Runs the cases as `jobs` child processes of this script; the exit code is 1 when any disagreed. */
async function inParallel(jobs: number): Promise<number> {
  const started = performance.now();
  console.log(`differential: ${runs} cases in ${jobs} jobs, seeds ${seed} to ${seed + jobs - 1}`);
  const children: ChildProcess[] = [];
  const outcomes = Array.from({ length: jobs }, (_, k) => {
    const share = Math.floor(runs / jobs) + (k < runs % jobs ? 1 : 0);
    const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--runs', String(share), '--seed', String(seed + k), ...(values.postgres ? ['--postgres'] : [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    for (const stream of [child.stdout!, child.stderr!]) {
      let rest = '';
      stream.setEncoding('utf8').on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop()!;
        for (const line of lines) (stream === child.stderr ? console.error : console.log)(`[${k}] ${line}`);
      });
    }
    return new Promise<number>((resolve) =>
      child.on('exit', (code) => {
        // A disagreement: the others' cases no longer decide the outcome, so free their cores.
        if (code !== 0) for (const other of children) if (other !== child && other.exitCode === null) other.kill();
        resolve(code ?? 1);
      }),
    );
  });
  const codes = await Promise.all(outcomes);
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  if (codes.every((c) => c === 0)) {
    console.log(`differential: ${runs} cases in ${jobs} jobs agree in ${seconds} s`);
    return 0;
  }
  console.error(`differential: job(s) ${codes.flatMap((c, k) => (c === 0 ? [] : [k])).join(', ')} failed after ${seconds} s (each job's own report is above, with its seed)`);
  return 1;
}
