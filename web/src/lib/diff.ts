/**
 * What changed between two journey definitions, in lines a marketer reads: the journey's name, the trigger,
 * the setup, each goal, each node (by id: added, removed, or which fields changed, old → new) and each path
 * rewired. Pure and structural: key order, node order and edge order never count as changes, and neither does
 * the order of lists whose order means nothing (filters, days, variants, dates); goals are the exception (the
 * first goal that matches counts), so their order is reported.
 */
import { formatDuration } from './format.ts';

/** The parts of a definition the diff reads; anything else in it is compared field by field all the same. */
export interface DiffNode {
  id: string;
  kind: string;
  [field: string]: unknown;
}
export interface DiffEdge {
  from: string;
  to: string;
  branch?: string;
}
export interface DiffDefinition {
  name: string;
  description?: string;
  setup?: object;
  goals?: object[];
  nodes: DiffNode[];
  edges: DiffEdge[];
}

export type DiffSection = 'journey' | 'trigger' | 'setup' | 'goals' | 'nodes' | 'paths';

export interface FieldChange {
  /** In words: "body", "timeout", "variant “B” percent"; empty when the line's title names it. */
  field: string;
  before: string;
  after: string;
}

export interface DiffLine {
  section: DiffSection;
  change: 'added' | 'removed' | 'changed';
  /** The node or goal id the line is about; null for the journey, the setup and paths. */
  subject: string | null;
  /** "Changed SMS message “sms-10-off”". */
  title: string;
  /** What changed in it, old → new; empty for additions, removals and paths. */
  fields: FieldChange[];
}

/** The line as one sentence: its title, then each field "name old → new", separated by semicolons. */
export function lineText(line: DiffLine): string {
  if (line.fields.length === 0) return line.title;
  return `${line.title}: ${line.fields.map((f) => `${f.field ? `${f.field} ` : ''}${f.before} → ${f.after}`).join('; ')}`;
}

const CHANNEL_WORDS: Record<string, string> = { push: 'push', sms: 'SMS', email: 'email', whatsapp: 'WhatsApp', inbox: 'inbox', webhook: 'webhook' };
const KIND_WORDS: Record<string, string> = {
  entry: 'entry',
  delay: 'delay',
  wait: 'wait for an event',
  split: 'split',
  abSplit: 'A/B split',
  updateProfile: 'profile update',
  exit: 'exit',
};

/** A node's kind in words: "SMS message", "delay", "A/B split". */
export function kindWords(node: { kind: string; channel?: unknown }): string {
  if (node.kind === 'send') return `${typeof node.channel === 'string' ? (CHANNEL_WORDS[node.channel] ?? node.channel) : 'a'} message`;
  return KIND_WORDS[node.kind] ?? node.kind;
}

const quote = (text: string) => `“${text}”`;

/** Each line of what changed from `before` to `after`, in the order: journey, trigger, setup, goals, nodes, paths. */
export function diffDefinitions(before: DiffDefinition, after: DiffDefinition): DiffLine[] {
  return [...journeyLines(before, after), ...triggerLines(before, after), ...setupLines(before, after), ...goalLines(before, after), ...nodeLines(before, after), ...pathLines(before, after)];
}

function journeyLines(before: DiffDefinition, after: DiffDefinition): DiffLine[] {
  const lines: DiffLine[] = [];
  const line = (title: string, fields: FieldChange[]): DiffLine => ({ section: 'journey', change: 'changed', subject: null, title, fields });
  if (before.name !== after.name) lines.push(line('Renamed the journey', [pair('', before.name, after.name)]));
  if ((before.description ?? '') !== (after.description ?? '')) lines.push(line('Changed the description', [pair('', before.description, after.description)]));
  return lines;
}

/** The entry node's trigger has a line of its own: what lets users in matters most. */
function triggerLines(before: DiffDefinition, after: DiffDefinition): DiffLine[] {
  const was = before.nodes.find((n) => n.kind === 'entry');
  const now = after.nodes.find((n) => n.kind === 'entry');
  if (!was || !now || was.id !== now.id) return []; // a new entry node is a node added and one removed
  const fields = compare([], was.trigger, now.trigger);
  return fields.length > 0 ? [{ section: 'trigger', change: 'changed', subject: now.id, title: 'Changed the trigger', fields }] : [];
}

function setupLines(before: DiffDefinition, after: DiffDefinition): DiffLine[] {
  const fields = compare([], before.setup ?? {}, after.setup ?? {});
  return fields.length > 0 ? [{ section: 'setup', change: 'changed', subject: null, title: 'Changed the setup', fields }] : [];
}

function goalLines(before: DiffDefinition, after: DiffDefinition): DiffLine[] {
  const idOf = (goal: object) => String((goal as { id?: unknown }).id);
  const was = new Map((before.goals ?? []).map((g) => [idOf(g), g]));
  const now = new Map((after.goals ?? []).map((g) => [idOf(g), g]));
  const lines: DiffLine[] = [];
  const line = (change: DiffLine['change'], id: string | null, title: string, fields: FieldChange[] = []) => lines.push({ section: 'goals', change, subject: id, title, fields });
  for (const [id] of was) if (!now.has(id)) line('removed', id, `Removed goal ${quote(id)}`);
  for (const [id, goal] of now) {
    const old = was.get(id);
    if (!old) line('added', id, `Added goal ${quote(id)}`);
    else {
      const fields = compare([], withoutId(old), withoutId(goal));
      if (fields.length > 0) line('changed', id, `Changed goal ${quote(id)}`, fields);
    }
  }
  // Only the goals in both count for the order: an added or removed goal is its own line already.
  const kept = (goals: Map<string, object>, other: Map<string, object>) => [...goals.keys()].filter((id) => other.has(id));
  const order = { before: kept(was, now), after: kept(now, was) };
  if (order.before.join('\n') !== order.after.join('\n')) {
    line('changed', null, 'Reordered the goals (the first that matches counts)', [{ field: 'order', before: order.before.map(quote).join(', '), after: order.after.map(quote).join(', ') }]);
  }
  return lines;
}

function withoutId(value: object): object {
  const { id: _, ...rest } = value as Record<string, unknown>;
  return rest;
}

function nodeLines(before: DiffDefinition, after: DiffDefinition): DiffLine[] {
  const was = new Map(before.nodes.map((n) => [n.id, n]));
  const now = new Map(after.nodes.map((n) => [n.id, n]));
  const lines: DiffLine[] = [];
  for (const node of before.nodes) {
    if (!now.has(node.id)) lines.push({ section: 'nodes', change: 'removed', subject: node.id, title: `Removed ${kindWords(node)} ${quote(node.id)}`, fields: [] });
  }
  for (const node of after.nodes) {
    const old = was.get(node.id);
    if (!old) {
      lines.push({ section: 'nodes', change: 'added', subject: node.id, title: `Added ${kindWords(node)} ${quote(node.id)}`, fields: [] });
      continue;
    }
    // The id is the same by construction, the kind has the title, and an entry's trigger has its own line.
    const strip = ({ id: _, kind: __, ...rest }: DiffNode): Record<string, unknown> => {
      if (node.kind === 'entry' && old.kind === 'entry') delete rest.trigger;
      return rest;
    };
    const fields = compare([], strip(old), strip(node));
    if (old.kind !== node.kind || (node.kind === 'send' && old.channel !== node.channel)) {
      const rest = fields.filter((f) => f.field !== 'channel');
      lines.push({ section: 'nodes', change: 'changed', subject: node.id, title: `Changed ${quote(node.id)} from ${kindWords(old)} to ${kindWords(node)}`, fields: rest });
    } else if (fields.length > 0) {
      lines.push({ section: 'nodes', change: 'changed', subject: node.id, title: `Changed ${kindWords(node)} ${quote(node.id)}`, fields });
    }
  }
  return lines;
}

/**
 * Edges by their start and branch: one whose target changed is "rewired"; the ways out of a removed node
 * are not listed (the node's removal says it), the ways out of an added one are (they show where it sits).
 */
function pathLines(before: DiffDefinition, after: DiffDefinition): DiffLine[] {
  const targets = (definition: DiffDefinition) => {
    const ways = new Map<string, { from: string; branch: string; to: string[] }>();
    for (const edge of definition.edges) {
      const branch = edge.branch ?? 'next';
      const key = `${edge.from}\n${branch}`;
      const way = ways.get(key) ?? { from: edge.from, branch, to: [] };
      if (!way.to.includes(edge.to)) way.to.push(edge.to);
      ways.set(key, way);
    }
    for (const way of ways.values()) way.to.sort();
    return ways;
  };
  const stillThere = new Set(after.nodes.map((n) => n.id));
  const was = targets(before);
  const now = targets(after);
  const lines: DiffLine[] = [];
  const line = (change: DiffLine['change'], title: string) => lines.push({ section: 'paths', change, subject: null, title, fields: [] });
  const start = (way: { from: string; branch: string }) => `${quote(way.from)}${way.branch === 'next' ? '' : ` (${way.branch})`}`;
  // In the order of the nodes they leave (as the journey now reads), then by branch.
  const order = new Map([...after.nodes, ...before.nodes].map((n, i): [string, number] => [n.id, i]).reverse());
  const rank = (key: string) => order.get(key.split('\n')[0]!) ?? Infinity;
  const keys = [...new Set([...now.keys(), ...was.keys()])].sort((x, y) => rank(x) - rank(y) || (x < y ? -1 : x > y ? 1 : 0));
  for (const key of keys) {
    const old = was.get(key);
    const fresh = now.get(key);
    if (old && !stillThere.has(old.from)) continue;
    const gone = old?.to.filter((to) => !fresh?.to.includes(to)) ?? [];
    const come = fresh?.to.filter((to) => !old?.to.includes(to)) ?? [];
    const way = (fresh ?? old)!;
    if (gone.length === 1 && come.length === 1) {
      line('changed', `${start(way)} now leads to ${quote(come[0]!)} instead of ${quote(gone[0]!)}`);
      continue;
    }
    for (const to of gone) line('removed', `Removed path: ${start(way)} → ${quote(to)}`);
    for (const to of come) line('added', `New path: ${start(way)} → ${quote(to)}`);
  }
  return lines;
}

// ---------------------------------------------------------------- fields

/** Field names as a marketer reads them; any other key is shown as written. */
const FIELD_WORDS: Record<string, string> = {
  reentry: 're-entry',
  reentryCooldown: 're-entry cooldown',
  startAt: 'start',
  endAt: 'end',
  ignoreFrequencyCaps: 'ignores frequency caps',
  timeout: 'timeout',
  controlGroupPercent: 'control group',
  timezone: 'time zone',
  dnd: 'quiet hours',
  whenInDnd: 'in quiet hours',
  windows: 'windows',
  exitOnGoal: 'exits on goal',
  within: 'within',
  notEvent: 'unless',
  notWhere: 'unless filters',
  where: 'filters',
  sameAs: 'same as entry',
  untilTime: 'until',
  untilDate: 'until the date in',
  journeyId: 'journey',
  nodeId: 'node',
  url: 'URL',
  set: 'sets',
  variants: 'variant',
};
/** Containers whose name adds nothing to their fields': a send's "body" says enough. */
const SILENT = new Set(['message']);
/** Fields holding a duration ("2h"), shown as "2 hours". */
const DURATIONS = new Set(['duration', 'timeout', 'within', 'before', 'after', 'reentryCooldown', 'per']);
/** Fields holding a percentage. */
const PERCENTS = new Set(['percent', 'controlGroupPercent']);

type Path = string[];

/** Every field that differs between two values, depth first, keys in alphabetical order. */
function compare(path: Path, a: unknown, b: unknown): FieldChange[] {
  if (canonical(a) === canonical(b)) return [];
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) => compare([...path, key], a[key], b[key]));
  }
  if (isNamedList(a) && isNamedList(b)) {
    const names = [...new Set([...a.map((v) => v.name), ...b.map((v) => v.name)])].sort();
    const byName = (list: Array<{ name: string }>, name: string) => list.find((v) => v.name === name);
    return names.flatMap((name) => compare([...path, `\u0000${name}`], byName(a, name), byName(b, name)));
  }
  const key = path.at(-1) ?? '';
  return [pair(fieldName(path), a, b, key)];
}

function fieldName(path: Path): string {
  const words = path
    .filter((key) => !SILENT.has(key))
    .map((key) => (key.startsWith('\u0000') ? quote(key.slice(1)) : (FIELD_WORDS[key] ?? key)));
  return words.join(' ') || 'value';
}

/** One field's change; two long texts are cut down to the part that changed, with a little around it. */
function pair(field: string, a: unknown, b: unknown, key = field): FieldChange {
  if (typeof a === 'string' && typeof b === 'string' && !DURATIONS.has(key)) {
    const [before, after] = excerpts(a, b);
    return { field, before: quote(before), after: quote(after) };
  }
  return { field, before: valueText(a, key), after: valueText(b, key) };
}

/** How much of the unchanged text is kept on each side of a change. */
const CONTEXT = 20;
/** Texts up to this long are shown whole. */
const SHORT = 60;

/**
 * The changed part of two texts with up to CONTEXT characters around it, widened to whole words, "…" where
 * cut: "…code CART10. Reply…" → "…code CART15. Reply…".
 */
export function excerpts(a: string, b: string): [string, string] {
  if (a.length <= SHORT && b.length <= SHORT) return [a, b];
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const cut = (text: string) => {
    let start = Math.max(0, prefix - CONTEXT);
    // Back to the start of the word the cut falls in.
    while (start > 0 && !/\s/.test(text[start - 1]!)) start--;
    let end = Math.min(text.length, text.length - suffix + CONTEXT);
    while (end < text.length && !/\s/.test(text[end]!)) end++;
    return `${start > 0 ? '…' : ''}${text.slice(start, end).trim()}${end < text.length ? '…' : ''}`;
  };
  return [cut(a), cut(b)];
}

function valueText(value: unknown, key: string): string {
  if (value === undefined) return 'not set';
  if (value === null) return 'empty';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return PERCENTS.has(key) ? `${value}%` : String(value);
  if (typeof value === 'string') return DURATIONS.has(key) ? formatDuration(value) : quote(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return 'none';
    if (value.every(isFilter)) return value.map(filterText).sort().join(' and ');
    return value.map((v) => valueText(v, key)).join(', ');
  }
  if (isFilter(value)) return filterText(value);
  if (isPlainObject(value)) {
    const entries = Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${FIELD_WORDS[k] ?? k} ${valueText(value[k], k)}`);
    return entries.length > 0 ? entries.join(', ') : 'none';
  }
  return String(value);
}

interface FilterLike {
  property: string;
  op: string;
  value?: unknown;
}

const OPS: Record<string, string> = { '=': 'is', '!=': 'is not', in: 'is one of', contains: 'contains' };

function isFilter(value: unknown): value is FilterLike {
  return isPlainObject(value) && typeof value.property === 'string' && typeof value.op === 'string';
}

/** "plan is “pro”", "percent >= 80", "email exists". */
function filterText(filter: FilterLike): string {
  if (filter.value === undefined) return `${filter.property} ${filter.op}`;
  return `${filter.property} ${OPS[filter.op] ?? filter.op} ${valueText(filter.value, '')}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A list of objects each with its own name (A/B variants): compared name by name. */
function isNamedList(value: unknown): value is Array<{ name: string } & Record<string, unknown>> {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => isPlainObject(v) && typeof v.name === 'string')) return false;
  return new Set(value.map((v) => v.name)).size === value.length;
}

/**
 * A value's text with keys sorted and lists in a fixed order (none of the lists inside a node or the setup
 * means anything by its order), undefined fields left out: equal texts mean no change.
 */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).sort().join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return value === undefined ? 'undefined' : JSON.stringify(value);
}
