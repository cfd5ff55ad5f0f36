/** `waymark events import`: stream an NDJSON file of events to a running server, in batches. */
import type { Command } from 'commander';
import { openLines } from '../../sim/lines.ts';
import { LineError, parseEventLine, parseInstant, toApiEvent } from '../../sim/records.ts';
import { CliError } from '../errors.ts';
import { DEFAULT_URL, HttpError, writeClient, type ConnectionOptions } from '../http.ts';
import { isoInstant, positiveInt } from '../options.ts';
import { megabytes, progressBar, thousands } from '../progress.ts';

interface ImportOptions extends ConnectionOptions {
  batch: number;
  start?: string;
}

export function registerEventCommands(program: Command): void {
  const events = program.command('events').description('send events to a running server');
  events
    .command('import')
    .description(
      'stream an NDJSON file of events to POST /v1/events in batches. Lines are {userId, event, properties, timestamp, messageId} ' +
        'or workload lines {at, userId, event, properties} with --start; a line without timestamp (or at) is stamped by the server ' +
        'when it arrives, as the API does; a line without messageId gets one derived from its line number and content, so ' +
        'importing the same file again is deduplicated',
    )
    .argument('<file>', 'events, one JSON object per line')
    .option('--url <url>', `Waymark API address (env WAYMARK_URL, default ${DEFAULT_URL})`)
    .option('--key <key>', 'write API key (env WAYMARK_WRITE_KEY, else WAYMARK_ADMIN_KEY)')
    .option('--batch <n>', 'events per request', positiveInt('--batch', 10_000), 500)
    .option('--start <iso>', 'time that workload "at" offsets count from, e.g. 2026-01-01T00:00:00Z', isoInstant)
    .action((file: string, options: ImportOptions) => importEvents(file, options));
}

async function importEvents(file: string, options: ImportOptions): Promise<void> {
  const api = writeClient(options);
  const lines = await openLines(file, 'events file');
  const start = options.start === undefined ? null : parseInstant(options.start, '--start');
  const began = performance.now();
  let sent = 0;
  let accepted = 0;
  let duplicates = 0;
  const bar = progressBar('importing |{bar}| {percentage}% | {read}/{size} MB | {sent} events', lines.size, { read: '0.0', size: megabytes(lines.size), sent: 0 });

  let batch: ReturnType<typeof toApiEvent>[] = [];
  let lineNumbers: number[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    let result: { accepted: number; duplicates: number };
    try {
      result = await api.request<{ accepted: number; duplicates: number }>('POST', '/v1/events', { batch });
    } catch (error) {
      // Point at the file's lines rather than at positions in the request.
      if (error instanceof HttpError && error.problems.length > 0) {
        const problems = error.problems.map((p) => {
          const m = /^\/batch\/(\d+)(.*)$/.exec(p.path);
          const n = m ? lineNumbers[Number(m[1])] : undefined;
          return n === undefined ? p : { path: `line ${n}${m![2] ? ` ${m![2]}` : ''}`, message: p.message };
        });
        const tooMany = /more than (\d+) items/.exec(error.problems.find((p) => p.path === '/batch')?.message ?? '');
        const hint = tooMany ? `; use --batch ${tooMany[1]} or less` : '';
        throw new CliError(`the server refused a batch of ${batch.length} events (lines ${lineNumbers[0]}-${lineNumbers[lineNumbers.length - 1]}): ${error.message}${hint}${sentNote(sent)}`, problems);
      }
      if (error instanceof CliError) throw new CliError(`${error.message}${sentNote(sent)}`, error.problems);
      throw error;
    }
    sent += batch.length;
    accepted += result.accepted;
    duplicates += result.duplicates;
    batch = [];
    lineNumbers = [];
  };

  try {
    for await (const chunk of lines) {
      for (const line of chunk) {
        let parsed;
        try {
          parsed = parseEventLine(line.text, line.n, start ?? 0, true);
        } catch (error) {
          if (error instanceof LineError) throw new CliError(`${file}: ${error.message}${sentNote(sent)}`);
          throw error;
        }
        if (parsed === null) continue;
        if (parsed.form === 'workload' && start === null) throw new CliError(`${file}: line ${line.n}: a workload line ("at" offset) needs --start to place it in time${sentNote(sent)}`);
        batch.push(toApiEvent(parsed.event, parsed.form !== 'untimed'));
        lineNumbers.push(line.n);
        if (batch.length >= options.batch) {
          await flush();
          bar.update(lines.bytesRead, { read: megabytes(lines.bytesRead), sent });
        }
      }
    }
    await flush();
  } finally {
    bar.stop();
  }
  const seconds = (performance.now() - began) / 1000;
  process.stdout.write(
    `imported ${file}: ${thousands(sent)} events sent, ${thousands(accepted)} accepted, ${thousands(duplicates)} duplicates in ${seconds.toFixed(1)} s (${thousands(sent / Math.max(seconds, 1e-3))} events/s)\n`,
  );
}

function sentNote(sent: number): string {
  return sent === 0
    ? ' (nothing was sent)'
    : ` (${sent} events before it were sent; fix that line in place and import again: they will count as duplicates)`;
}
