import { useState, type FormEvent } from 'react';
import { MIN_PASSWORD } from '../../lib/passwords.ts';
import { useStore } from '../../store/index.ts';
import type { Role } from '../../store/session.ts';

/** Adds a person: email, name, role and an initial password to give them (they can change it). */
export function NewMemberForm() {
  const addMember = useStore((s) => s.addMember);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('editor');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const ready = email.trim() !== '' && password.length >= MIN_PASSWORD;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!ready || pending) return;
    setPending(true);
    const failed = await addMember({ email: email.trim(), role, password, ...(name.trim() ? { name: name.trim() } : {}) });
    setPending(false);
    setError(failed);
    if (failed === null) {
      setEmail('');
      setName('');
      setPassword('');
    }
  };

  return (
    <form className="panel section-card inline-form" onSubmit={submit} aria-labelledby="new-member-title" noValidate>
      <h2 id="new-member-title">Add a person</h2>
      <div className="inline-fields">
        <div className="grow">
          <label htmlFor="member-email">Email</label>
          <input id="member-email" type="email" autoComplete="off" value={email} onChange={(event) => setEmail(event.target.value)} />
        </div>
        <div className="grow">
          <label htmlFor="member-name">Name (optional)</label>
          <input id="member-name" value={name} maxLength={100} onChange={(event) => setName(event.target.value)} />
        </div>
        <div>
          <label htmlFor="member-role">Role</label>
          <select id="member-role" value={role} onChange={(event) => setRole(event.target.value as Role)}>
            <option value="viewer">Viewer</option>
            <option value="editor">Editor</option>
            <option value="admin">Admin</option>
          </select>
        </div>
        <div className="grow">
          <label htmlFor="member-password">Initial password</label>
          <input
            id="member-password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            aria-describedby="member-password-hint"
          />
        </div>
        <button type="submit" className="button primary" disabled={pending || !ready}>
          {pending ? 'Adding…' : 'Add'}
        </button>
      </div>
      <p id="member-password-hint" className="hint">
        At least {MIN_PASSWORD} characters. Give it to them privately; they can change it after signing in.
      </p>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
