/** The project settings document, delivery providers, and the trait names profiles have had. */
import type { Channel } from '../../core/channels.ts';
import type { ProviderRecord } from '../store.ts';
import type { Sql } from './connection.ts';

export function getSettings(sql: Sql): Record<string, unknown> {
  const row = sql.get('SELECT document FROM settings WHERE id = 1');
  return row ? JSON.parse(row.document as string) : {};
}

export function saveSettings(sql: Sql, settings: Record<string, unknown>, now: number): void {
  sql.run(
    'INSERT INTO settings (id, document, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at',
    JSON.stringify(settings),
    now,
  );
}

export function traitNames(sql: Sql): Set<string> {
  return new Set(sql.all('SELECT name FROM trait_names ORDER BY name').map((r) => r.name as string));
}

export function listProviders(sql: Sql): ProviderRecord[] {
  return sql.all('SELECT channel, config, updated_at FROM providers ORDER BY channel').map((r) => ({ channel: r.channel as Channel, config: JSON.parse(r.config as string), updatedAt: r.updated_at as number }));
}

export function saveProvider(sql: Sql, channel: Channel, config: Record<string, unknown>, now: number): void {
  sql.run(
    'INSERT INTO providers (channel, config, updated_at) VALUES (?, ?, ?) ON CONFLICT (channel) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at',
    channel,
    JSON.stringify(config),
    now,
  );
}

export function removeProvider(sql: Sql, channel: Channel): boolean {
  return sql.run('DELETE FROM providers WHERE channel = ?', channel).changes === 1;
}

export function secret(sql: Sql, name: string, make: () => string, now: number): string {
  sql.run('INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING', name, make(), now);
  return sql.get('SELECT value FROM secrets WHERE name = ?', name)!.value as string;
}
