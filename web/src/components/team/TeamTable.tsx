import { useState } from 'react';
import { formatAgo } from '../../lib/format.ts';
import { useStore } from '../../store/index.ts';
import type { Role } from '../../store/session.ts';
import type { Member } from '../../store/team.ts';
import { ConfirmDialog } from '../ConfirmDialog.tsx';

/** The team: each person's role (changed in place), whether they may sign in, and their removal. */
export function TeamTable({ team }: { team: Member[] }) {
  const changeMember = useStore((s) => s.changeMember);
  const removeMember = useStore((s) => s.removeMember);
  const busy = useStore((s) => s.busy);
  const me = useStore((s) => s.me);
  const [removing, setRemoving] = useState<Member | null>(null);
  const now = Date.now();
  if (team.length === 0) return <p className="panel empty">No one yet: add the first admin above, then sign in with their email and password.</p>;
  return (
    <div className="panel table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Person</th>
            <th scope="col">Role</th>
            <th scope="col">State</th>
            <th scope="col">Last sign-in</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {team.map((member) => {
            const pending = Boolean(busy[`member:${member.id}`]);
            return (
              <tr key={member.id}>
                <td>
                  {member.name}
                  {me?.id === member.id && <span className="muted"> (you)</span>}
                  <div className="sub">{member.email}</div>
                </td>
                <td>
                  <select
                    className="role-select"
                    aria-label={`Role of ${member.email}`}
                    value={member.role}
                    disabled={pending}
                    onChange={(event) => void changeMember(member.id, { role: event.target.value as Role })}
                  >
                    <option value="viewer">Viewer</option>
                    <option value="editor">Editor</option>
                    <option value="admin">Admin</option>
                  </select>
                </td>
                <td>{member.disabled ? 'Disabled' : 'Active'}</td>
                <td>{member.lastSignInAt === null ? 'never' : formatAgo(member.lastSignInAt, now)}</td>
                <td className="row-actions">
                  <button type="button" className="button small" disabled={pending} onClick={() => void changeMember(member.id, { disabled: !member.disabled })}>
                    {member.disabled ? 'Enable' : 'Disable'}
                    <span className="visually-hidden"> {member.email}</span>
                  </button>
                  <button type="button" className="button small danger-ghost" disabled={pending} onClick={() => setRemoving(member)}>
                    Remove<span className="visually-hidden"> {member.email}</span>
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {removing && (
        <ConfirmDialog
          title="Remove this person?"
          text={`${removing.email} can no longer sign in; their open sessions end at once.`}
          action="Remove"
          onConfirm={() => void removeMember(removing.id)}
          onClose={() => setRemoving(null)}
        />
      )}
    </div>
  );
}
