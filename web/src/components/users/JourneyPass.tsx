import { exitText, INSTANCE_STATUS_LABEL } from '../../lib/reasons.ts';
import { localizeTimes } from '../../lib/zoned-time.ts';
import { useStore } from '../../store/index.ts';
import type { Explained, UserInstance } from '../../store/users.ts';
import { Time, useZone } from '../Time.tsx';
import { ExplainSteps } from './ExplainSteps.tsx';

/** One pass of the user through a journey: where they are or how they left, and each message's fate. */
export function JourneyPass({ instance, explained, explaining }: { instance: UserInstance; explained: Explained | null; explaining: boolean }) {
  const navigate = useStore((s) => s.navigate);
  const name = useStore((s) => s.journeyNames?.[instance.journeyId]);
  const zone = useZone();
  const title = name ?? instance.journeyId;
  const headingId = `pass-${instance.id}`;
  const inside = instance.status === 'active' || instance.status === 'pending';

  return (
    <article className="pass" aria-labelledby={headingId}>
      <header className="pass-head">
        <h3 id={headingId} className="pass-title">
          <a
            className="journey-link"
            href={`/journeys/${encodeURIComponent(instance.journeyId)}`}
            onClick={(event) => {
              event.preventDefault();
              navigate({ page: 'journey', id: instance.journeyId });
            }}
          >
            {title}
          </a>
        </h3>
        <span className="version">v{instance.version}</span>
        <span className={`pill instance-${instance.status}`}>{INSTANCE_STATUS_LABEL[instance.status] ?? instance.status}</span>
      </header>
      {explained && <p className="pass-summary">{sentenceCase(localizeTimes(explained.summary, zone))}.</p>}
      <dl className="facts">
        <div>
          {/* A pending user has not entered yet: the trigger came, the qualifying window has not passed. */}
          <dt>{instance.enteredAt === null ? 'Triggered' : 'Entered'}</dt>
          <dd>
            <Time at={instance.enteredAt ?? instance.createdAt} />
          </dd>
        </div>
        {inside && (
          <div>
            <dt>Current node</dt>
            <dd>{instance.nodeId ? <code>{instance.nodeId}</code> : <span className="muted">—</span>}</dd>
          </div>
        )}
        {instance.status === 'control' && (
          <div>
            <dt>Watched until</dt>
            <dd>
              <Time at={instance.timeoutAt} />
            </dd>
          </div>
        )}
        {instance.exit && (
          <>
            <div>
              <dt>Exited</dt>
              <dd>
                <Time at={instance.exit.at} />
              </dd>
            </div>
            <div>
              <dt>Why exited</dt>
              <dd>
                {exitText(instance.exit)}
                {instance.exit.nodeId && instance.exit.reason !== 'completed' && (
                  <>
                    {' '}
                    while at <code>{instance.exit.nodeId}</code>
                  </>
                )}
              </dd>
            </div>
          </>
        )}
      </dl>
      {explained ? (
        <ExplainSteps pass={explained} title={`Messages of ${title} for this user`} userId={instance.userId} />
      ) : (
        <p className="muted empty-line">{explaining ? 'Reading why each message was or was not sent…' : 'The server gave no explanation for this pass.'}</p>
      )}
    </article>
  );
}

function sentenceCase(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
