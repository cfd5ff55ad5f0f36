/**
 * What a role may do, for hiding controls it cannot use. The server decides regardless (src/api/auth.ts):
 * this only spares a person buttons that would be refused.
 */
import type { Role } from '../store/session.ts';

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

/** edit: journeys, backtests, previews, copy, test sends. admin: also keys, the team, providers, settings. */
export function can(role: Role | null, what: 'edit' | 'admin'): boolean {
  return role !== null && RANK[role] >= RANK[what === 'edit' ? 'editor' : 'admin'];
}
