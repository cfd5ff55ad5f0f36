/**
 * "Leads to": where each way out of the node goes, as a choice per branch. The same edit as connecting its
 * handle on the canvas, and the way to do it from the keyboard or a screen reader.
 */
import type { DefinitionLike } from '../lib/graph.ts';
import { arrowId, branchesOf } from '../lib/graph.ts';
import { connect, remove } from '../lib/edit.ts';
import type { Registry } from '../lib/meta.ts';
import { useStore } from '../store/index.ts';

const NEXT = 'next';

export function BranchLinks({ nodeId, registry, disabled }: { nodeId: string; registry: Registry | null; disabled: boolean }) {
  const draft = useStore((s) => s.editor?.current.draft) as unknown as DefinitionLike | undefined;
  const edit = useStore((s) => s.edit);
  const node = draft?.nodes.find((n) => n.id === nodeId);
  if (!draft || !node) return null;
  const branches = branchesOf(node, registry);
  if (branches.length === 0) return null;
  const targets = draft.nodes.filter((n) => n.id !== nodeId && n.kind !== 'entry').map((n) => n.id);
  const edgeOf = (branch: string) => draft.edges.find((e) => e.from === nodeId && (e.branch ?? NEXT) === branch);

  const choose = (branch: string, label: string, to: string) => {
    const old = edgeOf(branch);
    if (to === '') {
      if (old) edit(`Disconnect ${label}`, (s) => remove(s, [], [arrowId(old)]));
    } else {
      edit(`Connect ${label} to ${to}`, (s) => connect(s, nodeId, branch, to));
    }
  };

  return (
    <fieldset className="branch-links" disabled={disabled}>
      <legend>Leads to</legend>
      {branches.map((b) => {
        const id = `leads-${nodeId}-${b.name}`;
        const label = branches.length === 1 && b.name === NEXT ? 'Next step' : b.label;
        return (
          <div className="field" key={b.name}>
            <label htmlFor={id}>{label}</label>
            <select id={id} value={edgeOf(b.name)?.to ?? ''} onChange={(e) => choose(b.name, label, e.target.value)}>
              <option value="">{b.optional ? 'Nowhere (optional)' : 'Not connected'}</option>
              {targets.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </div>
        );
      })}
    </fieldset>
  );
}

