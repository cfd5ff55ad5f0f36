import { useEffect } from 'react';
import { KeyTable } from '../components/keys/KeyTable.tsx';
import { NewKeyForm } from '../components/keys/NewKeyForm.tsx';
import { NewKeyShown } from '../components/keys/NewKeyShown.tsx';
import { NoticeBar } from '../components/NoticeBar.tsx';
import { useStore } from '../store/index.ts';
import '../styles/pages.css';
import '../styles/access.css';

/** The API keys, for admins: make a write or admin key, rotate one, revoke one (not the last admin key). */
export function KeysPage() {
  const keys = useStore((s) => s.keys);
  const error = useStore((s) => s.keysError);

  useEffect(() => {
    document.title = 'Keys · Waymark';
  }, []);

  return (
    <main className="page narrow-page">
      <div className="page-head">
        <div>
          <h1>API keys</h1>
          <p className="muted">A write key only sends events and profiles: the one for an app or a backend. An admin key does everything.</p>
        </div>
      </div>
      <NoticeBar />
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <NewKeyShown />
      <NewKeyForm />
      {keys ? <KeyTable keys={keys} /> : !error && <div className="panel skeleton" role="status" aria-busy="true" aria-label="Loading the keys" />}
    </main>
  );
}
