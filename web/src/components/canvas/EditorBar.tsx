import { useState, type ReactNode } from 'react';
import { saveBlocker } from '../../lib/problems.ts';
import { can } from '../../lib/roles.ts';
import { isDirty } from '../../store/editor.ts';
import { useStore } from '../../store/index.ts';
import type { CanvasActions } from './actions.ts';
import { RoleHint } from '../RoleHint.tsx';
import { ProblemsList } from './ProblemsList.tsx';

const MOD = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl+';
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/**
 * Above the canvas: undo and redo (their titles say what), tidy up, whether the copy is saved, the problems
 * the server finds (a list to pick from), the journey settings (`settings`), and Save, held back with the
 * reason while the server would refuse the draft. A role that cannot edit (a viewer) gets none of the editing
 * controls, nor the problems (the server checks drafts only for those who may change them), but a line saying so.
 */
export function EditorBar({ actions, settings, readOnly }: { actions: CanvasActions; settings?: ReactNode; readOnly: boolean }) {
  const undoLabel = useStore((s) => s.editor?.past.at(-1)?.label ?? null);
  const redoLabel = useStore((s) => s.editor?.future[0]?.label ?? null);
  const dirty = useStore((s) => isDirty(s.editor));
  const saving = useStore((s) => !!s.editor?.saving);
  const checking = useStore((s) => !!s.editor?.checking);
  const blocker = useStore((s) => (s.editor ? saveBlocker(s.editor) : null));
  const errors = useStore((s) => s.editor?.problems.filter((p) => p.severity === 'error').length ?? 0);
  const warnings = useStore((s) => s.editor?.problems.filter((p) => p.severity === 'warning').length ?? 0);
  const editable = useStore((s) => can(s.role, 'edit'));
  const { undo, redo, saveDraft } = useStore.getState();
  const [listOpen, setListOpen] = useState(false);

  const state = saving ? 'Saving…' : !dirty ? 'All changes saved' : blocker ? `Unsaved: fix ${plural(errors, 'problem')} to save` : 'Unsaved changes';
  const summary = errors + warnings === 0 ? (checking ? 'Checking…' : 'No problems') : [errors > 0 && plural(errors, 'problem'), warnings > 0 && plural(warnings, 'warning')].filter(Boolean).join(' · ');

  return (
    <div className="editor-bar" role="group" aria-label="Editing">
      {!readOnly && (
        <>
          <button type="button" className="button small" onClick={undo} disabled={!undoLabel} title={undoLabel ? `Undo “${undoLabel}” (${MOD}Z)` : 'Nothing to undo'}>
            Undo
          </button>
          <button type="button" className="button small" onClick={redo} disabled={!redoLabel} title={redoLabel ? `Redo “${redoLabel}” (${MOD}Shift+Z)` : 'Nothing to redo'}>
            Redo
          </button>
          <button type="button" className="button small" onClick={actions.tidy} title="Lay every step out afresh, top to bottom (undoable)">
            Tidy up
          </button>
          <span className={`save-state${dirty ? ' unsaved' : ''}`} role="status">
            {state}
          </span>
        </>
      )}
      <RoleHint need="edit" />
      <span className="editor-bar-end">
        {editable && (
          <button
            type="button"
            className={`button small problems-toggle${errors > 0 ? ' has-errors' : warnings > 0 ? ' has-warnings' : ''}`}
            aria-expanded={listOpen}
            aria-controls="problems-list"
            onClick={() => setListOpen((open) => !open)}
          >
            {summary}
          </button>
        )}
        {settings}
        {!readOnly && (
          <button type="button" className="button small primary" onClick={() => void saveDraft()} disabled={!dirty || saving || !!blocker} title={blocker ?? `Save the draft (${MOD}S)`}>
            {saving ? 'Saving…' : 'Save draft'}
          </button>
        )}
      </span>
      {listOpen && <ProblemsList actions={actions} onClose={() => setListOpen(false)} />}
    </div>
  );
}
