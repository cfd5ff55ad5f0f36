/** Access keys, stored as SHA-256 hashes only, with a name and the key's first characters to tell them apart. */
import type pg from 'pg';
import type { ApiKeyRecord, KeyRemoval } from '../store.ts';
import type { Row } from '../rows.ts';
import { transaction } from './connection.ts';

const toRecord = (r: Row): ApiKeyRecord => ({
  hash: r.hash as string,
  kind: r.kind as ApiKeyRecord['kind'],
  createdAt: r.created_at as number,
  name: (r.name as string | null) ?? null,
  prefix: (r.prefix as string | null) ?? null,
  lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
});

export async function listApiKeys(pool: pg.Pool): Promise<ApiKeyRecord[]> {
  const { rows } = await pool.query({ name: 'wm-keys', text: 'SELECT hash, kind, created_at, name, prefix, last_used_at FROM api_keys ORDER BY created_at, hash' });
  return rows.map(toRecord);
}

export async function touchApiKey(pool: pg.Pool, hash: string, at: number): Promise<void> {
  await pool.query({ name: 'wm-touch-key', text: 'UPDATE api_keys SET last_used_at = $1 WHERE hash = $2', values: [at, hash] });
}

const INSERT = 'INSERT INTO api_keys (hash, kind, created_at, name, prefix) VALUES ($1, $2, $3, $4, $5)';
const valuesOf = (key: ApiKeyRecord) => [key.hash, key.kind, key.createdAt, key.name ?? null, key.prefix ?? null];

export async function addApiKey(pool: pg.Pool, key: ApiKeyRecord): Promise<void> {
  await pool.query({ name: 'wm-add-key', text: INSERT, values: valuesOf(key) });
}

/**
 * The admin rows are locked before they are counted: two processes revoking the last two admin keys at once
 * would otherwise each see the other's key and remove both.
 */
export function removeApiKey(pool: pg.Pool, hash: string): Promise<KeyRemoval> {
  return transaction(pool, async (client) => {
    const admins = await client.query("SELECT hash FROM api_keys WHERE kind = 'admin' ORDER BY hash FOR UPDATE");
    const { rows } = await client.query('SELECT kind FROM api_keys WHERE hash = $1 FOR UPDATE', [hash]);
    if (rows.length === 0) return 'unknown';
    if (rows[0].kind === 'admin' && admins.rows.length <= 1) return 'last_admin';
    await client.query('DELETE FROM api_keys WHERE hash = $1', [hash]);
    return 'removed';
  });
}

export function replaceApiKey(pool: pg.Pool, oldHash: string, key: ApiKeyRecord): Promise<boolean> {
  return transaction(pool, async (client) => {
    const { rowCount } = await client.query('DELETE FROM api_keys WHERE hash = $1', [oldHash]);
    if (!rowCount) return false;
    await client.query(INSERT, valuesOf(key));
    return true;
  });
}
