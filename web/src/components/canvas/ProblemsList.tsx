import { nodeOfPath, type Problem } from '../../lib/problems.ts';
import { useStore } from '../../store/index.ts';
import type { CanvasActions } from './actions.ts';

const NONE: Problem[] = [];

/** What a problem is about, in words: its node, or the part of the journey its path names. */
function placeOf(draft: Parameters<typeof nodeOfPath>[0], path: string): { node: string | null; where: string } {
  const node = nodeOfPath(draft, path);
  if (node) return { node, where: node };
  const part = path.split('/')[1] ?? '';
  return { node: null, where: { setup: 'Journey settings', goals: 'Goals', name: 'Name', description: 'Description', edges: 'Links', nodes: 'Steps' }[part] ?? 'Journey' };
}

/** Focuses a node's card (after React Flow has drawn it), so the keyboard carries on from there. */
function focusNode(id: string) {
  window.requestAnimationFrame(() => document.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(id)}"]`)?.focus());
}

/**
 * Every problem the server finds in the copy, errors first: picking one selects its node, brings it into
 * view and focuses it. Escape closes the list.
 */
export function ProblemsList({ actions, onClose }: { actions: CanvasActions; onClose: () => void }) {
  const problems = useStore((s) => s.editor?.problems ?? NONE);
  const checked = useStore((s) => s.editor?.checked ?? s.editor?.current.draft ?? null);
  const select = useStore((s) => s.select);
  if (!checked) return null;
  const order = (p: Problem) => (p.source === 'validation' ? 0 : p.severity === 'error' ? 1 : 2);
  const sorted = [...problems].sort((a, b) => order(a) - order(b));
  return (
    <div
      className="problems-list"
      id="problems-list"
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        event.preventDefault();
        onClose();
      }}
    >
      {sorted.length === 0 ? (
        <p className="muted">Nothing to fix: the server finds no problem, and publishing would raise none.</p>
      ) : (
        <ul>
          {sorted.map((p, i) => {
            const { node, where } = placeOf(checked, p.path);
            const kind = p.source === 'validation' ? 'Cannot save' : p.severity === 'error' ? 'Blocks publishing' : 'Warning';
            return (
              <li key={i}>
                <button
                  type="button"
                  className={`problem-item severity-${p.severity}`}
                  disabled={!node}
                  onClick={() => {
                    if (!node) return;
                    select([node]);
                    actions.reveal(node);
                    focusNode(node);
                  }}
                >
                  <span className="problem-where">
                    <span className="problem-kind">{kind}</span> · {where}
                  </span>
                  <span className="problem-message">{p.message}</span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
