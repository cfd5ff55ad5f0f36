import { useState } from 'react';
import { KeySignIn } from '../components/signin/KeySignIn.tsx';
import { PasswordSignIn } from '../components/signin/PasswordSignIn.tsx';
import { Logo } from '../components/Logo.tsx';
import { useStore } from '../store/index.ts';

/**
 * Sign-in by email and password, or with the admin key behind a toggle. A new server has no users yet: the
 * key is then offered first, to make the first admin user on the Team page.
 */
export function SignInPage() {
  const userSignIn = useStore((s) => s.userSignIn);
  const [byKey, setByKey] = useState(!userSignIn);

  return (
    <main className="signin">
      <div className="signin-card">
        <div className="signin-brand">
          <Logo size={40} />
          <span>Waymark</span>
        </div>
        <h1>Sign in</h1>
        {byKey ? <KeySignIn /> : <PasswordSignIn />}
        <button type="button" className="button ghost wide signin-switch" onClick={() => setByKey(!byKey)}>
          {byKey ? 'Use email and password instead' : 'Use an admin key instead'}
        </button>
      </div>
    </main>
  );
}
