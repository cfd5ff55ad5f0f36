/**
 * The records of an import file, a chunk at a time with flat memory: NDJSON (one JSON object a line) or CSV
 * (a header row naming the columns). Each record comes as an object and the text it was read from (the line,
 * or the CSV row as written), so both formats go through the same checks and derive the same kind of ids.
 */
import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import { CsvError, parse } from 'csv-parse';
import { fileSize, FileError, openLines } from '../../sim/lines.ts';
import { LineError, parseJson } from '../../sim/records.ts';

export const IMPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportRecord {
  /** The file's line number where the record ends (1-based), for messages and for resuming. */
  n: number;
  text: string;
  /** null for a blank NDJSON line. A CSV row's values are its cells as text, empty ones left out (see csvValue). */
  object: Record<string, unknown> | null;
  csv: boolean;
}

export interface RecordReader extends AsyncIterable<ImportRecord[]> {
  readonly bytesRead: number;
  readonly size: number;
}

/** The given format, else `.csv` files are CSV and everything else NDJSON. */
export function formatOf(file: string, given: ImportFormat | undefined): ImportFormat {
  return given ?? (extname(file).toLowerCase() === '.csv' ? 'csv' : 'ndjson');
}

export async function openRecords(file: string, format: ImportFormat, what: string): Promise<RecordReader> {
  if (format === 'csv') return openCsv(file, what);
  const lines = await openLines(file, what);
  return {
    get bytesRead() {
      return lines.bytesRead;
    },
    size: lines.size,
    async *[Symbol.asyncIterator]() {
      for await (const chunk of lines) {
        const records: ImportRecord[] = [];
        for (const line of chunk) {
          let object: Record<string, unknown> | null;
          try {
            object = parseJson(line.text, line.n);
          } catch (error) {
            // The lines before a bad one still go, so the message can say what was sent.
            if (records.length > 0) yield records;
            throw error;
          }
          records.push({ n: line.n, text: line.text, object, csv: false });
        }
        yield records;
      }
    },
  };
}

/**
 * A CSV cell as a property or trait value: empty cells are left out (an import never removes a trait by accident), `true` and
 * `false` are booleans, a number written as JavaScript would print it is a number; anything else stays text,
 * so phone numbers (`+14155550100`), zip codes (`02134`) and ids keep their digits.
 */
export function csvValue(cell: string): unknown {
  if (cell === 'true' || cell === 'false') return cell === 'true';
  if (cell !== '' && String(Number(cell)) === cell) return Number(cell);
  return cell;
}

async function openCsv(file: string, what: string): Promise<RecordReader> {
  const size = await fileSize(file, what);
  let stream: ReturnType<typeof createReadStream> | null = null;
  return {
    get bytesRead() {
      return stream?.bytesRead ?? 0;
    },
    size,
    async *[Symbol.asyncIterator]() {
      stream = createReadStream(file, { highWaterMark: 1 << 18 });
      const parser = stream.pipe(parse({ bom: true, columns: header, skip_empty_lines: true, info: true, raw: true }));
      let chunk: ImportRecord[] = [];
      try {
        for await (const { record, info, raw } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number }; raw: string }>) {
          const object: Record<string, unknown> = {};
          for (const [column, cell] of Object.entries(record)) if (cell !== '') object[column] = cell;
          chunk.push({ n: info.lines, text: raw.replace(/\r?\n$/, ''), object, csv: true });
          if (chunk.length >= 1_000) {
            yield chunk;
            chunk = [];
          }
        }
        if (chunk.length > 0) yield chunk;
      } catch (error) {
        if (error instanceof CsvError) throw new LineError((error as CsvError & { lines?: number }).lines ?? 0, `not valid CSV (${error.message})`);
        if (error instanceof LineError || error instanceof FileError) throw error;
        throw new FileError(`cannot read ${what} ${file}: ${(error as Error).message}`);
      } finally {
        stream.destroy();
      }
    },
  };
}

/** The header row: every column named, once, so no cell is silently dropped. */
function header(names: string[]): string[] {
  const seen = new Set<string>();
  names.forEach((raw, i) => {
    const name = raw.trim();
    if (name === '') throw new LineError(1, `column ${i + 1} of the header row has no name`);
    if (seen.has(name)) throw new LineError(1, `the header row names "${name}" twice`);
    seen.add(name);
  });
  return names.map((name) => name.trim());
}
