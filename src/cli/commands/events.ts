/** `waymark events import`: stream an NDJSON or CSV file of events to a running server, in batches. */
import type { Command } from 'commander';
import { LineError, parseEventRecord, parseInstant, toApiEvent } from '../../sim/records.ts';
import { writeClient } from '../http.ts';
import { importCommand, jobOf, type ImportOptions } from '../import/command.ts';
import { csvValue, type ImportRecord } from '../import/read-records.ts';
import { runImport, summaryLine } from '../import/upload.ts';
import { isoInstant } from '../options.ts';
import { thousands } from '../progress.ts';

interface EventImportOptions extends ImportOptions {
  start?: string;
}

/** The columns of an events CSV that are the event's own; every other column is a property. */
const EVENT_COLUMNS = new Set(['userId', 'event', 'name', 'timestamp', 'at', 'messageId']);

export function registerEventCommands(program: Command): void {
  const events = program.command('events').description('send events to a running server');
  importCommand(
    events,
    'events',
    'stream a file of events to POST /v1/events in batches, with a progress bar. NDJSON lines are {userId, event, properties, timestamp, messageId} ' +
      'or workload lines {at, userId, event, properties} with --start; a CSV file has a header row with userId, event, and optionally timestamp, ' +
      'at and messageId, every other column being a property. An event without timestamp (or at) is stamped by the server when it arrives, ' +
      'as the API does; one without messageId gets one derived from its line number and content, so importing the same file again is ' +
      'deduplicated. After a failure, --resume goes on after the last line the server took',
  )
    .option('--start <iso>', 'time that workload "at" offsets count from, e.g. 2026-01-01T00:00:00Z', isoInstant)
    .action((file: string, options: EventImportOptions) => importEvents(file, options));
}

async function importEvents(file: string, options: EventImportOptions): Promise<void> {
  const api = writeClient(options);
  const start = options.start === undefined ? null : parseInstant(options.start, '--start');
  const summary = await runImport({
    kind: 'events',
    ...jobOf(file, options),
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
