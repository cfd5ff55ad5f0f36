/**
 * Differential tests: random journeys and event streams (test/differential/arbitraries.ts) run through the
 * engine one event at a time, the engine in group-commit batches, `simulate`, and the engine on PostgreSQL,
 * which must all send, skip and count exactly alike. Many cheap SQLite cases, fewer PostgreSQL ones (a fresh
 * schema per case costs tens of milliseconds). A failure prints the shrunk case and its replay line;
 * WAYMARK_DIFF_SEED, WAYMARK_DIFF_PATH and WAYMARK_DIFF_RUNS replay it (docs/testing.md).
 */
import { test } from 'node:test';
import { withPostgres } from '../store/postgres-fixture.ts';
import { checkProperty, replayFromEnv } from './property.ts';

const SQLITE_RUNS = 900;
const POSTGRES_RUNS = 120;

test(`one event at a time, group-commit batches and simulate agree (SQLite, ${SQLITE_RUNS} random cases)`, { timeout: 300_000 }, async () => {
  await checkProperty({ drivers: ['one-by-one', 'batches', 'simulate'], ...replayFromEnv(SQLITE_RUNS) });
});

await withPostgres('differential on PostgreSQL', () => {
  test(`one event at a time on SQLite and on PostgreSQL agree (${POSTGRES_RUNS} random cases)`, { timeout: 300_000 }, async () => {
    await checkProperty({ drivers: ['one-by-one', 'postgres'], ...replayFromEnv(POSTGRES_RUNS) });
  });
});
