import { useEffect, useState, type FormEvent } from 'react';
import { useStore } from '../../store/index.ts';

/** Find a user by id: the id goes into the address, so a lookup can be bookmarked and shared. */
export function UserSearch({ current }: { current: string | null }) {
  const navigate = useStore((s) => s.navigate);
  const [id, setId] = useState(current ?? '');
  useEffect(() => setId(current ?? ''), [current]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const wanted = id.trim();
    if (wanted) navigate({ page: 'users', id: wanted });
  };

  return (
    <form className="user-search panel" role="search" aria-label="Find a user" onSubmit={submit}>
      <div className="user-search-field">
        <label htmlFor="user-id">User id</label>
        <input
          id="user-id"
          value={id}
          onChange={(event) => setId(event.target.value)}
          placeholder="The userId your app sends with its events, e.g. u_1042"
          spellCheck={false}
          autoComplete="off"
          maxLength={200}
          autoFocus={current === null}
        />
      </div>
      <button type="submit" className="button primary" disabled={!id.trim()}>
        Look up
      </button>
    </form>
  );
}
