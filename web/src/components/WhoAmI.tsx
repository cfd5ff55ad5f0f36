import { useStore } from '../store/index.ts';

/** Who is signed in and as what: a user's name and role, or the admin key. */
export function WhoAmI() {
  const me = useStore((s) => s.me);
  const role = useStore((s) => s.role);
  if (!role) return null;
  return (
    <p className="whoami">
      <span className="visually-hidden">Signed in as </span>
      {me ? <span title={me.email}>{me.name}</span> : <span>Admin key</span>}
      <span className={`role-badge role-${role}`}>{role}</span>
    </p>
  );
}
