/**
 * Dashboard users (the team): made, changed and removed by admins (routes/team.ts, `waymark users`). The
 * password is hashed here (passwords.ts) and the hash never leaves the store: views carry everything else.
 * The store keeps the one rule that spans users: the last enabled admin user stays (store.updateDashboardUser).
 */
import { randomUUID } from 'node:crypto';
import type { DashboardRole, DashboardUserRecord, DashboardUserWrite, Store } from '../store/store.ts';
import { ApiError } from './errors.ts';
import { hashPassword } from './passwords.ts';

export interface DashboardUserView {
  id: string;
  email: string;
  name: string;
  role: DashboardRole;
  disabled: boolean;
  createdAt: number;
  lastSignInAt: number | null;
}

export function userView({ id, email, name, role, disabled, createdAt, lastSignInAt }: DashboardUserRecord): DashboardUserView {
  return { id, email, name, role, disabled, createdAt, lastSignInAt };
}

/** A name for a user made without one: the email's local part. */
const nameOf = (email: string) => email.split('@')[0]!;

export async function createDashboardUser(
  store: Store,
  input: { email: string; name?: string; role: DashboardRole; password: string },
  now: number,
): Promise<DashboardUserView> {
  const record: DashboardUserRecord = {
    id: randomUUID(),
    email: input.email.trim(),
    name: input.name?.trim() || nameOf(input.email.trim()),
    role: input.role,
    password: await hashPassword(input.password),
    disabled: false,
    createdAt: now,
    lastSignInAt: null,
  };
  if (!(await store.addDashboardUser(record))) {
    throw new ApiError(409, `a user with the email "${record.email}" already exists`, [{ path: '/email', message: 'is already in use' }]);
  }
  return userView(record);
}

export async function changeDashboardUser(
  store: Store,
  id: string,
  change: { name?: string; role?: DashboardRole; disabled?: boolean; password?: string },
): Promise<DashboardUserView> {
  const { password, ...rest } = change;
  const outcome = await store.updateDashboardUser(id, { ...rest, ...(password !== undefined ? { password: await hashPassword(password) } : {}) });
  refuse(outcome, id, 'demoted or disabled');
  return userView((await store.getDashboardUser(id))!);
}

export async function removeDashboardUser(store: Store, id: string): Promise<void> {
  refuse(await store.removeDashboardUser(id), id, 'removed');
}

function refuse(outcome: DashboardUserWrite, id: string, what: string): void {
  if (outcome === 'unknown') throw new ApiError(404, `no dashboard user "${id}"`);
  if (outcome === 'last_admin') {
    throw new ApiError(409, `this is the last enabled admin user: it cannot be ${what}; make another user admin first`);
  }
}
