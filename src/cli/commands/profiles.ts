/** `waymark profiles import`: stream an NDJSON or CSV file of profiles to a running server, in batches. */
import type { Command } from 'commander';
import { parseProfileRecord } from '../../sim/records.ts';
import { writeClient } from '../http.ts';
import { importCommand, jobOf, type ImportOptions } from '../import/command.ts';
import { csvValue } from '../import/read-records.ts';
import { runImport, summaryLine } from '../import/upload.ts';
import { thousands } from '../progress.ts';

export function registerProfileCommands(program: Command): void {
  const profiles = program.command('profiles').description('send profiles to a running server');
  importCommand(
    profiles,
    'profiles',
    'stream a file of profiles to POST /v1/profiles in batches, with a progress bar. NDJSON lines are {userId, ...traits} or ' +
      '{userId, traits: {...}}; a CSV file has a header row with userId, every other column being a trait (an empty cell leaves ' +
      'the trait as it is). Traits are merged into the stored ones. After a failure, --resume goes on after the last line the server took',
  ).action((file: string, options: ImportOptions) => importProfiles(file, options));
}

async function importProfiles(file: string, options: ImportOptions): Promise<void> {
  const api = writeClient(options);
  const summary = await runImport({
    kind: 'profiles',
    ...jobOf(file, options),
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
