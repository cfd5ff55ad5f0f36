/**
 * Schema migrations for the PostgreSQL store: numbered .sql files in ./migrations, applied once, in order,
 * at start-up. Several processes may start at once against one database: they serialize on a session-level
 * advisory lock (one per schema), and each file runs in its own transaction together with its row in
 * schema_migrations. A released migration must never be edited: its checksum is recorded and checked.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export function migrationFiles(dir = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => /^\d+_.+\.sql$/.test(f))
    .sort();
  const migrations = files.map((name) => {
    const sql = readFileSync(dir + name, 'utf8');
    return { version: Number.parseInt(name, 10), name, sql, checksum: checksum(sql) };
  });
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version === migrations[i - 1]!.version) throw new Error(`two migrations numbered ${migrations[i]!.version}: ${migrations[i - 1]!.name}, ${migrations[i]!.name}`);
  }
  return migrations;
}

/** Line endings do not count, so a checkout with CRLF does not look like an edited migration. */
function checksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

/**
 * Applies the migrations the database lacks. `schema` (already validated as a plain identifier) is created
 * when missing; the client's search_path must already point at it.
 */
export async function migrate(client: pg.ClientBase, schema: string, lockKey: string, migrations = migrationFiles()): Promise<number[]> {
  await client.query('SELECT pg_advisory_lock($1::bigint)', [lockKey]);
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS "${schema}".schema_migrations (
         version     integer PRIMARY KEY,
         name        text NOT NULL,
         checksum    text NOT NULL,
         applied_at  timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ version: number; name: string; checksum: string }>(`SELECT version, name, checksum FROM "${schema}".schema_migrations ORDER BY version`);
    const applied = new Map(rows.map((r) => [r.version, r]));
    for (const m of migrations) {
      const done = applied.get(m.version);
      if (done && done.checksum !== m.checksum) {
        throw new Error(
          `migration ${m.name} was edited after it was applied to schema "${schema}" (as ${done.name}); never edit a released migration, add a new numbered file`,
        );
      }
    }
    const ran: number[] = [];
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query(`INSERT INTO "${schema}".schema_migrations (version, name, checksum) VALUES ($1, $2, $3)`, [m.version, m.name, m.checksum]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw new Error(`migration ${m.name} failed: ${(error as Error).message}`, { cause: error });
      }
      ran.push(m.version);
    }
    return ran;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [lockKey]).catch(() => {});
  }
}
