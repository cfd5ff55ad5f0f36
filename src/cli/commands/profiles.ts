/** `waymark profiles import`: stream an NDJSON or CSV file of profiles to a running server, in batches. */
import type { Command } from 'commander';
import { Option } from 'commander';
import { parseProfileRecord } from '../../sim/records.ts';
import { DEFAULT_URL, writeClient, type ConnectionOptions } from '../http.ts';
import { csvValue, formatOf, IMPORT_FORMATS, type ImportFormat } from '../import/read-records.ts';
import { runImport, summaryLine } from '../import/upload.ts';
import { positiveInt } from '../options.ts';
import { thousands } from '../progress.ts';

interface ImportOptions extends ConnectionOptions {
  batch: number;
  format?: ImportFormat;
  resume?: boolean;
}

export function registerProfileCommands(program: Command): void {
  const profiles = program.command('profiles').description('send profiles to a running server');
  profiles
    .command('import')
    .description(
      'stream a file of profiles to POST /v1/profiles in batches, with a progress bar. NDJSON lines are {userId, ...traits} or ' +
        '{userId, traits: {...}}; a CSV file has a header row with userId, every other column being a trait (an empty cell leaves ' +
        'the trait as it is). Traits are merged into the stored ones. After a failure, --resume goes on after the last line the server took',
    )
    .argument('<file>', 'profiles: NDJSON, or CSV (by the .csv extension, or --format)')
    .option('--url <url>', `Waymark API address (env WAYMARK_URL, default ${DEFAULT_URL})`)
    .option('--key <key>', 'write API key (env WAYMARK_WRITE_KEY, else WAYMARK_ADMIN_KEY)')
    .option('--batch <n>', 'profiles per request', positiveInt('--batch', 10_000), 500)
    .addOption(new Option('--format <format>', 'the file format (default: csv for a .csv file, else ndjson)').choices(IMPORT_FORMATS))
    .option('--resume', 'go on after the last line a failed import of this file had sent')
    .action((file: string, options: ImportOptions) => importProfiles(file, options));
}

async function importProfiles(file: string, options: ImportOptions): Promise<void> {
  const api = writeClient(options);
  const summary = await runImport({
    kind: 'profiles',
    file,
    format: formatOf(file, options.format),
    batch: options.batch,
    resume: options.resume === true,
    toItem(record) {
      if (record.object === null) return null;
      const object = record.csv ? Object.fromEntries(Object.entries(record.object).map(([k, v]) => [k, k === 'userId' ? v : csvValue(v as string)])) : record.object;
      return parseProfileRecord(object, record.n);
    },
    send: async (batch) => {
      const result = await api.request<{ updated: number }>('POST', '/v1/profiles', { batch });
      return { accepted: result.updated, duplicates: 0 };
    },
  });
  process.stdout.write(summaryLine(file, 'profiles', summary, `${thousands(summary.sent)} profiles sent`));
}
