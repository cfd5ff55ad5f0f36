/**
 * The journey's settings in a side drawer, in three tabs: Setup (name, time zone, timeline, re-entry,
 * timeout, control group, quiet hours), Entry (the entry node's trigger) and Goals. Changes go through the
 * editor slice like the node forms', with the server's problems beside each field.
 */
import { useRef, useState, type KeyboardEvent } from 'react';
import type { Journey } from '../api/client.ts';
import { FieldErrors, ProblemsContext, useCurrentProblems } from '../forms/fields/Field.tsx';
import { EntryForm } from '../forms/entry.tsx';
import { GoalsForm } from '../forms/goals.tsx';
import { SaveBar } from '../forms/SaveBar.tsx';
import { SetupForm } from '../forms/setup.tsx';
import { useDraftEdit, useNodeForm } from '../forms/types.ts';
import type { Draft } from '../lib/draft.ts';
import { problemsWithin } from '../lib/field-problems.ts';
import { useStore } from '../store/index.ts';
import { Dialog } from './Dialog.tsx';
import { useEditing } from './NodePanel.tsx';
import { RoleHint } from './RoleHint.tsx';
import '../styles/forms.css';
import '../styles/journey-settings.css';

type Tab = 'setup' | 'entry' | 'goals';
const TABS: { id: Tab; label: string }[] = [
  { id: 'setup', label: 'Setup' },
  { id: 'entry', label: 'Entry' },
  { id: 'goals', label: 'Goals' },
];

export function JourneySettings({ journey, onClose, readOnly = false, initialTab = 'setup' }: { journey: Journey; onClose: () => void; readOnly?: boolean; initialTab?: Tab }) {
  const editing = useEditing(journey);
  const [tab, setTab] = useState<Tab>(initialTab);
  const draft = useStore((s) => s.editor?.current.draft) as unknown as Draft | undefined;
  const problems = useCurrentProblems();
  const editDraft = useDraftEdit();
  const tabs = useRef<Record<Tab, HTMLButtonElement | null>>({ setup: null, entry: null, goals: null });
  const entryIndex = draft?.nodes.findIndex((n) => n.kind === 'entry') ?? -1;

  // How many problems each tab holds, so one hidden behind another tab is not missed.
  const counts: Record<Tab, number> = {
    setup: problemsWithin(problems, '/setup').length + problemsWithin(problems, '/name').length + problemsWithin(problems, '/description').length,
    entry: entryIndex < 0 ? 0 : problemsWithin(problems, `/nodes/${entryIndex}`).length,
    goals: problemsWithin(problems, '/goals').length,
  };

  const onTabKey = (event: KeyboardEvent) => {
    const i = TABS.findIndex((t) => t.id === tab);
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = TABS[(i + step + TABS.length) % TABS.length]!.id;
    setTab(next);
    tabs.current[next]?.focus();
  };

  return (
    <Dialog title="Journey settings" onClose={onClose}>
      <div className="settings" data-drawer>
        <button type="button" className="button ghost small settings-close" onClick={onClose} aria-label="Close settings">
          ×
        </button>
        <RoleHint need="edit" className="panel-hint" />
        <div className="tabs" role="tablist" aria-label="Settings sections" onKeyDown={onTabKey}>
          {TABS.map((t) => (
            <button
              key={t.id}
              ref={(el) => {
                tabs.current[t.id] = el;
              }}
              type="button"
              role="tab"
              id={`settings-tab-${t.id}`}
              aria-selected={tab === t.id}
              aria-controls={`settings-panel-${t.id}`}
              tabIndex={tab === t.id ? 0 : -1}
              className={`tab${tab === t.id ? ' active' : ''}`}
              onClick={() => setTab(t.id)}
            >
              {t.label}
              {counts[t.id] > 0 && (
                <span className="tab-problems" aria-label={`${counts[t.id]} problems`}>
                  {counts[t.id]}
                </span>
              )}
            </button>
          ))}
        </div>
        <ProblemsContext.Provider value={problems}>
          <div className="settings-body" role="tabpanel" id={`settings-panel-${tab}`} aria-labelledby={`settings-tab-${tab}`}>
            <fieldset className="form-frame" disabled={readOnly}>
              {!editing || !draft ? (
                <p className="muted">Loading…</p>
              ) : tab === 'setup' ? (
                <SetupForm draft={draft} editDraft={editDraft} />
              ) : tab === 'entry' ? (
                entryIndex < 0 ? <FieldErrors problems={['This journey has no entry node: add one on the canvas.']} /> : <EntryTab nodeId={draft.nodes[entryIndex]!.id} />
              ) : (
                <GoalsForm draft={draft} editDraft={editDraft} />
              )}
            </fieldset>
          </div>
        </ProblemsContext.Provider>
        {!readOnly && <SaveBar />}
      </div>
    </Dialog>
  );
}

function EntryTab({ nodeId }: { nodeId: string }) {
  const form = useNodeForm(nodeId);
  return form ? <EntryForm key={nodeId} {...form} /> : null;
}
