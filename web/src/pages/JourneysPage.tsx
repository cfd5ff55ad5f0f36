import { useEffect, useState } from 'react';
import { JourneyTable } from '../components/JourneyTable.tsx';
import { NewJourneyDialog } from '../components/NewJourneyDialog.tsx';
import { NoticeBar } from '../components/NoticeBar.tsx';
import { RoleHint } from '../components/RoleHint.tsx';
import { formatCount } from '../lib/format.ts';
import { figuresOf } from '../lib/figures.ts';
import { can } from '../lib/roles.ts';
import { useStore } from '../store/index.ts';
import { useTitle } from '../components/useTitle.ts';

/** How often the list re-reads the counts while it is open. */
const REFRESH_MS = 15_000;

export function JourneysPage() {
  const journeys = useStore((s) => s.journeys);
  const error = useStore((s) => s.listError);
  const loadJourneys = useStore((s) => s.loadJourneys);
  const cursor = useStore((s) => s.journeysCursor);
  const loadMore = useStore((s) => s.loadMoreJourneys);
  const loadingMore = useStore((s) => !!s.busy['more-journeys']);
  const [creating, setCreating] = useState(false);
  const canEdit = useStore((s) => can(s.role, 'edit'));

  useTitle('Journeys');
  useEffect(() => {
    const timer = window.setInterval(() => void loadJourneys(), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [loadJourneys]);

  const live = journeys?.filter((r) => ['running', 'scheduled'].includes(r.journey.status)).length ?? 0;
  const entered = journeys?.reduce((sum, r) => sum + (figuresOf(r.stats).entered ?? 0), 0) ?? 0;
  const converted = journeys?.reduce((sum, r) => sum + (figuresOf(r.stats).converted ?? 0), 0) ?? 0;

  return (
    <main className="page">
      <div className="page-head">
        <div>
          <h1>Journeys</h1>
          <p className="muted">Automated paths that react to what your users do, and what they don’t.</p>
        </div>
        {canEdit ? (
          <button type="button" className="button primary" onClick={() => setCreating(true)}>
            New journey
          </button>
        ) : (
          <RoleHint need="edit" />
        )}
      </div>
      <NoticeBar />
      {journeys && journeys.length > 0 && (
        <section className="summary" aria-label="Summary">
          <div className="summary-item">
            <span className="summary-value">{formatCount(live)}</span>
            <span className="summary-label">Live journeys</span>
          </div>
          <div className="summary-item">
            <span className="summary-value">{formatCount(entered)}</span>
            <span className="summary-label">Users entered</span>
          </div>
          <div className="summary-item">
            <span className="summary-value">{formatCount(converted)}</span>
            <span className="summary-label">Conversions</span>
          </div>
        </section>
      )}
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {journeys === null && !error && <div className="panel skeleton" role="status" aria-busy="true" aria-label="Loading journeys" />}
      {journeys && journeys.length === 0 && (
        <div className="panel empty">
          <h2>No journeys yet</h2>
          <p className="muted">Create a draft here, or send a definition to POST /v1/journeys. The examples folder has ready-made ones.</p>
          {canEdit && (
            <button type="button" className="button primary" onClick={() => setCreating(true)}>
              New journey
            </button>
          )}
        </div>
      )}
      {journeys && journeys.length > 0 && <JourneyTable rows={journeys} />}
      {journeys && cursor !== null && (
        <div className="more">
          <button type="button" className="button" onClick={() => void loadMore()} disabled={loadingMore} aria-busy={loadingMore}>
            {loadingMore ? 'Loading…' : 'Show more journeys'}
          </button>
        </div>
      )}
      {creating && <NewJourneyDialog onClose={() => setCreating(false)} />}
    </main>
  );
}
