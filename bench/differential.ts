/**
 * The long soak of the differential tests (test/differential): many more random cases than `npm test` runs.
 *
 *   node --import tsx bench/differential.ts [--runs N] [--seed K] [--path P] [--postgres]
 *
 * Default 100000 cases through the engine one event at a time, in group-commit batches and `simulate`, on
 * SQLite. --postgres compares one event at a time on SQLite with PostgreSQL instead (WAYMARK_TEST_DATABASE_URL,
 * one schema emptied between cases, dropped at the end). A disagreement prints the shrunk case with its seed
 * and path, and the exit code is 1; replay it with the same --seed and --path (or the test file's variables).
 */
import { parseArgs } from 'node:util';
import { dropPostgres, type Driver } from '../test/differential/drivers.ts';
import { checkProperty, emptyTally } from '../test/differential/property.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '100000' }, seed: { type: 'string' }, path: { type: 'string' }, postgres: { type: 'boolean', default: false } },
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
