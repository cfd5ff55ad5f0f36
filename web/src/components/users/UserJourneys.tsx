import { withExplanations } from '../../lib/lists.ts';
import { useStore } from '../../store/index.ts';
import type { UserLookup } from '../../store/users.ts';
import { JourneyPass } from './JourneyPass.tsx';

/** The user's journeys, most recently changed first, each with why they did or did not get its messages. */
export function UserJourneys({ user }: { user: UserLookup }) {
  const moreJourneys = useStore((s) => s.moreJourneys);
  const { journeys, explained } = user;
  const items = journeys.items;
  const loading = journeys.loading || explained.loading;
  const more = journeys.cursor !== null || explained.cursor !== null;
  const error = journeys.error ?? explained.error;
  return (
    <section className="panel section-card" aria-labelledby="journeys-title" aria-busy={loading}>
      <div className="section-head">
        <h2 id="journeys-title">Journeys and messages</h2>
        <span className="muted">Most recently changed first</span>
      </div>
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {items === null && !error && <div className="skeleton short" role="status" aria-busy="true" aria-label="Loading journeys" />}
      {items && items.length === 0 && (
        <p className="muted empty-line">
          This user has not entered any journey. A journey starts for them when they send its entry event while it is running, or match its
          segment.
        </p>
      )}
      {items && items.length > 0 && (
        <div className="passes">
          {withExplanations(items, explained.items ?? []).map(({ instance, explained: why }) => (
            <JourneyPass key={instance.id} instance={instance} explained={why} explaining={explained.loading || explained.cursor !== null} />
          ))}
        </div>
      )}
      {more && (
        <button type="button" className="button small more" disabled={loading} onClick={() => void moreJourneys()}>
          {loading ? 'Loading…' : 'Load more journeys'}
        </button>
      )}
    </section>
  );
}
