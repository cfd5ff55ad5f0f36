import { useStore } from '../../store/index.ts';
import type { UserProfile as Profile } from '../../store/users.ts';
import { Time } from '../Time.tsx';

/** A trait's value as text: strings as they are, anything else as JSON. */
function traitText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Who the user is: their traits, and when they were first and last seen. */
export function UserProfile({ profile }: { profile: Profile }) {
  const showMessages = useStore((s) => s.showMessages);
  const traits = Object.entries(profile.traits).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section className="panel user-card" aria-labelledby="profile-title">
      <div className="user-card-head">
        <div>
          <p className="eyebrow">User</p>
          <h2 id="profile-title" className="user-id">
            {profile.userId}
          </h2>
          {profile.mergedFrom !== undefined && (
            <p className="muted" role="note">
              You looked up {profile.mergedFrom}: an anonymous id merged into this user, so it reads as them.
            </p>
          )}
        </div>
        <a
          className="button small"
          href="/messages"
          onClick={(event) => {
            event.preventDefault();
            showMessages({ userId: profile.userId });
          }}
        >
          Their messages
        </a>
      </div>
      <dl className="facts">
        <div>
          <dt>First seen</dt>
          <dd>
            <Time at={profile.firstSeenAt} />
          </dd>
        </div>
        <div>
          <dt>Last seen</dt>
          <dd>
            <Time at={profile.lastSeenAt} />
          </dd>
        </div>
        <div>
          <dt>Profile updated</dt>
          <dd>{profile.updatedAt === null ? <span className="muted">No profile stored</span> : <Time at={profile.updatedAt} />}</dd>
        </div>
      </dl>
      <h3 id="traits-title">Traits</h3>
      {traits.length === 0 ? (
        <p className="muted">No traits. Send them with POST /v1/profiles: email, phone and pushToken are where messages go.</p>
      ) : (
        <dl className="traits" aria-labelledby="traits-title">
          {traits.map(([name, value]) => (
            <div key={name}>
              <dt>{name}</dt>
              <dd>{traitText(value)}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}
