/**
 * Pages of a list read by a keyset: the store fetches one row more than asked to know whether another page
 * follows, and the cursor is the last row's key, opaque to clients (base64url of a JSON array).
 */
export interface PageRequest {
  /** At most this many items. */
  limit: number;
  /** Where the previous page ended (its nextCursor); absent for the first page. */
  cursor?: string | undefined;
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null when this page is the last. */
  nextCursor: string | null;
}

type Key = Array<string | number>;

/** A cursor that this store did not hand out (or not for this list). */
export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not one this list handed out');
  }
}

export function encodeCursor(key: Key): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The key in a cursor, checked against the kinds of its parts; throws InvalidCursorError. */
export function decodeCursor(cursor: string, kinds: ReadonlyArray<'string' | 'number'>): Key {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  const valid =
    Array.isArray(key) &&
    key.length === kinds.length &&
    key.every((part, i) => (kinds[i] === 'number' ? Number.isSafeInteger(part) : typeof part === 'string' && part.length <= 1_000));
  if (!valid) throw new InvalidCursorError();
  return key as Key;
}

/** The page out of `limit + 1` rows fetched: the cursor is the last kept row's key when more followed. */
export function pageOf<T>(rows: T[], limit: number, keyOf: (item: T) => Key): Page<T> {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(keyOf(items[items.length - 1]!)) };
}
