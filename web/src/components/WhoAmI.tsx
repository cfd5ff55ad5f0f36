import { useState } from 'react';
import { useStore } from '../store/index.ts';
import { AccountDialog } from './account/AccountDialog.tsx';

/**
 * Who is signed in and as what: a user's name and role, which opens their account (to change their password),
 * or the admin key, which has no password to change.
 */
export function WhoAmI() {
  const me = useStore((s) => s.me);
  const role = useStore((s) => s.role);
  const [open, setOpen] = useState(false);
  if (!role) return null;
  const badge = <span className={`role-badge role-${role}`}>{role}</span>;
  if (!me) {
    return (
      <p className="whoami">
        <span className="visually-hidden">Signed in as </span>
        <span>Admin key</span>
        {badge}
      </p>
    );
  }
  return (
    <>
      <button type="button" className="whoami whoami-button" aria-haspopup="dialog" title={`${me.email}: your account and password`} onClick={() => setOpen(true)}>
        <span className="visually-hidden">Your account: signed in as </span>
        <span>{me.name}</span>
        {badge}
        <span className="whoami-caret" aria-hidden="true">
          ▾
        </span>
      </button>
      {open && <AccountDialog me={me} role={role} onClose={() => setOpen(false)} />}
    </>
  );
}
