/**
 * Dashboard users: email (unique lowercased), role, the scrypt hash of the password (never the password).
 * A change or removal that could leave no enabled admin user first locks the admin rows, so two processes
 * demoting the last two admins at once cannot each count the other and both succeed.
 */
import type pg from 'pg';
import type { DashboardUserChange, DashboardUserRecord, DashboardUserWrite } from '../store.ts';
import type { Row } from '../rows.ts';
import { transaction, type Client } from './connection.ts';

const toRecord = (r: Row): DashboardUserRecord => ({
  id: r.id as string,
  email: r.email as string,
  name: r.name as string,
  role: r.role as DashboardUserRecord['role'],
  password: r.password as string,
  disabled: r.disabled as boolean,
  createdAt: Number(r.created_at),
  lastSignInAt: r.last_sign_in_at === null ? null : Number(r.last_sign_in_at),
});

const COLUMNS = 'id, email, name, role, password, disabled, created_at, last_sign_in_at';

export async function listDashboardUsers(pool: pg.Pool): Promise<DashboardUserRecord[]> {
  const { rows } = await pool.query(`SELECT ${COLUMNS} FROM dashboard_users ORDER BY created_at, id`);
  return rows.map(toRecord);
}

export async function getDashboardUser(pool: pg.Pool | Client, id: string, lock = ''): Promise<DashboardUserRecord | null> {
  const { rows } = await pool.query(`SELECT ${COLUMNS} FROM dashboard_users WHERE id = $1 ${lock}`, [id]);
  return rows.length > 0 ? toRecord(rows[0]) : null;
}

export async function findDashboardUserByEmail(pool: pg.Pool, email: string): Promise<DashboardUserRecord | null> {
  const { rows } = await pool.query(`SELECT ${COLUMNS} FROM dashboard_users WHERE email_key = $1`, [email.toLowerCase()]);
  return rows.length > 0 ? toRecord(rows[0]) : null;
}

export async function addDashboardUser(pool: pg.Pool, user: DashboardUserRecord): Promise<boolean> {
  const { rowCount } = await pool.query(
    `INSERT INTO dashboard_users (id, email, email_key, name, role, password, disabled, created_at, last_sign_in_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (email_key) DO NOTHING`,
    [user.id, user.email, user.email.toLowerCase(), user.name, user.role, user.password, user.disabled, user.createdAt, user.lastSignInAt],
  );
  return rowCount === 1;
}

/** Locks the enabled admins (in one order, so two of these cannot deadlock), then the user; null when no such user. */
async function lockAdminsAndUser(client: Client, id: string): Promise<{ user: DashboardUserRecord; otherAdmins: number } | null> {
  const admins = await client.query("SELECT id FROM dashboard_users WHERE role = 'admin' AND NOT disabled ORDER BY id FOR UPDATE");
  const user = await getDashboardUser(client, id, 'FOR UPDATE');
  if (!user) return null;
  return { user, otherAdmins: admins.rows.filter((r) => r.id !== id).length };
}

export function updateDashboardUser(pool: pg.Pool, id: string, change: DashboardUserChange): Promise<DashboardUserWrite> {
  return transaction(pool, async (client) => {
    const found = await lockAdminsAndUser(client, id);
    if (!found) return 'unknown';
    const next = { ...found.user, ...change };
    const wasAdmin = found.user.role === 'admin' && !found.user.disabled;
    if (wasAdmin && (next.role !== 'admin' || next.disabled) && found.otherAdmins === 0) return 'last_admin';
    await client.query('UPDATE dashboard_users SET name = $1, role = $2, disabled = $3, password = $4 WHERE id = $5', [next.name, next.role, next.disabled, next.password, id]);
    return 'done';
  });
}

export function removeDashboardUser(pool: pg.Pool, id: string): Promise<DashboardUserWrite> {
  return transaction(pool, async (client) => {
    const found = await lockAdminsAndUser(client, id);
    if (!found) return 'unknown';
    if (found.user.role === 'admin' && !found.user.disabled && found.otherAdmins === 0) return 'last_admin';
    await client.query('DELETE FROM dashboard_users WHERE id = $1', [id]);
    return 'done';
  });
}

export async function recordDashboardSignIn(pool: pg.Pool, id: string, at: number): Promise<void> {
  await pool.query('UPDATE dashboard_users SET last_sign_in_at = $1 WHERE id = $2', [at, id]);
}
