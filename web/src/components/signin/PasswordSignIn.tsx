import { useState, type FormEvent } from 'react';
import { useStore } from '../../store/index.ts';
import { SignInError } from './SignInError.tsx';

/** A team member's sign-in: email and password. */
export function PasswordSignIn() {
  const signIn = useStore((s) => s.signIn);
  const error = useStore((s) => s.signInError);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState(false);
  const ready = email.trim() !== '' && password !== '';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!ready || pending) return;
    setPending(true);
    await signIn({ email, password });
    setPending(false);
  };

  return (
    <form onSubmit={submit} noValidate>
      <label htmlFor="signin-email">Email</label>
      <input id="signin-email" name="email" type="email" autoComplete="username" value={email} onChange={(event) => setEmail(event.target.value)} autoFocus />
      <label htmlFor="signin-password">Password</label>
      <input
        id="signin-password"
        name="password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'signin-error' : undefined}
      />
      <SignInError error={error} />
      <button type="submit" className="button primary wide" disabled={pending || !ready}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
