/** What `events import` and `profiles import` share on the command line: the file, the server, batches, format, resume. */
import { Option, type Command } from 'commander';
import { DEFAULT_URL, type ConnectionOptions } from '../http.ts';
import { positiveInt } from '../options.ts';
import { formatOf, IMPORT_FORMATS, type ImportFormat } from './read-records.ts';
import type { ImportJob } from './upload.ts';

export interface ImportOptions extends ConnectionOptions {
  batch: number;
  format?: ImportFormat;
  resume?: boolean;
}

/** `<group> import <file>` with the shared options; the caller adds its own and the action. */
export function importCommand(group: Command, noun: ImportJob<unknown>['kind'], description: string): Command {
  return group
    .command('import')
    .description(description)
    .argument('<file>', `${noun}: NDJSON, or CSV (by the .csv extension, or --format)`)
    .option('--url <url>', `Waymark API address (env WAYMARK_URL, default ${DEFAULT_URL})`)
    .option('--key <key>', 'write API key (env WAYMARK_WRITE_KEY, else WAYMARK_ADMIN_KEY)')
    .option('--batch <n>', `${noun} per request`, positiveInt('--batch', 10_000), 500)
    .addOption(new Option('--format <format>', 'the file format (default: csv for a .csv file, else ndjson)').choices(IMPORT_FORMATS))
    .option('--resume', 'go on after the last line a failed import of this file had sent');
}

/** The parts of an import job the command line decides. */
export function jobOf(file: string, options: ImportOptions): Pick<ImportJob<unknown>, 'file' | 'format' | 'batch' | 'resume'> {
  return { file, format: formatOf(file, options.format), batch: options.batch, resume: options.resume === true };
}
