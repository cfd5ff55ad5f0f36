/**
 * Inserting Liquid into a message field at the caret: the `@` menu of the composer. Templates read
 * `Profile.<trait>` and `Event.<property>` (docs/journeys.md, "Templates"); a missing one is blank, so every
 * insertion carries a `default`.
 */

export type Scope = 'Profile' | 'Event';

export interface Insertable {
  scope: Scope;
  key: string;
  /** What the menu shows beside the key: a type or an example value. */
  detail?: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One key of a path: `.plan`, or `["first name"]`; null when Liquid cannot quote it. */
function segment(key: string): string | null {
  if (IDENTIFIER.test(key)) return `.${key}`;
  if (key === '' || /[\n\r]/.test(key)) return null;
  if (!key.includes('"')) return `["${key}"]`;
  if (!key.includes("'")) return `['${key}']`;
  return null; // Liquid strings have no escapes: a key with both quotes cannot be written
}

/**
 * How a template reads `key` of `scope`: `Profile.plan`, `Profile["first name"]`; a dotted key is a path into
 * nested objects, as the catalog writes them (`cart.total` → `Event.cart.total`). Null when it cannot be written.
 */
export function liquidPath(scope: Scope, key: string): string | null {
  const segments = key.split('.').map(segment);
  return segments.some((s) => s === null) ? null : `${scope}${segments.join('')}`;
}

/** `{{ Profile.name | default: "" }}`: the output tag the menu inserts. */
export function liquidTag(scope: Scope, key: string, fallback = ''): string | null {
  const path = liquidPath(scope, key);
  if (path === null) return null;
  const quoted = fallback.includes('"') ? `'${fallback.replace(/'/g, '')}'` : `"${fallback}"`;
  return `{{ ${path} | default: ${quoted} }}`;
}

/**
 * Where the caret goes in a tag liquidTag made with no fallback: between the quotes of `default: ""`, so what
 * one types next is the fallback. The tag's length for any other snippet.
 */
export function caretInTag(tag: string): number {
  return tag.endsWith(' | default: "" }}') ? tag.length - '" }}'.length : tag.length;
}

/** `text` with `start..end` replaced by `snippet`, and where the caret goes: just after it. */
export function insertAt(text: string, start: number, end: number, snippet: string): { text: string; caret: number } {
  const from = Math.max(0, Math.min(start, text.length));
  const to = Math.max(from, Math.min(end, text.length));
  return { text: text.slice(0, from) + snippet + text.slice(to), caret: from + snippet.length };
}

/**
 * The `@word` being typed at the caret, if any: `start` is the index of the `@`, `query` what follows it. An
 * `@` counts only at the start or after a space or punctuation, so `ana@example.com` opens no menu.
 */
export function mentionAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const match = /(^|[\s({>,;:"'])@([^\s@{}|]*)$/.exec(before);
  if (!match) return null;
  const query = match[2]!;
  return { start: caret - query.length - 1, query };
}

/**
 * The menu's options for `query`: keys that start with it first, then those that contain it, each group in
 * the given order; "profile." or "event." (any case) narrows to one scope.
 */
export function filterInsertables(options: readonly Insertable[], query: string, limit = 50): Insertable[] {
  let q = query.toLowerCase();
  let scope: Scope | null = null;
  for (const s of ['Profile', 'Event'] as const) {
    if (q.startsWith(`${s.toLowerCase()}.`)) {
      scope = s;
      q = q.slice(s.length + 1);
    }
  }
  const usable = options.filter((o) => (scope === null || o.scope === scope) && liquidPath(o.scope, o.key) !== null);
  const starts = usable.filter((o) => o.key.toLowerCase().startsWith(q));
  const contains = usable.filter((o) => !o.key.toLowerCase().startsWith(q) && o.key.toLowerCase().includes(q));
  return [...starts, ...contains].slice(0, limit);
}
