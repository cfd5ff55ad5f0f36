import { NoticeBar } from '../components/NoticeBar.tsx';
import { useZone } from '../components/Time.tsx';
import { EventTimeline } from '../components/users/EventTimeline.tsx';
import { UserJourneys } from '../components/users/UserJourneys.tsx';
import { UserProfile } from '../components/users/UserProfile.tsx';
import { UserSearch } from '../components/users/UserSearch.tsx';
import { useStore } from '../store/index.ts';
import type { UserLookup } from '../store/users.ts';
import { useTitle } from '../components/useTitle.ts';
import '../styles/pages.css';

/** User lookup: search by id, then the profile, the events, and each journey with why messages went or not. */
export function UsersPage({ id }: { id: string | null }) {
  const user = useStore((s) => (id !== null && s.user?.id === id ? s.user : null));
  const navigate = useStore((s) => s.navigate);
  const zone = useZone();

  useTitle(id ?? 'Users');

  return (
    <main className="page">
      <div className="page-head">
        <div>
          <h1>Users</h1>
          <p className="muted">Everything about one user: who they are, what they did, and why they got each message or not.</p>
        </div>
      </div>
      <NoticeBar />
      <UserSearch current={id} />
      {id === null && (
        <div className="panel empty">
          <h2>Look up a user by id</h2>
          <p className="muted">
            Type the userId your app sends with its events. The{' '}
            <a
              href="/messages"
              onClick={(event) => {
                event.preventDefault();
                navigate({ page: 'messages' });
              }}
            >
              message log
            </a>{' '}
            links each recipient here too.
          </p>
        </div>
      )}
      {id !== null && user && <Lookup user={user} zone={zone} />}
    </main>
  );
}

function Lookup({ user, zone }: { user: UserLookup; zone: string }) {
  if (user.profile === 'missing') {
    return (
      <div className="panel empty" role="status">
        <h2>No user “{user.id}”</h2>
        <p className="muted">
          Nothing is recorded for this id: no profile, events, journeys or messages. Ids are case-sensitive; check it against what your app sends.
        </p>
      </div>
    );
  }
  if (user.profileError) {
    return (
      <p className="notice notice-error" role="alert">
        {user.profileError}
      </p>
    );
  }
  if (user.profile === null) return <div className="panel skeleton" role="status" aria-busy="true" aria-label="Loading the user" />;
  return (
    <>
      <p className="zone-note muted">Times are in {zone}, the project’s time zone.</p>
      <div className="user-layout">
        <div className="user-main">
          <UserProfile profile={user.profile} />
          <UserJourneys user={user} />
        </div>
        <EventTimeline events={user.events} />
      </div>
    </>
  );
}
