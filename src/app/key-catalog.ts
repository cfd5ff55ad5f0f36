/**
 * What keys a set of JSON objects (event properties, profile traits) has: each key as a dotted path into
 * nested objects, with how many of the objects have it, its usual type and one example value: the first met
 * of that type (fed newest first, the newest). Bounded: paths stop at MAX_DEPTH levels, at most
 * `maxPaths` distinct paths are kept (the first met), and examples are short.
 */
export type ValueType = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'null';
export type Example = string | number | boolean | null;

export interface KeyInfo {
  /** Keys joined by dots: `cart.total` for { cart: { total: 42 } }. */
  path: string;
  /** The type most of the objects that have it give it (null only when all give null; a tie goes to the newest). */
  type: ValueType;
  /** How many of the objects have it. */
  count: number;
  /** The first value of that type met (the newest): a string cut to MAX_EXAMPLE characters; null for arrays, objects and null. */
  example: Example;
}

/** Levels of objects a path goes down: `a.b.c.d` at most; an object deeper than that is reported as an object. */
export const MAX_DEPTH = 4;
/** The longest example string, in characters; longer ones are cut. */
export const MAX_EXAMPLE = 100;
/** The longest path kept; longer ones (a key of a few hundred characters) are left out. */
const MAX_PATH = 200;

interface Seen {
  count: number;
  /** Per type: how many objects gave it, and the first (newest) example of it. */
  types: Map<ValueType, { count: number; example: Example; order: number }>;
}

export class KeyCatalog {
  private readonly paths = new Map<string, Seen>();
  /** Whether a path was left out because `maxPaths` were already kept. */
  truncated = false;

  constructor(private readonly maxPaths: number) {}

  /** Counts each path of `object` once. */
  add(object: Record<string, unknown>): void {
    this.walk(object, '', 1);
  }

  private walk(object: Record<string, unknown>, prefix: string, depth: number): void {
    for (const [key, value] of Object.entries(object)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      if (path.length > MAX_PATH) continue;
      if (isObject(value) && Object.keys(value).length > 0 && depth < MAX_DEPTH) this.walk(value, path, depth + 1);
      else this.note(path, value);
    }
  }

  private note(path: string, value: unknown): void {
    let seen = this.paths.get(path);
    if (!seen) {
      if (this.paths.size >= this.maxPaths) {
        this.truncated = true;
        return;
      }
      seen = { count: 0, types: new Map() };
      this.paths.set(path, seen);
    }
    seen.count++;
    const type = typeOf(value);
    const byType = seen.types.get(type);
    if (byType) byType.count++;
    else seen.types.set(type, { count: 1, example: exampleOf(value), order: seen.types.size });
  }

  /** The paths, the most common first, then by path. */
  keys(): KeyInfo[] {
    const keys = [...this.paths].map(([path, seen]): KeyInfo => {
      const [type, usual] = usualType(seen.types);
      return { path, type, count: seen.count, example: usual.example };
    });
    return keys.sort((a, b) => b.count - a.count || compare(a.path, b.path));
  }
}

/** Any type over null, then by count; a tie goes to the type met first (the newest). */
function usualType(types: Seen['types']): [ValueType, { example: Example }] {
  return [...types].sort(([ta, a], [tb, b]) => Number(ta === 'null') - Number(tb === 'null') || b.count - a.count || a.order - b.order)[0]!;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function typeOf(value: unknown): ValueType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' ? type : 'object';
}

function exampleOf(value: unknown): Example {
  if (typeof value === 'string') {
    if (value.length <= MAX_EXAMPLE) return value;
    // Not between the halves of a surrogate pair (an emoji): the cut must stay valid text.
    const end = /[\ud800-\udbff]/.test(value[MAX_EXAMPLE - 1]!) ? MAX_EXAMPLE - 1 : MAX_EXAMPLE;
    return value.slice(0, end);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return null;
}

/** Code-unit order, the same on every machine (localeCompare is not). */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
