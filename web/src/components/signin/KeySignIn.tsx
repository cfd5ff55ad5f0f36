import { useState, type FormEvent } from 'react';
import { useStore } from '../../store/index.ts';
import { SignInError } from './SignInError.tsx';

/** The admin key's sign-in: the way in on a new server, before anyone has a password. */
export function KeySignIn() {
  const signIn = useStore((s) => s.signIn);
  const error = useStore((s) => s.signInError);
  const [key, setKey] = useState('');
  const [pending, setPending] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!key.trim() || pending) return;
    setPending(true);
    await signIn({ key });
    setPending(false);
  };

  return (
    <>
      <p className="muted">Use the admin key that Waymark printed the first time the server started.</p>
      <form onSubmit={submit} noValidate>
        <label htmlFor="admin-key">Admin key</label>
        <input
          id="admin-key"
          name="key"
          type="password"
          autoComplete="current-password"
          spellCheck={false}
          placeholder="wm_admin_…"
          value={key}
          onChange={(event) => setKey(event.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'signin-error' : undefined}
          autoFocus
        />
        <SignInError error={error} />
        <button type="submit" className="button primary wide" disabled={pending || !key.trim()}>
          {pending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="signin-foot muted">
        Lost the key? Start the server with <code>WAYMARK_ADMIN_KEY</code> set on a new database, or see the README.
      </p>
    </>
  );
}
