/**
 * The settings form: frequency caps as editable rows and back, and the server's problems placed next to the
 * field they name. The server validates (its 400 names each field by JSON pointer, "/frequencyCaps/1/max");
 * the form checks only what its body could not even express, such as a blank number.
 */

export interface Cap {
  max: number;
  per: string;
  channel?: string;
}

export interface CapRow {
  /** Stable across edits, for React keys and field ids; not sent. */
  key: number;
  /** '' for every channel. */
  channel: string;
  max: string;
  amount: string;
  unit: string;
}

export interface Problem {
  path: string;
  message: string;
}

/** Window units the form offers; seconds and milliseconds appear only when a stored cap uses them. */
export const WINDOW_UNITS: { unit: string; singular: string; plural: string }[] = [
  { unit: 'ms', singular: 'millisecond', plural: 'milliseconds' },
  { unit: 's', singular: 'second', plural: 'seconds' },
  { unit: 'm', singular: 'minute', plural: 'minutes' },
  { unit: 'h', singular: 'hour', plural: 'hours' },
  { unit: 'd', singular: 'day', plural: 'days' },
];

/** The schema's maxItems: the add button stops there. */
export const MAX_CAPS = 20;

const DURATION = /^(\d+)(ms|s|m|h|d)$/;

export function rowOf(cap: Cap, key: number): CapRow {
  const match = DURATION.exec(cap.per);
  return { key, channel: cap.channel ?? '', max: String(cap.max), amount: match ? match[1]! : cap.per, unit: match ? match[2]! : 'd' };
}

/** A new row: one message a day on every channel, a common starting point. */
export function newRow(key: number): CapRow {
  return { key, channel: '', max: '1', amount: '1', unit: 'd' };
}

/** The units a row may choose from: minutes, hours, days, and its own unit if it is a finer one. */
export function unitsFor(row: CapRow): typeof WINDOW_UNITS {
  return WINDOW_UNITS.filter((u) => ['m', 'h', 'd'].includes(u.unit) || u.unit === row.unit);
}

const WHOLE = /^\s*\d+\s*$/;

/**
 * The caps to send, or the problems of fields left blank or not whole numbers (at the paths the server would
 * use). Values out of range are sent as typed: the server's message says what it allows.
 */
export function capsOf(rows: CapRow[]): { caps: Cap[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const caps = rows.map((row, i) => {
    if (!WHOLE.test(row.max)) problems.push({ path: `/frequencyCaps/${i}/max`, message: 'enter a whole number of messages' });
    if (!WHOLE.test(row.amount)) problems.push({ path: `/frequencyCaps/${i}/per`, message: 'enter a whole number for the window' });
    const cap: Cap = { max: Number(row.max), per: `${Number(row.amount)}${row.unit}` };
    return row.channel ? { ...cap, channel: row.channel } : cap;
  });
  return { caps, problems };
}

/** The fields the form shows problems next to, for `count` cap rows. */
export function settingsFields(count: number): string[] {
  const fields = ['/timezone', '/frequencyCaps'];
  for (let i = 0; i < count; i++) fields.push(`/frequencyCaps/${i}/channel`, `/frequencyCaps/${i}/max`, `/frequencyCaps/${i}/per`);
  return fields;
}

/**
 * Each problem at the most specific field whose path is its path or an ancestor of it; the rest (a path the
 * form has no field for) in `other`. Several problems of one field are joined.
 */
export function placeProblems(problems: Problem[], fields: string[]): { byField: Record<string, string>; other: string[] } {
  const byField: Record<string, string> = {};
  const other: string[] = [];
  for (const problem of problems) {
    const field = fields.filter((f) => problem.path === f || problem.path.startsWith(`${f}/`)).sort((a, b) => b.length - a.length)[0];
    if (field === undefined) other.push(problem.path ? `${problem.path} ${problem.message}` : problem.message);
    else byField[field] = byField[field] ? `${byField[field]}; ${problem.message}` : problem.message;
  }
  return { byField, other };
}

/**
 * The server's message under its field, as a sentence: it starts lower case to follow a field's name, and
 * says bounds the way schemas do ("must be >= 1" → "Must be at least 1").
 */
export function sentence(message: string): string {
  const worded = message.replace(/^must be >= /, 'must be at least ').replace(/^must be <= /, 'must be at most ');
  return worded.charAt(0).toUpperCase() + worded.slice(1);
}

/** The problems of a 400 body ({ problems: [{ path, message, in? }] }), only those about the body. */
export function bodyProblems(body: unknown): Problem[] {
  const list = (body as { problems?: unknown } | null)?.problems;
  if (!Array.isArray(list)) return [];
  return list.filter((p): p is Problem & { in?: string } => !!p && typeof p.path === 'string' && typeof p.message === 'string' && p.in === undefined).map(({ path, message }) => ({ path, message }));
}
