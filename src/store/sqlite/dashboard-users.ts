/**
 * Dashboard users: email (unique lowercased), role, the scrypt hash of the password (never the password).
 * A change or removal that would leave no enabled admin user, where there was one, is refused inside the
 * same synchronous transaction as its count, so two at once cannot both pass.
 */
import type { DashboardUserChange, DashboardUserRecord, DashboardUserWrite } from '../store.ts';
import type { Row } from '../rows.ts';
import type { Sql } from './connection.ts';

const toRecord = (r: Row): DashboardUserRecord => ({
  id: r.id as string,
  email: r.email as string,
  name: r.name as string,
  role: r.role as DashboardUserRecord['role'],
  password: r.password as string,
  disabled: r.disabled === 1,
  createdAt: r.created_at as number,
  lastSignInAt: (r.last_sign_in_at as number | null) ?? null,
});

const COLUMNS = 'id, email, name, role, password, disabled, created_at, last_sign_in_at';

export function listDashboardUsers(sql: Sql): DashboardUserRecord[] {
  return sql.all(`SELECT ${COLUMNS} FROM dashboard_users ORDER BY created_at, id`).map(toRecord);
}

export function getDashboardUser(sql: Sql, id: string): DashboardUserRecord | null {
  const row = sql.get(`SELECT ${COLUMNS} FROM dashboard_users WHERE id = ?`, id);
  return row ? toRecord(row) : null;
}

export function findDashboardUserByEmail(sql: Sql, email: string): DashboardUserRecord | null {
  const row = sql.get(`SELECT ${COLUMNS} FROM dashboard_users WHERE email_key = ?`, email.toLowerCase());
  return row ? toRecord(row) : null;
}

export function addDashboardUser(sql: Sql, user: DashboardUserRecord): boolean {
  const inserted = sql.run(
    `INSERT INTO dashboard_users (id, email, email_key, name, role, password, disabled, created_at, last_sign_in_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (email_key) DO NOTHING`,
    user.id, user.email, user.email.toLowerCase(), user.name, user.role, user.password, user.disabled ? 1 : 0, user.createdAt, user.lastSignInAt,
  );
  return inserted.changes === 1;
}

/** Whether `id` is an enabled admin and no other enabled admin exists. */
function lastAdmin(sql: Sql, id: string): boolean {
  const others = sql.get("SELECT count(*) AS n FROM dashboard_users WHERE role = 'admin' AND disabled = 0 AND id <> ?", id)!.n as number;
  return others === 0;
}

export function updateDashboardUser(sql: Sql, id: string, change: DashboardUserChange): DashboardUserWrite {
  return sql.transaction(() => {
    const user = getDashboardUser(sql, id);
    if (!user) return 'unknown';
    const next = { ...user, ...change };
    const wasAdmin = user.role === 'admin' && !user.disabled;
    if (wasAdmin && (next.role !== 'admin' || next.disabled) && lastAdmin(sql, id)) return 'last_admin';
    sql.run('UPDATE dashboard_users SET name = ?, role = ?, disabled = ?, password = ? WHERE id = ?', next.name, next.role, next.disabled ? 1 : 0, next.password, id);
    return 'done';
  });
}

export function removeDashboardUser(sql: Sql, id: string): DashboardUserWrite {
  return sql.transaction(() => {
    const user = getDashboardUser(sql, id);
    if (!user) return 'unknown';
    if (user.role === 'admin' && !user.disabled && lastAdmin(sql, id)) return 'last_admin';
    sql.run('DELETE FROM dashboard_users WHERE id = ?', id);
    return 'done';
  });
}

export function recordDashboardSignIn(sql: Sql, id: string, at: number): void {
  sql.run('UPDATE dashboard_users SET last_sign_in_at = ? WHERE id = ?', at, id);
}
