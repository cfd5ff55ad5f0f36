import { DeadLetterBar } from '../components/messages/DeadLetterBar.tsx';
import { MessageFilters } from '../components/messages/MessageFilters.tsx';
import { MessageTable } from '../components/messages/MessageTable.tsx';
import { NoticeBar } from '../components/NoticeBar.tsx';
import { useZone } from '../components/Time.tsx';
import { formatCount } from '../lib/format.ts';
import { can } from '../lib/roles.ts';
import { useStore } from '../store/index.ts';
import { useTitle } from '../components/useTitle.ts';
import '../styles/pages.css';

/** The message log: every message the journeys sent or tried to, filtered, a page at a time. */
export function MessagesPage() {
  const log = useStore((s) => s.messageLog);
  const moreMessages = useStore((s) => s.moreMessages);
  const loadMessages = useStore((s) => s.loadMessages);
  const navigate = useStore((s) => s.navigate);
  const zone = useZone();
  const admin = useStore((s) => can(s.role, 'admin'));
  const filtered = Object.values(log.filters).some((v) => v && v.trim());

  useTitle('Messages');

  return (
    <main className="page">
      <div className="page-head">
        <div>
          <h1>Messages</h1>
          <p className="muted">Every message the journeys sent, skipped or failed to deliver, oldest first. Times are in {zone}.</p>
        </div>
      </div>
      <NoticeBar />
      <MessageFilters />
      {log.filters.status === 'dead' && admin && log.rows && log.rows.length > 0 && <DeadLetterBar />}
      {log.error && (
        <p className="notice notice-error" role="alert">
          {log.error}
        </p>
      )}
      {log.rows === null && !log.error && <div className="panel skeleton" role="status" aria-busy="true" aria-label="Loading messages" />}
      {log.rows && log.rows.length === 0 && !filtered && (
        <div className="panel empty">
          <h2>No messages yet</h2>
          <p className="muted">
            Messages appear here when a running journey reaches a send step. Publish a journey, then send its entry event to POST /v1/events.
          </p>
          <button type="button" className="button primary" onClick={() => navigate({ page: 'journeys' })}>
            Go to journeys
          </button>
        </div>
      )}
      {log.rows && log.rows.length === 0 && filtered && (
        <div className="panel empty">
          <h2>No messages match these filters</h2>
          <p className="muted">Choose another journey or user, or clear the filters to see every message.</p>
          <button type="button" className="button" onClick={() => void loadMessages({})}>
            Clear filters
          </button>
        </div>
      )}
      {log.rows && log.rows.length > 0 && (
        <>
          <MessageTable rows={log.rows} />
          <div className="list-foot">
            <span className="muted" role="status">
              {formatCount(log.rows.length)} {log.rows.length === 1 ? 'message' : 'messages'} shown{log.more ? '' : ', the end of the log'}
            </span>
            {log.more && (
              <button type="button" className="button small" disabled={log.loading} onClick={() => void moreMessages()}>
                {log.loading ? 'Loading…' : 'Load more messages'}
              </button>
            )}
          </div>
        </>
      )}
    </main>
  );
}
