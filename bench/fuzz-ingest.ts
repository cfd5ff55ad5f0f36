/**
 * The long run of the ingestion fuzz test (test/api/fuzz-ingest.ts): many hostile requests, valid ones
 * interleaved, to every ingestion endpoint of a real server on loopback, several clients at once.
 *
 *   node --import tsx bench/fuzz-ingest.ts [--count N] [--seed K] [--clients C] [--postgres]
 *
 * Default 10000 requests on a fresh SQLite file (--postgres: a fresh schema of WAYMARK_TEST_DATABASE_URL,
 * dropped at the end). Prints the answers by status and every problem (a 5xx or no answer, a valid request
 * refused or not stored, anything stored of a refused one); the exit code is 1 when there is one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ensureApiKeys } from '../src/api/keys.ts';
import { buildServer } from '../src/api/server.ts';
import { openWaymark } from '../src/app/waymark.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { fuzzStream, problemsOf, sendAll } from '../test/api/fuzz-ingest.ts';

const { values } = parseArgs({ options: { count: { type: 'string', default: '10000' }, seed: { type: 'string' }, clients: { type: 'string', default: '8' }, postgres: { type: 'boolean', default: false } } });
const count = Number(values.count);
const clients = Number(values.clients);
const seed = values.seed === undefined ? Date.now() % 1_000_000_007 : Number(values.seed);
if (![count, clients, seed].every((n) => Number.isInteger(n) && n > 0)) {
  process.stderr.write('fuzz-ingest: --count, --clients and --seed must be positive whole numbers\n');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'waymark-fuzz-'));
const schema = `fuzz_${process.pid}`;
const url = process.env.WAYMARK_TEST_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const database = values.postgres ? await PostgresStore.open(url, { schema }) : join(dir, 'waymark.db');
const waymark = await openWaymark({ database, realtime: true });
const keys = await ensureApiKeys(waymark.store);
const server = await buildServer(waymark, {});
const address = await server.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`fuzz-ingest: ${count} requests, seed ${seed}, ${clients} clients, ${values.postgres ? 'PostgreSQL' : 'SQLite'}\n`);
const started = performance.now();
const answers = await sendAll(address, keys.write!, fuzzStream(count, seed), clients, (done) => {
  if (done % 1000 === 0) process.stdout.write(`  ${done} answered in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
});
const byStatus: Record<number, number> = {};
for (const a of answers) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
const problems = await problemsOf(answers, waymark.store);
const ready = await fetch(`${address}/ready`);
process.stdout.write(`answers by status: ${JSON.stringify(byStatus)}; /ready afterwards: ${ready.status}; ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
for (const p of problems) process.stdout.write(`problem: ${p}\n`);
process.stdout.write(problems.length === 0 && ready.status === 200 ? 'fuzz-ingest: no problem\n' : `fuzz-ingest: ${problems.length} problems (replay with --seed ${seed})\n`);
await server.close();
await waymark.close();
if (values.postgres) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}
rmSync(dir, { recursive: true, force: true });
process.exitCode = problems.length === 0 && ready.status === 200 ? 0 : 1;
