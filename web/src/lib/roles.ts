/**
 * What a role may do, for hiding controls it cannot use. The levels mirror the server's access levels
 * (src/api/auth.ts, docs/security.md): read is viewer and up, edit is editor and up, admin is admin. The server
 * decides regardless: this only spares a person buttons that would be refused.
 */
/** The server's roles (GET /v1/session's `role`), written out so this file stands alone: a role the server adds fails the store's type check against it. */
export type Role = 'viewer' | 'editor' | 'admin';
export type Ability = 'read' | 'edit' | 'admin';

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };
const LEAST: Record<Ability, Role> = { read: 'viewer', edit: 'editor', admin: 'admin' };

/** read: journeys, stats, users, messages, settings. edit: also journeys' changes, backtests, previews, copy, test sends. admin: also keys, the team, providers, settings' changes. */
export function can(role: Role | null, what: Ability): boolean {
  return role !== null && RANK[role] >= RANK[LEAST[what]];
}

/** The short line shown where a control is missing because of the role: what the role cannot do, and who can change that. */
export function cannotHint(role: Role | null, what: 'edit' | 'admin'): string {
  const who = role === 'viewer' ? 'Viewers' : role === 'editor' ? 'Editors' : 'You';
  return what === 'edit' ? `${who} can't change journeys: ask an admin for the editor role.` : `${who} can't change settings or providers: only an admin can.`;
}
