import type { Me, Role } from '../../store/session.ts';
import { Dialog } from '../Dialog.tsx';
import { PasswordForm } from './PasswordForm.tsx';
import '../../styles/account.css';

/** The signed-in user's own account, from the top bar: who they are, and changing their password. */
export function AccountDialog({ me, role, onClose }: { me: Me; role: Role; onClose: () => void }) {
  return (
    <Dialog title="Your account" onClose={onClose}>
      <dl className="account-facts">
        <dt>Name</dt>
        <dd>{me.name}</dd>
        <dt>Email</dt>
        <dd>{me.email}</dd>
        <dt>Role</dt>
        <dd>
          <span className={`role-badge role-${role}`}>{role}</span>
        </dd>
      </dl>
      <PasswordForm email={me.email} onClose={onClose} />
    </Dialog>
  );
}
