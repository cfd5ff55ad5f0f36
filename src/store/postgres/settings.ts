/**
 * The project's small tables (its access keys are api-keys.ts's): its settings document (frequency caps, ...), its
 * delivery providers (one document per channel), and every
 * trait name its profiles have had, for publish-time warnings (recorded, in name order, by the units of work
 * that write profiles: see apply-changes.ts).
 */
import type pg from 'pg';
import type { Channel } from '../../core/channels.ts';
import type { ProviderRecord } from '../store.ts';
import type { Row } from '../rows.ts';

export async function getSettings(pool: pg.Pool): Promise<Record<string, unknown>> {
  const { rows } = await pool.query({ name: 'wm-settings', text: 'SELECT document FROM settings WHERE id = 1' });
  return rows[0] ? (rows[0].document as Record<string, unknown>) : {};
}

export async function saveSettings(pool: pg.Pool, settings: Record<string, unknown>, now: number): Promise<void> {
  await pool.query({
    name: 'wm-save-settings',
    text: 'INSERT INTO settings (id, document, updated_at) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at',
    values: [JSON.stringify(settings), now],
  });
}

export async function traitNames(pool: pg.Pool): Promise<Set<string>> {
  const { rows } = await pool.query({ name: 'wm-trait-names', text: 'SELECT name FROM trait_names ORDER BY name' });
  return new Set((rows as Row[]).map((r) => r.name as string));
}

export async function listProviders(pool: pg.Pool): Promise<ProviderRecord[]> {
  const { rows } = await pool.query({ name: 'wm-providers', text: 'SELECT channel, config, updated_at FROM providers ORDER BY channel' });
  return (rows as Row[]).map((r) => ({ channel: r.channel as Channel, config: r.config as Record<string, unknown>, updatedAt: r.updated_at as number }));
}

export async function saveProvider(pool: pg.Pool, channel: Channel, config: Record<string, unknown>, now: number): Promise<void> {
  await pool.query({
    name: 'wm-save-provider',
    text: 'INSERT INTO providers (channel, config, updated_at) VALUES ($1, $2, $3) ON CONFLICT (channel) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at',
    values: [channel, JSON.stringify(config), now],
  });
}

export async function removeProvider(pool: pg.Pool, channel: Channel): Promise<boolean> {
  const result = await pool.query({ name: 'wm-remove-provider', text: 'DELETE FROM providers WHERE channel = $1', values: [channel] });
  return result.rowCount === 1;
}

export async function secret(pool: pg.Pool, name: string, make: () => string, now: number): Promise<string> {
  // The row kept is the first inserted, whoever inserted it. When another process inserted it meanwhile,
  // this statement's snapshot may not see it: read it again.
  const { rows } = await pool.query({
    name: 'wm-secret',
    text: `WITH made AS (INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING RETURNING value)
           SELECT value FROM made UNION ALL SELECT value FROM secrets WHERE name = $1 LIMIT 1`,
    values: [name, make(), now],
  });
  if (rows[0]) return rows[0].value as string;
  const again = await pool.query({ name: 'wm-secret-read', text: 'SELECT value FROM secrets WHERE name = $1', values: [name] });
  return again.rows[0].value as string;
}
