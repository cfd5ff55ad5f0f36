/**
 * `waymark backup <file>`: a consistent copy of the embedded SQLite database, taken while the server runs
 * (store/sqlite/backup.ts); of a database split into shards, a copy of each file, all as of one moment.
 * PostgreSQL has its own tools: pg_dump. Restore: stop the server and put the copy
 * in place of the database file (docs/operations.md).
 */
import type { Command } from 'commander';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { shardFiles } from '../../store/shards/shard-files.ts';
import { CliError } from '../errors.ts';
import { megabytes, progressBar, type Progress } from '../progress.ts';
import { chooseDatabase } from './serve.ts';

interface BackupOptions {
  db?: string;
  database?: string;
}

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description("copy the embedded SQLite database to <file>, consistently, while the server runs (PostgreSQL: use pg_dump)")
    .argument('<file>', 'where to write the copy (must not exist)')
    .option('--db <file>', 'the SQLite database file (default: as serve, DATABASE_URL or ./data/waymark.db)')
    .option('--database <url>', 'as serve; a postgres:// URL is refused with how to use pg_dump')
    .action((file: string, options: BackupOptions) => backup(file, options));
}

async function backup(file: string, options: BackupOptions): Promise<void> {
  const database = chooseDatabase(options);
  if (database.kind === 'postgres') {
    throw new CliError(
      `backup copies the embedded SQLite file; ${database.shown} is PostgreSQL: use its own tools, e.g. ` +
        `pg_dump --format=custom --file=waymark.dump "$DATABASE_URL" (restore with pg_restore --clean --dbname "$DATABASE_URL" waymark.dump)`,
    );
  }
  const source = database.file;
  const target = resolve(file);
  if (!existsSync(source)) throw new CliError(`no database at ${source}: give its file with --db`);
  if (target === source) throw new CliError('the copy must be another file than the database');
  if (existsSync(target)) throw new CliError(`${target} exists already: choose another name, or remove it first`);
  const folder = dirname(target);
  try {
    if (!statSync(folder).isDirectory()) throw new Error('not a directory');
    accessSync(folder, constants.W_OK);
  } catch (error) {
    throw new CliError(`cannot write the copy to ${folder}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }

  const { backupSqlite, backupShards, shardsOf } = await import('../../store/sqlite/backup.ts');
  // A database split into shards is its files, copied as of one moment, each beside the copy as the server keeps
  // them beside the database (store/shards/shard-files.ts).
  const shards = shardsOf(source);
  const sources = shardFiles(source, shards);
  const targets = shardFiles(target, shards);
  for (const [i, copy] of targets.entries()) {
    if (i > 0 && existsSync(copy)) throw new CliError(`${copy} exists already (the copy of shard ${i}): choose another name, or remove it first`);
    if (i > 0 && !existsSync(sources[i]!)) throw new CliError(`${source} is split into ${shards} shards, but ${sources[i]} is missing`);
  }
  const shown: { bar: Progress | null } = { bar: null }; // made at the first step of a large file
  try {
    const progress = ({ totalBytes, copiedBytes }: { totalBytes: number; copiedBytes: number }) => {
      shown.bar ??= progressBar('backing up {bar} {percentage}% of {total} MB', totalBytes, { total: megabytes(totalBytes) });
      shown.bar.update(copiedBytes);
    };
    const { bytes } = shards > 1 ? await backupShards(sources, targets, progress) : await backupSqlite(source, target, progress);
    shown.bar?.stop();
    const also = shards > 1 ? ` and its ${shards - 1} shard file${shards > 2 ? 's' : ''} beside it` : '';
    process.stdout.write(`backed up ${source} to ${target}${also} (${megabytes(bytes)} MB)\n`);
  } catch (error) {
    shown.bar?.stop();
    throw new CliError(`the backup to ${target} failed: ${(error as Error).message}`);
  }
}
