import { can, cannotHint } from '../lib/roles.ts';
import { useStore } from '../store/index.ts';

/** Where controls are missing because of the signed-in role, one short line saying why; nothing for a role that has them. */
export function RoleHint({ need, className = '' }: { need: 'edit' | 'admin'; className?: string }) {
  const role = useStore((s) => s.role);
  if (can(role, need)) return null;
  return <p className={`role-hint ${className}`.trim()}>{cannotHint(role, need)}</p>;
}
