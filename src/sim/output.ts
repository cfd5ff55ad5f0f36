/**
 * simulate's output files, written as the run decides its messages: the store hands over each unit's messages
 * once it has committed (SqliteOptions.onMessages), and the sent ones go to messages.ndjson in sentAt order,
 * the skipped ones to skipped.ndjson in the order decided. A run on several threads merges its threads' files
 * into one (merge.ts).
 *
 * Writing them as they come, rather than storing each in SQLite (about 10 µs, its key at a random place) to read
 * them all back sorted at the end, is what a simulation's store without messages is for: a million users took
 * 68.1-76.3 s against 77.1-96.8 s, alternated, and each users' thread a sixth less CPU (bench/RESULTS.md).
 *
 * Sent messages mostly come in time order, but not always: a batch of events decides its sends at the events'
 * times, and a timer of a user outside the batch, due between them, fires with the next batch at its own,
 * earlier, time. A send before the last one written starts a new run of the file, and at the end the runs are
 * merged by time (ties: the earlier run's first, which is the order decided). A run is a file, so memory stays
 * flat however the sends come; FAN_IN runs are merged at a time.
 */
import { closeSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { NewMessage } from '../store/store.ts';
import { mergeByTime } from './merge.ts';

/** Bytes of output gathered before each write. */
const OUTPUT_CHUNK = 1 << 20;
/** Runs merged at a time: each holds a read buffer of 1 MB while merging. */
const FAN_IN = 32;

/** What a message log held: sent messages by channel, and how many were skipped and failed. */
export interface Written {
  sent: Record<string, number>;
  skipped: number;
  failed: number;
}

/** The files a run writes its message log to. */
export interface OutputFiles {
  messages: string;
  skipped: string;
}

export class MessageOutput {
  private readonly sent: Record<string, number> = {};
  private skippedCount = 0;
  private failed = 0;
  /** The runs of the sent file written so far, the last one open. */
  private readonly runs: string[] = [];
  private run: LineWriter;
  private lastSentAt = -Infinity;
  private readonly skipped: LineWriter;
  private readonly times = new IsoTimes();

  constructor(private readonly files: OutputFiles) {
    this.run = this.nextRun();
    this.skipped = new LineWriter(partial(files.skipped));
  }

  /** A unit's messages, in the order decided (the store's onMessages). */
  take(messages: readonly NewMessage[]): void {
    for (const m of messages) {
      if (m.status === 'sent') this.writeSent(m);
      else if (m.status === 'skipped') {
        this.skippedCount += 1;
        this.skipped.write(JSON.stringify({ userId: m.userId, channel: m.channel, nodeId: m.nodeId, at: this.times.iso(m.createdAt), reason: m.reason }));
      } else if (m.status === 'failed') this.failed += 1;
    }
  }

  /** Closes the files, merges the runs of the sent one, and says what was written. */
  async finish(): Promise<Written> {
    this.run.close();
    this.skipped.close();
    renameSync(partial(this.files.skipped), this.files.skipped);
    let runs = this.runs;
    let round = 0;
    while (runs.length > 1) {
      const merged: string[] = [];
      for (let i = 0; i < runs.length; i += FAN_IN) {
        const group = runs.slice(i, i + FAN_IN);
        const target = `${this.files.messages}.merge-${round}-${merged.length}`;
        await mergeByTime(group, target, 'sentAt');
        for (const file of group) rmSync(file, { force: true });
        merged.push(target);
      }
      runs = merged;
      round += 1;
    }
    renameSync(runs[0]!, this.files.messages);
    this.runs.length = 0;
    return { sent: sortKeys(this.sent), skipped: this.skippedCount, failed: this.failed };
  }

  /** Removes what a run that did not finish wrote. */
  discard(): void {
    this.run.close();
    this.skipped.close();
    removeUnfinished(this.files);
  }

  private writeSent(m: NewMessage): void {
    this.sent[m.channel] = (this.sent[m.channel] ?? 0) + 1;
    const at = m.sentAt!;
    if (at < this.lastSentAt) {
      this.run.close();
      this.run = this.nextRun();
    }
    this.lastSentAt = at;
    // Spelled out, rather than JSON.stringify of an object, so the keys come in this order whatever the message.
    const content = m.content === null ? 'null' : JSON.stringify(m.content);
    this.run.write(`{"userId":${JSON.stringify(m.userId)},"channel":${JSON.stringify(m.channel)},"nodeId":${JSON.stringify(m.nodeId)},"sentAt":"${this.times.iso(at)}","journeyId":${JSON.stringify(m.journeyId)},"content":${content}}`);
  }

  private nextRun(): LineWriter {
    const file = `${this.files.messages}.run-${this.runs.length}`;
    this.runs.push(file);
    return new LineWriter(file);
  }
}

/** The counts of several logs (the threads' shares of one run) as one. */
export function addWritten(parts: readonly Written[]): Written {
  const sent: Record<string, number> = {};
  for (const part of parts) for (const [channel, n] of Object.entries(part.sent)) sent[channel] = (sent[channel] ?? 0) + n;
  return { sent: sortKeys(sent), skipped: parts.reduce((n, p) => n + p.skipped, 0), failed: parts.reduce((n, p) => n + p.failed, 0) };
}

/** Where a file is written until it is complete. */
const partial = (file: string) => `${file}.partial`;

/**
 * Removes the files a MessageOutput writes before its output files are complete (the runs, their merges, the
 * partial file), whoever wrote them: a thread that failed leaves them for the thread that started it.
 */
export function removeUnfinished(files: OutputFiles): void {
  for (const file of [files.messages, files.skipped]) {
    const dir = dirname(file);
    const name = basename(file);
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue; // no directory, nothing left in it
    }
    for (const entry of entries) if (/^\.(partial|run-\d+|merge-\d+-\d+)$/.test(entry.slice(name.length)) && entry.startsWith(name)) rmSync(join(dir, entry), { force: true });
  }
}

/**
 * A file written a line at a time, each encoded into a buffer of OUTPUT_CHUNK bytes written when full. close()
 * writes what is left; twice is once. Lines gathered in a string instead (`text += line`) cost 1.0-1.4 s a
 * million lines of a send's length to join and encode, this 0.15-0.23 s (measured alone).
 */
class LineWriter {
  private fd: number | null;
  private readonly buffer = Buffer.allocUnsafe(OUTPUT_CHUNK);
  private filled = 0;

  constructor(file: string) {
    this.fd = openSync(file, 'w');
  }

  write(line: string): void {
    // At most 3 bytes a UTF-16 unit; a line that may not fit in an empty buffer is written by itself.
    const most = line.length * 3 + 1;
    if (this.filled + most > OUTPUT_CHUNK) this.flush();
    if (most > OUTPUT_CHUNK) {
      writeAll(this.fd!, Buffer.from(`${line}\n`));
      return;
    }
    this.filled += this.buffer.write(line, this.filled);
    this.buffer[this.filled++] = NEWLINE;
  }

  close(): void {
    const fd = this.fd;
    if (fd === null) return;
    try {
      this.flush();
    } finally {
      this.fd = null;
      closeSync(fd);
    }
  }

  private flush(): void {
    const filled = this.filled;
    this.filled = 0;
    writeAll(this.fd!, this.buffer.subarray(0, filled));
  }
}

const NEWLINE = 0x0a;

function writeAll(fd: number, bytes: Buffer): void {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
}

/**
 * Times as toISOString writes them, the part up to the minute made once a minute: sends come mostly in time
 * order, and a Date each cost 0.45 µs, this 0.04 (measured alone). test/sim/message-output.test.ts holds it to
 * toISOString across boundaries and over the whole range a Date has.
 */
export class IsoTimes {
  private minute = NaN;
  private prefix = '';

  iso(ms: number): string {
    const minute = Math.floor(ms / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.prefix = new Date(minute * 60_000).toISOString().slice(0, -7); // without "ss.mmmZ"
    }
    const inMinute = ms - minute * 60_000;
    const seconds = Math.floor(inMinute / 1_000);
    const millis = inMinute - seconds * 1_000;
    return `${this.prefix}${seconds < 10 ? '0' : ''}${seconds}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
  }
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

