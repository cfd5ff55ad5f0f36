/**
 * The NDJSON record formats the CLI and the simulator read: events in native form
 * {userId, event, properties, timestamp, messageId} or in workload form {at, userId, event, properties}
 * (`at` = ms after a start time), and profiles as {userId, ...traits} or {userId, traits: {...}}.
 */
import { hash } from 'node:crypto';
import type { JourneyEvent } from '../core/instance.ts';
import type { ProfileUpsert } from '../store/store.ts';

/** A bad input line; the message starts with "line N:" so the user can find it. */
export class LineError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** Where workload `at` offsets count from when no start is given. */
export const DEFAULT_START = Date.parse('2026-01-01T00:00:00Z');

/** An ISO 8601 timestamp (or epoch milliseconds) as epoch milliseconds, or an error naming the option. */
export function parseInstant(value: string | number, what = 'time'): number {
  const ms = typeof value === 'number' ? value : /^-?\d+$/.test(value.trim()) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new Error(`${what} ${JSON.stringify(value)} is not an ISO 8601 date-time`);
  return ms;
}

/** 'untimed': neither timestamp nor "at", taken only when the caller allows it (see parseEventLine). */
export type EventForm = 'native' | 'workload' | 'untimed';

/** An event line made ready: the engine's form, and the form the HTTP API accepts. */
export interface ParsedEvent {
  form: EventForm;
  /** The line named its messageId (else one derived from the line, unique to it). */
  idGiven: boolean;
  event: JourneyEvent;
}

/** One line as a JSON object; null for a blank line; a LineError for anything else. */
export function parseJson(text: string, n: number): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (text.trim() === '') return null;
    throw new LineError(n, `not valid JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new LineError(n, 'expected a JSON object');
  return value as Record<string, unknown>;
}

/**
 * A message id for a line that has none: the line number (fixed-width base 36, so ids sort in file order and
 * land at the end of the store's indexes) and a hash of the line and its resolved timestamp. Importing the
 * same file with the same start again gives the same ids, so the store deduplicates it line for line.
 */
export function derivedMessageId(n: number, text: string, timestamp: number): string {
  // crypto.hash, one call: a third of a Hash object's cost a line (0.5 µs against 1.0-1.5), the same digest.
  return `l${n.toString(36).padStart(7, '0')}-${hash('sha256', `${timestamp}\n${text}`, 'hex').slice(0, 20)}`;
}

/**
 * Parses one event line; returns null for a blank line. `start` anchors workload `at` offsets. With
 * `untimed`, a line with neither timestamp nor "at" is taken as form 'untimed', carrying `start` as a
 * placeholder: its sender leaves the time to the receiver, as POST /v1/events does without a timestamp.
 */
export function parseEventLine(text: string, n: number, start: number, untimed = false): ParsedEvent | null {
  const o = parseJson(text, n);
  return o === null ? null : parseEventRecord(o, text, n, start, untimed);
}

/** One event record already read as an object (a JSON line, or a CSV row); `text` seeds a derived message id. */
export function parseEventRecord(o: Record<string, unknown>, text: string, n: number, start: number, untimed = false): ParsedEvent {
  const userId = o.userId;
  if (typeof userId !== 'string' || userId.length === 0) throw new LineError(n, 'userId must be a non-empty string');
  const name = o.event ?? o.name;
  if (typeof name !== 'string' || name.length === 0) throw new LineError(n, 'event must be a non-empty string');
  const properties = o.properties ?? {};
  if (properties === null || typeof properties !== 'object' || Array.isArray(properties)) throw new LineError(n, 'properties must be a JSON object');
  let form: EventForm;
  let timestamp: number;
  if (o.at !== undefined) {
    if (typeof o.at !== 'number' || !Number.isFinite(o.at)) throw new LineError(n, '"at" must be a number of milliseconds after the start');
    form = 'workload';
    timestamp = start + Math.round(o.at);
  } else if (o.timestamp !== undefined) {
    form = 'native';
    timestamp = typeof o.timestamp === 'string' ? Date.parse(o.timestamp) : typeof o.timestamp === 'number' ? o.timestamp : NaN;
    if (!Number.isFinite(timestamp)) throw new LineError(n, `timestamp ${JSON.stringify(o.timestamp)} is not an ISO 8601 date-time`);
  } else if (untimed) {
    form = 'untimed';
    timestamp = start;
  } else {
    throw new LineError(n, 'an event needs a "timestamp" (ISO 8601) or an "at" (ms after --start)');
  }
  let messageId = o.messageId;
  const idGiven = messageId !== undefined;
  if (!idGiven) messageId = derivedMessageId(n, text, timestamp);
  else if (typeof messageId !== 'string' || messageId.length === 0) throw new LineError(n, 'messageId must be a non-empty string');
  return { form, idGiven, event: eventOfRecord(o, messageId as string, timestamp) };
}

/**
 * The event of a record parseEventRecord has checked, with the message id and the time it gave it: a thread of
 * a simulation on several reads its events this way from the lines' text (shards.ts).
 */
export function eventOfRecord(o: Record<string, unknown>, messageId: string, timestamp: number): JourneyEvent {
  return { messageId, userId: o.userId as string, name: (o.event ?? o.name) as string, timestamp, properties: (o.properties ?? {}) as Record<string, unknown> };
}

/** The body the HTTP API takes for one event; without `timed`, no timestamp (the server stamps it on arrival). */
export function toApiEvent(e: JourneyEvent, timed = true): { messageId: string; userId: string; event: string; timestamp?: string; properties: Record<string, unknown> } {
  return { messageId: e.messageId, userId: e.userId, event: e.name, ...(timed ? { timestamp: new Date(e.timestamp).toISOString() } : {}), properties: e.properties };
}

/** Parses one profile line; returns null for a blank line. */
export function parseProfileLine(text: string, n: number): ProfileUpsert | null {
  const o = parseJson(text, n);
  return o === null ? null : parseProfileRecord(o, n);
}

/** One profile record already read as an object: {userId, ...traits} or {userId, traits: {...}}. */
export function parseProfileRecord(o: Record<string, unknown>, n: number): ProfileUpsert {
  const { userId, ...rest } = o;
  if (typeof userId !== 'string' || userId.length === 0) throw new LineError(n, 'userId must be a non-empty string');
  const keys = Object.keys(rest);
  if (keys.length === 1 && keys[0] === 'traits') {
    const traits = rest.traits;
    if (traits === null || typeof traits !== 'object' || Array.isArray(traits)) throw new LineError(n, 'traits must be a JSON object');
    return { userId, traits: traits as Record<string, unknown> };
  }
  return { userId, traits: rest };
}
