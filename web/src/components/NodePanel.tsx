/**
 * The side panel of the selected node: what its kind does, how many passed through it, and its form. Every
 * change goes through the editor slice (so undo, the editor bar's Save and the live checks see it); the
 * server's problems show next to the fields they are about, and those about the node as a whole at the top.
 */
import { useEffect } from 'react';
import type { Journey, Stats } from '../api/client.ts';
import { formFor } from '../forms/index.ts';
import { FieldErrors, ProblemsContext, useCurrentProblems, useProblems } from '../forms/fields/Field.tsx';
import { useNodeForm } from '../forms/types.ts';
import { formatCount } from '../lib/format.ts';
import { countersOf, kindLabel, type Registry } from '../lib/meta.ts';
import { useStore } from '../store/index.ts';
import { BranchLinks } from './BranchLinks.tsx';
import { RoleHint } from './RoleHint.tsx';
import '../styles/forms.css';

const COUNTER_LABEL: Record<string, string> = { goal: 'converted here' };
/** Kinds that hold users: their count of who is there now shows even at zero. */
const HOLDS = new Set(['delay', 'wait']);

/** Whether the editor holds `journey` (the journey page opens it), and the pickers' lists read. */
export function useEditing(journey: Journey): boolean {
  const editing = useStore((s) => s.editor?.journeyId === journey.id);
  const loadCatalog = useStore((s) => s.loadCatalog);
  useEffect(() => {
    void loadCatalog();
  }, [journey, loadCatalog]);
  return editing;
}

export function NodePanel({ journey, stats, registry, nodeId, readOnly = false, onClose }: { journey: Journey; stats: Stats | null; registry: Registry | null; nodeId: string; readOnly?: boolean; onClose: () => void }) {
  const editing = useEditing(journey);
  const problems = useCurrentProblems();
  const form = useNodeForm(nodeId);
  if (!editing || !form) return null;
  const { node } = form;
  const meta = registry?.nodes.find((n) => n.kind === node.kind);
  const counts = stats?.nodes.find((n) => n.nodeId === nodeId) as Record<string, number> | undefined;
  const counters = countersOf(node.kind, registry);
  // Who is at the node now, beside the counts of all time: a delay's users, or a send's held by quiet hours.
  const waiting = typeof counts?.waiting === 'number' && (counts.waiting > 0 || HOLDS.has(node.kind)) ? counts.waiting : null;
  const Form = formFor(node.kind);
  return (
    <aside className="details node-panel" aria-labelledby="details-title">
      <div className="node-panel-scroll">
        <div className="details-head">
          <div>
            <div className="eyebrow">{kindLabel(node.kind, registry)}</div>
            <h2 id="details-title">{node.id}</h2>
          </div>
          <button type="button" className="button ghost small" onClick={onClose} aria-label="Close details">
            ×
          </button>
        </div>
        {meta?.description && <p className="muted">{meta.description}</p>}
        <RoleHint need="edit" className="panel-hint" />
        {counts && (counters.length > 0 || waiting !== null) && (
          <dl className="details-stats">
            {counters.map((k) => (
              <div key={k}>
                <dt>{COUNTER_LABEL[k] ?? k}</dt>
                <dd>{formatCount(counts[k])}</dd>
              </div>
            ))}
            {waiting !== null && (
              <div>
                <dt>waiting now</dt>
                <dd>{formatCount(waiting)}</dd>
              </div>
            )}
          </dl>
        )}
        <ProblemsContext.Provider value={problems}>
          <NodeProblems path={form.path} />
          <form className="node-form" aria-label={`Settings of ${node.id}`} onSubmit={(e) => e.preventDefault()}>
            {/* Keyed by node: typing not yet committed goes to the node it was typed for. A stopped journey, or a viewer's, is only read. */}
            <fieldset className="form-frame" disabled={readOnly}>
              <Form key={node.id} {...form} />
            </fieldset>
            <BranchLinks nodeId={node.id} registry={registry} disabled={readOnly} />
          </form>
        </ProblemsContext.Provider>
      </div>
    </aside>
  );
}

/** Problems about the node as a whole (a branch without an edge, "exactly one of"). */
function NodeProblems({ path }: { path: string }) {
  const problems = useProblems(path);
  return problems.length > 0 ? <FieldErrors problems={problems} /> : null;
}
