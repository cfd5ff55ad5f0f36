/**
 * Opening a store, in one place: a postgres:// (or postgresql://) URL opens the PostgreSQL store, anything
 * else is a SQLite file. The PostgreSQL adapter (and the pg driver) is loaded only when asked for, so the
 * embedded store starts without it.
 */
import type { PostgresOptions } from './postgres/connection.ts';
import { checkShardLayout } from './shards/layout.ts';
import { ShardedStore } from './shards/sharded-store.ts';
import { SqliteStore, type SqliteOptions } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

/** The options of both adapters: each reads its own (durability for SQLite; schema, poolSize... for PostgreSQL). */
export type OpenStoreOptions = SqliteOptions & PostgresOptions;

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

export function isPostgresUrl(target: string): boolean {
  return POSTGRES_URL.test(target);
}

/** Where each store opened here keeps its data, fit to print (see storeLocation). */
const locations = new WeakMap<Store, string>();

/**
 * Opens (creating and migrating as needed) the store at `target`: a SQLite file path or a postgres:// URL. A
 * SQLite file of a database split into shards is refused: as a store of one file it would miss the others'
 * users (shards/layout.ts; openShardedStore opens it).
 */
export async function openStore(target: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (!isPostgresUrl(target)) {
    const store = openSqliteStore(target, options.durability !== undefined ? { durability: options.durability } : {});
    try {
      checkShardLayout(store, 1, target);
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }
  const { PostgresStore, redact } = await import('./postgres/postgres-store.ts');
  const { durability: _durability, checkpoints: _checkpoints, onCheckpointError: _onCheckpointError, ...postgres } = options;
  const store = await PostgresStore.open(target, postgres);
  locations.set(store, `PostgreSQL ${redact(target)}, schema ${store.schema}`);
  return store;
}

/** The SQLite store itself, for what only it offers (group commit, for simulations). */
export function openSqliteStore(file: string, options: SqliteOptions = {}): SqliteStore {
  const store = new SqliteStore(file, options);
  locations.set(store, `SQLite ${file}`);
  return store;
}

/** A database split into shards (shards/sharded-store.ts), the main file first. */
export function openShardedStore(files: readonly string[]): ShardedStore {
  const store = ShardedStore.open(files);
  locations.set(store, `SQLite ${files[0]} and ${files.length - 1} shard file${files.length > 2 ? 's' : ''} beside it`);
  return store;
}

/** "SQLite FILE" or "PostgreSQL URL (password masked), schema NAME" for a store opened by openStore. */
export function storeLocation(store: Store): string {
  return locations.get(store) ?? 'a store opened elsewhere';
}
