/**
 * The foot of the settings drawer, which covers the editor bar: whether the copy is saved, its problems,
 * undo, and Save, held back with the reason while the server would refuse the draft (as the editor bar does).
 */
import { saveBlocker } from '../lib/problems.ts';
import { isDirty } from '../store/editor.ts';
import { useStore } from '../store/index.ts';

export function SaveBar() {
  const editor = useStore((s) => s.editor);
  const undo = useStore((s) => s.undo);
  const saveDraft = useStore((s) => s.saveDraft);
  if (!editor) return null;
  const dirty = isDirty(editor);
  const errors = editor.problems.filter((p) => p.severity === 'error').length;
  const blocker = saveBlocker(editor);
  const last = editor.past.at(-1);
  const status = editor.saving
    ? 'Saving…'
    : editor.checking
      ? 'Checking…'
      : errors > 0
        ? `${errors} ${errors === 1 ? 'problem' : 'problems'} to fix`
        : dirty
          ? 'Unsaved changes'
          : 'All changes saved';
  return (
    <div className="save-bar">
      <span className={`save-status${errors > 0 && !editor.checking ? ' bad' : ''}`} role="status">
        {status}
      </span>
      <button type="button" className="button small" disabled={!last} onClick={undo} title={last ? `Undo “${last.label}”` : undefined}>
        Undo
      </button>
      <button type="button" className="button small primary" disabled={!dirty || editor.saving || !!blocker} title={blocker ?? undefined} onClick={() => void saveDraft()}>
        {editor.saving ? 'Saving…' : 'Save draft'}
      </button>
    </div>
  );
}
