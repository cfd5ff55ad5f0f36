import { useState } from 'react';
import type { Journey } from '../api/client.ts';
import { actionsFor } from '../lib/format.ts';
import { can } from '../lib/roles.ts';
import { useStore, type LifecycleAction } from '../store/index.ts';
import { Dialog } from './Dialog.tsx';
import { PublishDialog } from './publish/PublishDialog.tsx';
import { VersionsPanel } from './publish/VersionsPanel.tsx';

const LABEL: Record<LifecycleAction, string> = { publish: 'Publish', pause: 'Pause', resume: 'Resume', stop: 'Stop' };

/** The lifecycle buttons a journey's status allows, and Duplicate. Stop asks first: it cannot be undone. */
export function JourneyActions({ journey, compact = false }: { journey: Journey; compact?: boolean }) {
  const lifecycle = useStore((s) => s.lifecycle);
  const duplicate = useStore((s) => s.duplicate);
  const busy = useStore((s) => s.busy);
  const canEdit = useStore((s) => can(s.role, 'edit'));
  const [confirmStop, setConfirmStop] = useState(false);
  const [panel, setPanel] = useState<'publish' | 'versions' | null>(null);
  const size = compact ? ' small' : '';
  const name = journey.name;

  // A viewer changes nothing: of the actions, only the versions to read.
  if (!canEdit) {
    return (
      <div className="actions">
        {!compact && journey.version !== null && (
          <button type="button" className="button" onClick={() => setPanel('versions')}>
            Versions
          </button>
        )}
        {panel === 'versions' && <VersionsPanel journey={journey} onClose={() => setPanel(null)} />}
      </div>
    );
  }

  return (
    <div className="actions">
      {/* On its page, a journey that has run can publish its draft again as a new version. */}
      {(!compact && journey.version !== null && journey.status !== 'stopped' ? (['publish', ...actionsFor(journey.status)] as const) : actionsFor(journey.status)).map((action) => (
        <button
          key={action}
          type="button"
          className={`button${size}${action === 'stop' ? ' danger-ghost' : action === 'publish' ? ' primary' : ''}`}
          disabled={!!busy[`${action}:${journey.id}`]}
          aria-label={compact ? `${LABEL[action]} ${name}` : undefined}
          onClick={() => (action === 'stop' ? setConfirmStop(true) : action === 'publish' ? setPanel('publish') : void lifecycle(journey.id, action))}
        >
          {LABEL[action]}
        </button>
      ))}
      {!compact && journey.version !== null && (
        <button type="button" className="button" onClick={() => setPanel('versions')}>
          Versions
        </button>
      )}
      <button
        type="button"
        className={`button${size}`}
        disabled={!!busy[`duplicate:${journey.id}`]}
        aria-label={compact ? `Duplicate ${name}` : undefined}
        onClick={() => void duplicate(journey.id)}
      >
        Duplicate
      </button>
      {panel === 'publish' && <PublishDialog journey={journey} onClose={() => setPanel(null)} />}
      {panel === 'versions' && <VersionsPanel journey={journey} onClose={() => setPanel(null)} />}
      {confirmStop && (
        <Dialog title={`Stop “${name}”?`} onClose={() => setConfirmStop(false)}>
          <p>No one new will enter, and everyone in the journey now leaves it. A stopped journey cannot be resumed.</p>
          <div className="dialog-actions">
            <button type="button" className="button" onClick={() => setConfirmStop(false)} autoFocus>
              Keep running
            </button>
            <button
              type="button"
              className="button danger"
              onClick={() => {
                setConfirmStop(false);
                void lifecycle(journey.id, 'stop');
              }}
            >
              Stop journey
            </button>
          </div>
        </Dialog>
      )}
    </div>
  );
}
