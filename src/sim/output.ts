/**
 * simulate's output files: the message log written as NDJSON (sent messages in sentAt order, skipped ones in the
 * order decided). A run on several threads merges its threads' files into one (merge.ts).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { exportMessages } from '../store/sqlite/message-export.ts';
import type { SqliteStore } from '../store/sqlite/sqlite-store.ts';

/** Characters of output gathered before each write. */
const OUTPUT_CHUNK = 1 << 20;

/** What a message log held: sent messages by channel, and how many were skipped and failed. */
export interface Written {
  sent: Record<string, number>;
  skipped: number;
  failed: number;
}

/**
 * Writes the sent and the skipped messages and counts them. Synchronous from end to end: the rows come from an
 * open SQLite statement, so nothing else may use the connection meanwhile (see exportMessages).
 */
export function writeMessages(store: SqliteStore, messagesFile: string, skippedFile: string): Written {
  const sent: Record<string, number> = {};
  let skipped = 0;
  let failed = 0;
  // Each line is the JSON of { userId, channel, nodeId, sentAt, journeyId, content }, spelled out so that the
  // content goes out as the JSON text it is stored as.
  writeLines(messagesFile, exportMessages(store, 'sent', 'sentAt'), (m) => {
    sent[m.channel] = (sent[m.channel] ?? 0) + 1;
    return `{"userId":${JSON.stringify(m.userId)},"channel":${JSON.stringify(m.channel)},"nodeId":${JSON.stringify(m.nodeId)},"sentAt":"${iso(m.sentAt!)}","journeyId":${JSON.stringify(m.journeyId)},"content":${m.contentJson ?? 'null'}}`;
  });
  writeLines(skippedFile, exportMessages(store, 'skipped', 'seq'), (m) => {
    skipped += 1;
    return JSON.stringify({ userId: m.userId, channel: m.channel, nodeId: m.nodeId, at: iso(m.createdAt), reason: m.reason });
  });
  for (const _ of exportMessages(store, 'failed', 'seq')) failed += 1;
  return { sent: sortKeys(sent), skipped, failed };
}

/** The counts of several logs (the threads' shares of one run) as one. */
export function addWritten(parts: readonly Written[]): Written {
  const sent: Record<string, number> = {};
  for (const part of parts) for (const [channel, n] of Object.entries(part.sent)) sent[channel] = (sent[channel] ?? 0) + n;
  return { sent: sortKeys(sent), skipped: parts.reduce((n, p) => n + p.skipped, 0), failed: parts.reduce((n, p) => n + p.failed, 0) };
}

function writeLines<T>(file: string, items: Iterable<T>, line: (item: T) => string): void {
  const out = new LineWriter(file);
  try {
    for (const item of items) out.write(line(item));
  } finally {
    out.close();
  }
}

/** A file written a line at a time, OUTPUT_CHUNK characters to a write. close() writes what is left. */
class LineWriter {
  private readonly fd: number;
  private text = '';

  constructor(file: string) {
    this.fd = openSync(file, 'w');
  }

  write(line: string): void {
    this.text += `${line}\n`;
    if (this.text.length >= OUTPUT_CHUNK) {
      writeSync(this.fd, this.text);
      this.text = '';
    }
  }

  close(): void {
    try {
      if (this.text) writeSync(this.fd, this.text);
    } finally {
      closeSync(this.fd);
    }
  }
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
