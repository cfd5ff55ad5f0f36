/**
 * Streams a text file as numbered lines, a chunk at a time, so NDJSON files of any size are read with flat
 * memory. Line numbers start at 1; blank lines are skipped but still counted.
 */
import { createReadStream, promises as fs } from 'node:fs';

export interface Line {
  /** 1-based line number in the file. */
  n: number;
  text: string;
}

export interface LineReader extends AsyncIterable<Line[]> {
  /** Bytes read from the file so far (runs ahead of the lines handed out by at most one chunk). */
  readonly bytesRead: number;
  /** The file's size when it was opened. */
  readonly size: number;
}

/** A readable error that names the file, for "no such file" and friends. */
export class FileError extends Error {}

export async function fileSize(file: string, what = 'file'): Promise<number> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw new FileError(`${what} ${file} is not a file`);
    return stat.size;
  } catch (error) {
    if (error instanceof FileError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new FileError(code === 'ENOENT' ? `${what} ${file} does not exist` : `cannot read ${what} ${file}: ${(error as Error).message}`);
  }
}

/** Opens `file` for line-by-line reading; each iteration step yields the complete lines of one chunk. */
export async function openLines(file: string, what = 'file', chunkBytes = 1 << 18): Promise<LineReader> {
  const size = await fileSize(file, what);
  // The stream is opened when iteration starts, so a reader that is never read holds no file open.
  let stream: ReturnType<typeof createReadStream> | null = null;
  const reader: LineReader = {
    get bytesRead() {
      return stream?.bytesRead ?? 0;
    },
    size,
    async *[Symbol.asyncIterator]() {
      // Bytes, each chunk decoded once up to its last newline: a newline byte is never part of a longer UTF-8
      // character, so none is cut. A StringDecoder and the carried text cost 2.9-3.1 s of CPU for a million
      // users' events file (317 MB) where this costs 1.7-1.8 s (measured alone).
      stream = createReadStream(file, { highWaterMark: chunkBytes });
      // What follows the last newline read so far: the start of a line, in as many chunks as it spans.
      let carry: Buffer[] = [];
      let n = 0;
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          const last = chunk.lastIndexOf(NEWLINE);
          if (last === -1) {
            carry.push(chunk);
            continue;
          }
          const head = chunk.subarray(0, last + 1);
          const text = (carry.length === 0 ? head : Buffer.concat([...carry, head])).toString('utf8');
          carry = last + 1 < chunk.length ? [Buffer.from(chunk.subarray(last + 1))] : [];
          const lines: Line[] = [];
          let from = 0;
          for (let nl = text.indexOf('\n', from); nl !== -1; nl = text.indexOf('\n', from)) {
            n += 1;
            const end = nl > from && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
            if (end > from) lines.push({ n, text: text.slice(from, end) });
            from = nl + 1;
          }
          if (lines.length > 0) yield lines;
        }
      } catch (error) {
        throw new FileError(`cannot read ${what} ${file}: ${(error as Error).message}`);
      } finally {
        stream.destroy();
      }
      n += 1;
      const rest = Buffer.concat(carry).toString('utf8');
      const last = rest.endsWith('\r') ? rest.slice(0, -1) : rest;
      if (last.length > 0) yield [{ n, text: last }];
    },
  };
  return reader;
}

const NEWLINE = 0x0a;
