/**
 * One import: reads the file's records, sends them to the API in batches with a progress bar, keeps the
 * progress after each batch the server took (checkpoint.ts), and stops at the first refused record or batch
 * with its line number and how to go on.
 */
import { FileError } from '../../sim/lines.ts';
import { LineError } from '../../sim/records.ts';
import { CliError } from '../errors.ts';
import { HttpError } from '../http.ts';
import { megabytes, progressBar, thousands } from '../progress.ts';
import { clearProgress, readProgress, saveProgress, type Progress } from './checkpoint.ts';
import { openRecords, type ImportFormat, type ImportRecord } from './read-records.ts';

export interface ImportJob<T> {
  kind: Progress['kind'];
  file: string;
  format: ImportFormat;
  batch: number;
  /** Start after the last line a previous, failed run of this import had sent. */
  resume: boolean;
  /** A record as the API's item, or null to pass over it; a LineError for a bad one. */
  toItem(record: ImportRecord): T | null;
  /** Sends one batch; `duplicates` are items the server already had. */
  send(items: T[]): Promise<{ accepted: number; duplicates: number }>;
}

export interface ImportSummary {
  sent: number;
  accepted: number;
  duplicates: number;
  /** Lines passed over because a previous run had sent them (--resume). */
  resumedAfter: number;
  seconds: number;
}

export async function runImport<T>(job: ImportJob<T>): Promise<ImportSummary> {
  const noun = job.kind;
  const previous = job.resume ? readProgress(job.file, job.kind) : null;
  if (job.resume && previous === null) process.stderr.write(`waymark: no progress kept for ${job.file}: importing it from the top\n`);
  const after = previous?.line ?? 0;
  const records = await openRecords(job.file, job.format, `${noun} file`);
  const began = performance.now();
  let sent = 0;
  let accepted = 0;
  let duplicates = 0;
  let lastSentLine = after;
  let progressKept = true;
  const bar = progressBar(`importing |{bar}| {percentage}% | {read}/{size} MB | {sent} ${noun}`, records.size, { read: '0.0', size: megabytes(records.size), sent: 0 });

  const stopped = (message: string, problems?: ConstructorParameters<typeof CliError>[1]) => {
    const before = (previous?.sent ?? 0) + sent;
    const note =
      before === 0
        ? ' (nothing was sent)'
        : progressKept
          ? ` (${thousands(before)} ${noun} before it were sent; fix it and run the same command with --resume to go on after line ${lastSentLine})`
          : ` (${thousands(before)} ${noun} before it were sent; fix it and import again: ${noun === 'events' ? 'they will count as duplicates' : 'their traits are set again'})`;
    return new CliError(`${message}${note}`, problems);
  };

  let batch: T[] = [];
  let lineNumbers: number[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    let result: { accepted: number; duplicates: number };
    try {
      result = await job.send(batch);
    } catch (error) {
      if (error instanceof HttpError && error.problems.length > 0) {
        // Point at the file's lines rather than at positions in the request.
        const problems = error.problems.map((p) => {
          const m = /^\/batch\/(\d+)(.*)$/.exec(p.path);
          const n = m ? lineNumbers[Number(m[1])] : undefined;
          return n === undefined ? p : { path: `line ${n}${m![2] ? ` ${m![2]}` : ''}`, message: p.message };
        });
        const tooMany = /more than (\d+) items/.exec(error.problems.find((p) => p.path === '/batch')?.message ?? '');
        const hint = tooMany ? `; use --batch ${tooMany[1]} or less` : '';
        throw stopped(`the server refused a batch of ${batch.length} ${noun} (lines ${lineNumbers[0]}-${lineNumbers[lineNumbers.length - 1]}): ${error.message}${hint}`, problems);
      }
      if (error instanceof CliError) throw stopped(error.message, error.problems);
      throw error;
    }
    sent += batch.length;
    accepted += result.accepted;
    duplicates += result.duplicates;
    lastSentLine = lineNumbers[lineNumbers.length - 1]!;
    batch = [];
    lineNumbers = [];
    if (progressKept && !saveProgress(job.file, { kind: job.kind, line: lastSentLine, sent: (previous?.sent ?? 0) + sent })) {
      progressKept = false;
      process.stderr.write(`waymark: cannot keep the import's progress beside ${job.file}; it goes on, but cannot be resumed\n`);
    }
  };

  try {
    for await (const chunk of records) {
      for (const record of chunk) {
        if (record.n <= after) continue;
        const item = job.toItem(record);
        if (item === null) continue;
        batch.push(item);
        lineNumbers.push(record.n);
        if (batch.length >= job.batch) {
          await flush();
          bar.update(records.bytesRead, { read: megabytes(records.bytesRead), sent });
        }
      }
    }
    await flush();
  } catch (error) {
    if (error instanceof LineError || error instanceof FileError) throw stopped(`${job.file}: ${error.message}`);
    throw error;
  } finally {
    bar.stop();
  }
  clearProgress(job.file);
  return { sent, accepted, duplicates, resumedAfter: after, seconds: (performance.now() - began) / 1000 };
}

/** The closing line of an import. */
export function summaryLine(file: string, noun: string, s: ImportSummary, counts: string): string {
  const resumed = s.resumedAfter > 0 ? `, resumed after line ${s.resumedAfter}` : '';
  return `imported ${file}${resumed}: ${counts} in ${s.seconds.toFixed(1)} s (${thousands(s.sent / Math.max(s.seconds, 1e-3))} ${noun}/s)\n`;
}
