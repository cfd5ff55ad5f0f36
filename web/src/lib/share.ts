/**
 * Structural sharing for answers polled again and again: every part of a fresh answer equal to the old
 * answer's part is replaced by the old object, so an unchanged answer keeps its identity and a changed one
 * keeps it everywhere but along the changed paths. Memoized views (the canvas's cards) then skip the parts
 * that did not change. JSON only: plain objects, arrays and primitives.
 */
export function reuse<T>(old: T | null | undefined, fresh: T): T {
  return (old === null || old === undefined ? fresh : share(old, fresh)) as T;
}

function share(old: unknown, fresh: unknown): unknown {
  if (old === fresh) return old;
  if (Array.isArray(old) && Array.isArray(fresh)) {
    const items = fresh.map((item, i) => (i < old.length ? share(old[i], item) : item));
    return items.length === old.length && items.every((item, i) => item === old[i]) ? old : items;
  }
  if (isPlain(old) && isPlain(fresh)) {
    const keys = Object.keys(fresh);
    const out: Record<string, unknown> = {};
    let same = keys.length === Object.keys(old).length;
    for (const key of keys) {
      out[key] = Object.hasOwn(old, key) ? share(old[key], fresh[key]) : fresh[key];
      if (out[key] !== old[key] || !Object.hasOwn(old, key)) same = false;
    }
    return same ? old : out;
  }
  // Numbers compare by value (NaN never comes from JSON); anything else that differs is the fresh value.
  return fresh;
}

function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
