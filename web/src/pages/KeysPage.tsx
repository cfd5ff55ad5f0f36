import { KeyTable } from '../components/keys/KeyTable.tsx';
import { NewKeyForm } from '../components/keys/NewKeyForm.tsx';
import { NewKeyShown } from '../components/keys/NewKeyShown.tsx';
import { Page } from '../components/Page.tsx';
import { useStore } from '../store/index.ts';
import '../styles/access.css';

/** The API keys, for admins: make a write or admin key, rotate one, revoke one (not the last admin key). */
export function KeysPage() {
  const keys = useStore((s) => s.keys);
  const error = useStore((s) => s.keysError);
  return (
    <Page title="Keys" heading="API keys" lead="A write key only sends events and profiles: the one for an app or a backend. An admin key does everything." error={error}>
      <NewKeyShown />
      <NewKeyForm />
      {keys ? <KeyTable keys={keys} /> : !error && <div className="panel skeleton" role="status" aria-busy="true" aria-label="Loading the keys" />}
    </Page>
  );
}
