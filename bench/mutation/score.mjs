// Sums the per-file mutation reports under bench/mutation/out (bench/mutation/by-file.sh) into one table: the
// figures bench/RESULTS.md records. Score = (killed + timed out) / (all mutants that ran or had no test).
import { readdirSync, readFileSync } from 'node:fs';

const dir = 'bench/mutation/out';
const rows = [];
for (const report of readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.incremental.json'))) {
  const { files } = JSON.parse(readFileSync(`${dir}/${report}`, 'utf8'));
  for (const [file, { mutants }] of Object.entries(files)) {
    const count = (status) => mutants.filter((m) => m.status === status).length;
    rows.push({ file, total: mutants.length, killed: count('Killed'), timeout: count('Timeout'), survived: count('Survived'), noCoverage: count('NoCoverage'), errors: count('RuntimeError') + count('CompileError') });
  }
}
const byFile = new Map(rows.map((row) => [row.file, row])); // a file tested alone and in a whole-core run: the later report wins
const score = (r) => (r.total - r.errors === 0 ? 100 : (100 * (r.killed + r.timeout)) / (r.total - r.errors));
const sum = { file: 'all', total: 0, killed: 0, timeout: 0, survived: 0, noCoverage: 0, errors: 0 };
console.log('| file | mutants | killed | timed out | survived | no coverage | score |\n| --- | --- | --- | --- | --- | --- | --- |');
for (const row of [...byFile.values()].sort((a, b) => a.file.localeCompare(b.file))) {
  for (const key of ['total', 'killed', 'timeout', 'survived', 'noCoverage', 'errors']) sum[key] += row[key];
  console.log(`| ${row.file} | ${row.total} | ${row.killed} | ${row.timeout} | ${row.survived} | ${row.noCoverage} | ${score(row).toFixed(1)}% |`);
}
console.log(`| **all** | ${sum.total} | ${sum.killed} | ${sum.timeout} | ${sum.survived} | ${sum.noCoverage} | **${score(sum).toFixed(2)}%** |`);
