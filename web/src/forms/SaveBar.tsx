/**
 * The foot of the node panel and the settings: whether the copy has unsaved changes, how many problems the
 * server found, undo, and saving the draft. Saving refreshes the open journey, so the canvas shows it.
 */
import { isDirty } from '../store/editor.ts';
import { useStore } from '../store/index.ts';

export function SaveBar() {
  const editor = useStore((s) => s.editor);
  const undo = useStore((s) => s.undo);
  const saveDraft = useStore((s) => s.saveDraft);
  const loadJourney = useStore((s) => s.loadJourney);
  if (!editor) return null;
  const dirty = isDirty(editor);
  const count = editor.problems.length;
  const last = editor.past.at(-1);
  const status = editor.checking ? 'Checking…' : count > 0 ? `${count} ${count === 1 ? 'problem' : 'problems'} to fix` : dirty ? 'Unsaved changes' : 'All changes saved';
  return (
    <div className="save-bar">
      <span className={`save-status${count > 0 && !editor.checking ? ' bad' : ''}`} role="status">
        {status}
      </span>
      <button type="button" className="button small" disabled={!last} onClick={undo} title={last ? `Undo: ${last.label}` : undefined}>
        Undo
      </button>
      <button
        type="button"
        className="button small primary"
        disabled={!dirty || editor.saving}
        onClick={async () => {
          if (await saveDraft()) await loadJourney(editor.journeyId);
        }}
      >
        {editor.saving ? 'Saving…' : 'Save draft'}
      </button>
    </div>
  );
}
