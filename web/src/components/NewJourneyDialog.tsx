import { useState, type FormEvent } from 'react';
import { useStore } from '../store/index.ts';
import { Dialog } from './Dialog.tsx';

/** A new draft: a name and the event that lets users in; the rest is built through the API for now. */
export function NewJourneyDialog({ onClose }: { onClose: () => void }) {
  const createJourney = useStore((s) => s.createJourney);
  const busy = useStore((s) => !!s.busy.create);
  const [name, setName] = useState('');
  const [event, setEvent] = useState('');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await createJourney(name, event)) onClose();
  };

  return (
    <Dialog title="New journey" onClose={onClose}>
      <form onSubmit={submit} className="form">
        <div className="field">
          <label htmlFor="journey-name">Name</label>
          <input id="journey-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Welcome series" required maxLength={200} autoFocus />
        </div>
        <div className="field">
          <label htmlFor="journey-event">Users enter when they do</label>
          <input id="journey-event" value={event} onChange={(e) => setEvent(e.target.value)} placeholder="Signed Up" required maxLength={200} />
          <p className="hint">The event name as your app sends it to POST /v1/events.</p>
        </div>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={busy || !name.trim() || !event.trim()}>
            {busy ? 'Creating…' : 'Create draft'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
