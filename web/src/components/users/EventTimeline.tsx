import { useStore } from '../../store/index.ts';
import { EVENTS_MAX, type UserLookup } from '../../store/users.ts';
import { formatCount } from '../../lib/format.ts';
import { Time } from '../Time.tsx';

/** The user's events, newest first; each one's properties open on demand. */
export function EventTimeline({ events }: { events: UserLookup['events'] }) {
  const moreEvents = useStore((s) => s.moreEvents);
  const items = events.items;
  return (
    // Its own scroll beside the journeys: focusable so the keyboard can scroll it too.
    <section className="panel section-card events-card" aria-labelledby="events-title" aria-busy={events.loading} tabIndex={0}>
      <div className="section-head">
        <h2 id="events-title">Events</h2>
        {items && items.length > 0 && <span className="muted">Newest first · {formatCount(items.length)} shown</span>}
      </div>
      {events.error && (
        <p className="notice notice-error" role="alert">
          {events.error}
        </p>
      )}
      {items === null && !events.error && <div className="skeleton short" role="status" aria-busy="true" aria-label="Loading events" />}
      {items && items.length === 0 && <p className="muted empty-line">No events are recorded for this user. Events arrive through POST /v1/events.</p>}
      {items && items.length > 0 && (
        <ol className="timeline">
          {items.map((event) => {
            const count = Object.keys(event.properties).length;
            return (
              <li key={event.messageId} className="timeline-item">
                <span className="timeline-dot" aria-hidden="true" />
                <div className="timeline-body">
                  <div className="timeline-line">
                    <strong className="event-name">{event.name}</strong>
                    <span className="muted">
                      <Time at={event.timestamp} />
                    </span>
                  </div>
                  {count > 0 && (
                    <details className="props">
                      <summary>
                        {count} {count === 1 ? 'property' : 'properties'}
                        <span className="visually-hidden"> of {event.name}</span>
                      </summary>
                      <pre className="details-json">{JSON.stringify(event.properties, null, 2)}</pre>
                    </details>
                  )}
                </div>
              </li>
            );
          })}
        </ol>
      )}
      {events.more && (
        <button type="button" className="button small more" disabled={events.loading} onClick={() => void moreEvents()}>
          {events.loading ? 'Loading…' : 'Load more events'}
        </button>
      )}
      {items && !events.more && events.limit >= EVENTS_MAX && items.length >= EVENTS_MAX && (
        <p className="sub">The latest {formatCount(EVENTS_MAX)} events are shown; the API reads no further back.</p>
      )}
    </section>
  );
}
