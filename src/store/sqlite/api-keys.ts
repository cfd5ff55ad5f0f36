/** Access keys, stored as SHA-256 hashes only, with a name and the key's first characters to tell them apart. */
import type { ApiKeyRecord, KeyRemoval } from '../store.ts';
import type { Sql } from './connection.ts';

export function listApiKeys(sql: Sql): ApiKeyRecord[] {
  return sql.all('SELECT * FROM api_keys ORDER BY created_at, hash').map((r) => ({
    hash: r.hash as string,
    kind: r.kind as ApiKeyRecord['kind'],
    createdAt: r.created_at as number,
    name: (r.name as string | null) ?? null,
    prefix: (r.prefix as string | null) ?? null,
    lastUsedAt: (r.last_used_at as number | null) ?? null,
  }));
}

export function touchApiKey(sql: Sql, hash: string, at: number): void {
  sql.run('UPDATE api_keys SET last_used_at = ? WHERE hash = ?', at, hash);
}

export function addApiKey(sql: Sql, key: ApiKeyRecord): void {
  sql.run('INSERT INTO api_keys (hash, kind, created_at, name, prefix) VALUES (?, ?, ?, ?, ?)', key.hash, key.kind, key.createdAt, key.name ?? null, key.prefix ?? null);
}

/** One synchronous transaction: nothing can add or remove an admin key between the count and the delete. */
export function removeApiKey(sql: Sql, hash: string): KeyRemoval {
  return sql.transaction(() => {
    const row = sql.get('SELECT kind FROM api_keys WHERE hash = ?', hash);
    if (!row) return 'unknown';
    if (row.kind === 'admin' && (sql.get("SELECT count(*) AS n FROM api_keys WHERE kind = 'admin'")!.n as number) <= 1) return 'last_admin';
    sql.run('DELETE FROM api_keys WHERE hash = ?', hash);
    return 'removed';
  });
}

export function replaceApiKey(sql: Sql, oldHash: string, key: ApiKeyRecord): boolean {
  return sql.transaction(() => {
    if (sql.run('DELETE FROM api_keys WHERE hash = ?', oldHash).changes === 0) return false;
    addApiKey(sql, key);
    return true;
  });
}
