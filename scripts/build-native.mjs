#!/usr/bin/env node
// Compiles native/wal-batch.c, the SQLite VFS shim that writes a commit's log frames in a few calls, not two a frame,
// and syncs a database file when asked (src/store/sqlite/wal-batch.ts), into native/build/, against the headers of
// the SQLite that better-sqlite3 builds. Where no C compiler is found, or it fails, it says so and stops without
// failing the build: files are then opened as before, only slower (test/store/wal-batch.test.ts fails on Linux, so
// CI does not lose it unseen).
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const headers = join(dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json')), 'deps', 'sqlite3');
const out = join(root, 'native', 'build');
mkdirSync(out, { recursive: true });
const target = join(out, 'wal_batch.so');
// Compiled beside it, then renamed into place: a process loading it meanwhile (tests build while others run)
// gets the old file or the new one, never half of one.
const fresh = `${target}.${process.pid}`;
const compiler = process.env.CC ?? 'cc';
const args = ['-O2', '-Wall', '-Wextra', '-shared', '-fPIC', '-I', headers, '-o', fresh, join(root, 'native', 'wal-batch.c')];
const built = process.platform === 'win32' ? null : spawnSync(compiler, args, { stdio: 'inherit' });
if (built === null) console.warn('build: the SQLite log shim (native/wal-batch.c) is built on Unix only; the log is written two calls a frame');
else if (built.error || built.status !== 0) {
  rmSync(fresh, { force: true });
  rmSync(target, { force: true }); // no stale shim outlives a failed compile of a newer source
  console.warn(`build: could not compile native/wal-batch.c with ${compiler} (${built.error?.message ?? `exit ${built.status}`}); the log is written two calls a frame`);
} else {
  renameSync(fresh, target);
  console.log('build: compiled native/wal-batch.c to native/build/wal_batch.so');
}
