/** `waymark events import`: stream an NDJSON or CSV file of events to a running server, in batches. */
import type { Command } from 'commander';
import { Option } from 'commander';
import { LineError, parseEventRecord, parseInstant, toApiEvent } from '../../sim/records.ts';
import { DEFAULT_URL, writeClient, type ConnectionOptions } from '../http.ts';
import { csvValue, formatOf, IMPORT_FORMATS, type ImportFormat, type ImportRecord } from '../import/read-records.ts';
import { runImport, summaryLine } from '../import/upload.ts';
import { isoInstant, positiveInt } from '../options.ts';
import { thousands } from '../progress.ts';

interface ImportOptions extends ConnectionOptions {
  batch: number;
  start?: string;
  format?: ImportFormat;
  resume?: boolean;
}

/** The columns of an events CSV that are the event's own; every other column is a property. */
const EVENT_COLUMNS = new Set(['userId', 'event', 'name', 'timestamp', 'at', 'messageId']);

export function registerEventCommands(program: Command): void {
  const events = program.command('events').description('send events to a running server');
  events
    .command('import')
    .description(
      'stream a file of events to POST /v1/events in batches, with a progress bar. NDJSON lines are {userId, event, properties, timestamp, messageId} ' +
        'or workload lines {at, userId, event, properties} with --start; a CSV file has a header row with userId, event, and optionally timestamp, ' +
        'at and messageId, every other column being a property. An event without timestamp (or at) is stamped by the server when it arrives, ' +
        'as the API does; one without messageId gets one derived from its line number and content, so importing the same file again is ' +
        'deduplicated. After a failure, --resume goes on after the last line the server took',
    )
    .argument('<file>', 'events: NDJSON, or CSV (by the .csv extension, or --format)')
    .option('--url <url>', `Waymark API address (env WAYMARK_URL, default ${DEFAULT_URL})`)
    .option('--key <key>', 'write API key (env WAYMARK_WRITE_KEY, else WAYMARK_ADMIN_KEY)')
    .option('--batch <n>', 'events per request', positiveInt('--batch', 10_000), 500)
    .option('--start <iso>', 'time that workload "at" offsets count from, e.g. 2026-01-01T00:00:00Z', isoInstant)
    .addOption(new Option('--format <format>', 'the file format (default: csv for a .csv file, else ndjson)').choices(IMPORT_FORMATS))
    .option('--resume', 'go on after the last line a failed import of this file had sent')
    .action((file: string, options: ImportOptions) => importEvents(file, options));
}

async function importEvents(file: string, options: ImportOptions): Promise<void> {
  const api = writeClient(options);
  const start = options.start === undefined ? null : parseInstant(options.start, '--start');
  const summary = await runImport({
    kind: 'events',
    file,
    format: formatOf(file, options.format),
    batch: options.batch,
    resume: options.resume === true,
    toItem(record) {
      if (record.object === null) return null;
      const parsed = parseEventRecord(record.csv ? eventOfRow(record) : record.object, record.text, record.n, start ?? 0, true);
      if (parsed.form === 'workload' && start === null) throw new LineError(record.n, 'a workload line ("at" offset) needs --start to place it in time');
      return toApiEvent(parsed.event, parsed.form !== 'untimed');
    },
    send: (batch) => api.request<{ accepted: number; duplicates: number }>('POST', '/v1/events', { batch }),
  });
  process.stdout.write(summaryLine(file, 'events', summary, `${thousands(summary.sent)} events sent, ${thousands(summary.accepted)} accepted, ${thousands(summary.duplicates)} duplicates`));
}

/** A CSV row as the NDJSON object it stands for: the event's own columns, the rest properties. */
function eventOfRow({ object }: ImportRecord): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const event: Record<string, unknown> = { properties };
  for (const [column, cell] of Object.entries(object!)) {
    if (!EVENT_COLUMNS.has(column)) properties[column] = csvValue(cell as string);
    // `at` is milliseconds, and so is a timestamp written as digits (else ISO 8601, read as text).
    else event[column] = column === 'at' || (column === 'timestamp' && /^-?\d+$/.test(cell as string)) ? Number(cell) : cell;
  }
  return event;
}
