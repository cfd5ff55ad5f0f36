/**
 * The advisory locks that serialize a user's units of work across processes (the rules are in
 * units-of-work.ts), and the fixed order every process takes row locks in.
 */
import type pg from 'pg';
import type { Row } from '../rows.ts';
import type { Client } from './connection.ts';
import { unique } from './pg-rows.ts';

/**
 * The advisory lock key that serializes a user's units of work: 53 bits of a hash of (schema, user id), so
 * the number round-trips exactly through a double. A collision only makes two users share a lock.
 */
export function userLockKey(schema: string, userId: string): number {
  return hash53(`waymark:${schema}:user:${userId}`);
}

/** cyrb53: a fast, well-mixed 53-bit string hash (collisions only make two users share a lock). */
export function hash53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Blocks until this transaction holds every user's lock, taken in ascending key order (no deadlock). */
export async function lockUsers(c: Client, schema: string, users: string[]): Promise<void> {
  const keys = unique(users.map((u) => userLockKey(schema, u))).sort((a, b) => a - b);
  // unnest yields the array in order and the function runs row by row, so the locks are taken in order.
  await c.query({ name: 'wm-lock-users', text: 'SELECT count(pg_advisory_xact_lock(k)) FROM unnest($1::bigint[]) AS k', values: [keys.map(String)] });
}

/**
 * Takes the locks of these users that are free, waiting for none (the timer claim); returns whether a user's
 * lock is now held by this transaction.
 */
export async function tryLockUsers(c: Client, schema: string, users: string[]): Promise<(userId: string) => boolean> {
  const keys = unique(users.map((u) => userLockKey(schema, u)));
  const { rows } = await c.query({
    name: 'wm-try-lock-users',
    text: 'SELECT k::text AS k, pg_try_advisory_xact_lock(k) AS ok FROM unnest($1::bigint[]) AS k',
    values: [keys.map(String)],
  });
  const locked = new Set((rows as Row[]).filter((r) => r.ok === true).map((r) => Number(r.k)));
  return (userId) => locked.has(userLockKey(schema, userId));
}

/**
 * Runs `fn` holding a session advisory lock of (schema, name) on a connection of its own: processes on one
 * schema run it one at a time (Store.exclusively). The lock goes with the session if the process dies.
 */
export async function exclusively<T>(pool: pg.Pool, schema: string, name: string, fn: () => Promise<T>): Promise<T> {
  const key = String(hash53(`waymark:${schema}:${name}`));
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [key]);
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]);
    }
  } finally {
    client.release();
  }
}

/** Code-unit order: any fixed order works for locking, as long as every process uses the same one. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
