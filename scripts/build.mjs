#!/usr/bin/env node
// `npm run build [-- OUTDIR]`: compile src/ to OUTDIR (default dist/) with tsconfig.build.json, then copy the
// SQL migrations beside the compiled stores, which find them through import.meta.url, and build the SQLite log
// shim (scripts/build-native.mjs). OUTDIR is emptied
// first: a module or migration deleted from src/ must not live on in the build (a stale migration would run).
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = resolve(process.argv[2] ?? join(root, 'dist'));
const src = join(root, 'src');

let tsc;
try {
  tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
} catch {
  console.error('build: TypeScript is not installed; run `npm install` (it is a devDependency)');
  process.exit(1);
}

rmSync(outDir, { recursive: true, force: true });
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', outDir], { stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

let copied = 0;
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.sql')) continue;
  const from = join(entry.parentPath, entry.name);
  cpSync(from, join(outDir, relative(src, from)));
  copied++;
}
// The SQLite log shim (native/wal-batch.c) lives outside OUTDIR: src/ and dist/ load it from the same place.
spawnSync(process.execPath, [join(root, 'scripts', 'build-native.mjs')], { stdio: 'inherit' });
const shown = relative(process.cwd(), outDir);
console.log(`build: compiled src/ to ${shown && !shown.startsWith('..') ? shown : outDir}, with ${copied} SQL migrations`);
