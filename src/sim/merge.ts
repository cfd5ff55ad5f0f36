/**
 * A run on several threads ends with each thread's output file in time order; mergeByTime makes them one.
 *
 * It works on the files' bytes: a line is found, its time compared and the line copied out without ever being
 * decoded to a string or encoded again. Lines as strings cost 4.0-4.4 µs each (a million-user run writes
 * 1,650,000 lines: about 7 s on one core while the other waits); as bytes, see bench/RESULTS.md.
 */
import { open, type FileHandle } from 'node:fs/promises';

/** Bytes read from a part, and written to the target, at a time. */
const CHUNK = 1 << 20;
const NEWLINE = 0x0a;

/**
 * Merges NDJSON files, each in order of the time in its field `field` (an ISO 8601 string, as the output
 * writes it), into `target` in that order; on equal times the earlier file's line first. Streams: a chunk of
 * each file in memory at a time (more for a line longer than a chunk).
 *
 * The time is found without parsing the line: `"field":"` is the first match, since the fields before it are
 * JSON strings, in which a quote is escaped.
 */
export async function mergeByTime(sources: readonly string[], target: string, field: 'sentAt' | 'at'): Promise<void> {
  const marker = Buffer.from(`"${field}":"`);
  const parts: Part[] = [];
  const out = await open(target, 'w');
  try {
    for (const file of sources) parts.push(new Part(await open(file, 'r'), marker));
    for (const part of parts) await part.advance();
    const writer = new Writer(out);
    for (;;) {
      let next: Part | null = null;
      for (const part of parts) if (part.hasLine && (next === null || part.isBefore(next))) next = part;
      if (next === null) break;
      // Both steps are synchronous but for a chunk's read or write: a promise a line would cost as much again.
      if (!writer.add(next.buffer, next.lineStart, next.lineEnd)) await writer.write(next.buffer, next.lineStart, next.lineEnd);
      if (!next.step()) await next.advance();
    }
    await writer.flush();
  } finally {
    await Promise.all(parts.map((p) => p.close()));
    await out.close();
  }
}

/** One file's current line (its bytes and its time's bytes), read a chunk ahead. */
class Part {
  buffer = Buffer.allocUnsafe(CHUNK);
  hasLine = false;
  lineStart = 0;
  /** Just past the line's newline, so a copy of the line is a line of the target. */
  lineEnd = 0;
  private timeStart = 0;
  private timeEnd = 0;
  /** Bytes of `buffer` that hold data, and where the next line starts. */
  private filled = 0;
  private next = 0;
  private ended = false;

  constructor(
    private readonly file: FileHandle,
    private readonly marker: Buffer,
  ) {}

  /** Moves to the next line read already; false when there is none (then advance). */
  step(): boolean {
    for (;;) {
      const newline = this.buffer.indexOf(NEWLINE, this.next);
      if (newline === -1 || newline >= this.filled) return false;
      const start = this.next;
      this.next = newline + 1;
      if (newline === start) continue; // a blank line
      this.take(start, newline + 1);
      return true;
    }
  }

  /** Moves to the next line, reading as needed; `hasLine` false at the end of the file. */
  async advance(): Promise<void> {
    for (;;) {
      if (this.step()) return;
      if (this.ended) {
        // A last line without a newline: the target gets one all the same.
        if (this.next < this.filled) {
          this.ensureRoom(1);
          this.buffer[this.filled] = NEWLINE;
          const start = this.next;
          this.next = this.filled = this.filled + 1;
          this.take(start, this.filled);
        } else {
          this.hasLine = false;
        }
        return;
      }
      await this.read();
    }
  }

  /** Whether this line's time is before `other`'s. */
  isBefore(other: Part): boolean {
    const a = this.timeEnd - this.timeStart;
    const b = other.timeEnd - other.timeStart;
    // Years 0 to 9999, as toISOString writes them, have 24 characters and compare as bytes; other years (a sign
    // and six digits) are parsed.
    if (a === 24 && b === 24) return this.buffer.compare(other.buffer, other.timeStart, other.timeEnd, this.timeStart, this.timeEnd) < 0;
    return this.time() < other.time();
  }

  close(): Promise<void> {
    return this.file.close();
  }

  private time(): number {
    return Date.parse(this.buffer.toString('latin1', this.timeStart, this.timeEnd));
  }

  private take(start: number, end: number): void {
    const at = this.buffer.indexOf(this.marker, start);
    if (at === -1 || at >= end) throw new Error(`an output part has a line without its time: ${this.buffer.toString('utf8', start, Math.min(end, start + 200))}`);
    this.timeStart = at + this.marker.length;
    const quote = this.buffer.indexOf(0x22, this.timeStart);
    this.timeEnd = quote === -1 || quote >= end ? end : quote;
    this.lineStart = start;
    this.lineEnd = end;
    this.hasLine = true;
  }

  /** Keeps the part of a line read so far at the front, and reads after it. */
  private async read(): Promise<void> {
    this.buffer.copy(this.buffer, 0, this.next, this.filled);
    this.filled -= this.next;
    this.next = 0;
    this.ensureRoom(CHUNK / 2);
    const { bytesRead } = await this.file.read(this.buffer, this.filled, this.buffer.length - this.filled, null);
    this.filled += bytesRead;
    if (bytesRead === 0) this.ended = true;
  }

  /** A buffer with room for `bytes` more after what it holds: twice as large when a line outgrows it. */
  private ensureRoom(bytes: number): void {
    if (this.buffer.length - this.filled >= bytes) return;
    const larger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.filled + bytes));
    this.buffer.copy(larger, 0, 0, this.filled);
    this.buffer = larger;
  }
}

/** The target, written a chunk at a time. */
class Writer {
  private readonly buffer = Buffer.allocUnsafe(CHUNK);
  private filled = 0;

  constructor(private readonly file: FileHandle) {}

  /** Adds the bytes if they fit; false when they do not (then write). */
  add(source: Buffer, start: number, end: number): boolean {
    if (this.filled + (end - start) > this.buffer.length) return false;
    this.filled += source.copy(this.buffer, this.filled, start, end);
    return true;
  }

  async write(source: Buffer, start: number, end: number): Promise<void> {
    await this.flush();
    if (!this.add(source, start, end)) await writeAll(this.file, source, start, end); // a line longer than a chunk
  }

  async flush(): Promise<void> {
    await writeAll(this.file, this.buffer, 0, this.filled);
    this.filled = 0;
  }
}

async function writeAll(file: FileHandle, source: Buffer, start: number, end: number): Promise<void> {
  for (let at = start; at < end; ) at += (await file.write(source, at, end - at)).bytesWritten;
}
