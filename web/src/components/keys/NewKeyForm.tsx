import { useState, type FormEvent } from 'react';
import { useStore } from '../../store/index.ts';
import type { KeyKind } from '../../store/keys.ts';

/** Makes a key of a kind, with a name saying what it is for. */
export function NewKeyForm() {
  const createKey = useStore((s) => s.createKey);
  const busy = useStore((s) => Boolean(s.busy['key:create']));
  const [kind, setKind] = useState<KeyKind>('write');
  const [name, setName] = useState('');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim() || busy) return;
    await createKey(kind, name.trim());
    setName('');
  };

  return (
    <form className="panel section-card inline-form" onSubmit={submit} aria-labelledby="new-key-title">
      <h2 id="new-key-title">New key</h2>
      <div className="inline-fields">
        <div>
          <label htmlFor="new-key-kind">Kind</label>
          <select id="new-key-kind" value={kind} onChange={(event) => setKind(event.target.value as KeyKind)}>
            <option value="write">Write: sends events and profiles only</option>
            <option value="admin">Admin: everything</option>
          </select>
        </div>
        <div className="grow">
          <label htmlFor="new-key-name">Name</label>
          <input id="new-key-name" value={name} maxLength={100} placeholder="What it is for, e.g. iOS app" onChange={(event) => setName(event.target.value)} />
        </div>
        <button type="submit" className="button primary" disabled={busy || !name.trim()}>
          {busy ? 'Creating…' : 'Create key'}
        </button>
      </div>
    </form>
  );
}
