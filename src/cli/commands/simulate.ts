/** `waymark simulate`: a journey over recorded events on a virtual clock, through the real engine and store. */
import type { Command } from 'commander';
import type { SimulationResult } from '../../sim/simulate.ts';
import { isoInstant, positiveInt } from '../options.ts';
import { megabytes, progressBar, thousands } from '../progress.ts';

const FORMATS = {
  profiles: 'profiles |{bar}| {percentage}% | {read}/{size} MB | {profiles} profiles',
  events: 'events   |{bar}| {percentage}% | {read}/{size} MB | {events} events | {time}',
  timers: 'timers   | {timers} timers fired | {time}',
  output: 'writing the output files...',
};

interface SimulateOptions {
  journey: string;
  journeyId?: string;
  settings?: string;
  profiles?: string;
  events: string;
  start?: string;
  until?: string;
  with?: string[];
  out: string;
  db?: string;
  threads?: number;
  json?: boolean;
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description(
      'run a journey over an event file on a virtual clock, with the same engine and SQLite store as the server, and write ' +
        'OUT/messages.ndjson (sent, in sentAt order), OUT/skipped.ndjson and OUT/stats.json (as GET /v1/journeys/:id/stats answers). Events are read in arrival order: one that happened before an earlier line arrives at that line’s time, as on the live server',
    )
    .requiredOption('--journey <file>', 'journey definition (JSON); its id is the file name unless --journey-id')
    .option('--journey-id <id>', 'journey id to simulate under')
    .option('--with <file>', 'another journey to run alongside (repeatable), e.g. the one whose node triggers this one', (file: string, all: string[] = []) => [...all, file])
    .option('--settings <file>', 'project settings JSON, as PUT /v1/settings takes them (time zone, frequency caps), so caps can be backtested')
    .option('--profiles <file>', 'profiles NDJSON: {userId, ...traits} or {userId, traits: {...}}')
    .requiredOption('--events <file>', 'events NDJSON: {at, userId, event, properties} (at = ms after --start) or {userId, event, properties, timestamp, messageId?}')
    .option('--start <iso>', 'what workload "at" offsets count from (default 2026-01-01T00:00:00Z)', isoInstant)
    .option('--until <iso>', 'run scheduled entries (segment, date property) up to this moment (default: the last event)', isoInstant)
    .requiredOption('--out <dir>', 'output directory, created if missing')
    .option('--db <file>', 'keep the simulation database in this new file (default: a temporary file in --out, deleted at the end)')
    .option('--threads <n>', 'threads to run on, each with a share of the users; the results are the same on any number (default: 1 for an events file under 8 MB, else one a core, at most 4; --db needs 1)', positiveInt('--threads', 64))
    .option('--json', 'print the result as JSON instead of the summary line')
    .action((options: SimulateOptions) => run(options));
}

async function run(options: SimulateOptions): Promise<void> {
  let bar: ReturnType<typeof progressBar> | null = null;
  let phase = '';
  let result: SimulationResult;
  const { simulate } = await import('../../sim/simulate.ts');
  // Ctrl-C stops the run cleanly: the temporary database is removed before exiting.
  const abort = new AbortController();
  const interrupt = () => abort.abort();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    result = await simulate({
      journey: options.journey,
      events: options.events,
      out: options.out,
      ...(options.journeyId !== undefined ? { journeyId: options.journeyId } : {}),
      ...(options.with !== undefined ? { with: options.with } : {}),
      ...(options.settings !== undefined ? { settings: options.settings } : {}),
      ...(options.profiles !== undefined ? { profiles: options.profiles } : {}),
      ...(options.start !== undefined ? { start: options.start } : {}),
      ...(options.until !== undefined ? { until: options.until } : {}),
      ...(options.db !== undefined ? { db: options.db } : {}),
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      signal: abort.signal,
      onProgress: (p) => {
        const payload = {
          read: megabytes(p.bytesRead),
          size: megabytes(p.bytesTotal),
          profiles: thousands(p.profiles),
          events: thousands(p.events),
          timers: thousands(p.timersFired),
          time: `virtual ${new Date(p.virtualTime).toISOString()}`,
        };
        if (p.phase !== phase) {
          bar?.stop();
          phase = p.phase;
          bar = progressBar(FORMATS[p.phase], p.phase === 'profiles' || p.phase === 'events' ? p.bytesTotal : 1, payload);
        }
        bar?.update(p.phase === 'profiles' || p.phase === 'events' ? p.bytesRead : 0, payload);
      },
    });
  } finally {
    (bar as ReturnType<typeof progressBar> | null)?.stop();
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const channels = Object.entries(result.sent)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([channel, n]) => `${channel} ${thousands(n)}`)
    .join(', ');
  const seconds = result.wallMs / 1000;
  process.stdout.write(
    `simulated ${result.journeyId}: ${thousands(result.users)} users, ${thousands(result.events)} events` +
      `${result.duplicates > 0 ? ` (${thousands(result.duplicates)} duplicates)` : ''}; ` +
      `sent ${thousands(result.sentTotal)} messages (${channels || 'none'}), ${thousands(result.skipped)} skipped; ` +
      `virtual ${result.startTime} to ${result.endTime}; ${seconds.toFixed(1)} s wall on ${result.threads} thread${result.threads > 1 ? 's' : ''}, ${thousands(result.eventsPerSecond)} events/s\n` +
      `wrote ${result.files.messages}, ${result.files.skipped}, ${result.files.stats}${result.files.db ? ` and kept the database ${result.files.db}` : ''}\n`,
  );
}
