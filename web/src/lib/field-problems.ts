/**
 * Which of the server's problems a form field shows: those at its JSON pointer, or under it. The server's
 * paths index the draft it checked (`editor.checked`), and the copy may have moved on since (a node added
 * above): they are re-based onto the current draft by node id first (lib/problems.ts finds the node).
 */
import { nodeOfPath } from './problems.ts';

export interface PathProblem {
  path: string;
  message: string;
  /** A publish check's warning does not stop a save; anything else is an error. */
  severity?: 'error' | 'warning';
}

export interface FieldProblem {
  message: string;
  warning: boolean;
}

interface Ids {
  nodes: ReadonlyArray<{ id: string }>;
  edges: ReadonlyArray<{ from: string }>;
}

/**
 * The problems with `/nodes/i` paths moved to where that node is in `current`; those about a node the copy
 * no longer has are left out. Other paths (setup, goals, edges) stay as they are.
 */
export function rebase<P extends PathProblem>(problems: readonly P[], checked: Ids | null, current: Ids): P[] {
  if (!checked || checked === current) return [...problems];
  const index = new Map(current.nodes.map((n, i) => [n.id, i]));
  return problems.flatMap((p) => {
    const match = /^\/nodes\/(\d+)(\/.*)?$/.exec(p.path);
    if (!match) return [p];
    const id = nodeOfPath(checked, p.path);
    const at = id === null ? undefined : index.get(id);
    return at === undefined ? [] : [{ ...p, path: `/nodes/${at}${match[2] ?? ''}` }];
  });
}

/** Problems at `path` exactly. */
export function problemsAt<P extends PathProblem>(problems: readonly P[], path: string): P[] {
  return problems.filter((p) => p.path === path);
}

/** Problems at `path` or anywhere under it (`/nodes/3/where` holds `/nodes/3/where/0/value`). */
export function problemsWithin<P extends PathProblem>(problems: readonly P[], path: string): P[] {
  return problems.filter((p) => p.path === path || p.path.startsWith(`${path}/`));
}

/** Each message once, errors first: two checks can say the same thing of one field. */
export function fieldProblems(problems: readonly PathProblem[]): FieldProblem[] {
  const seen = new Set<string>();
  const out: FieldProblem[] = [];
  for (const p of [...problems].sort((a, b) => Number(a.severity === 'warning') - Number(b.severity === 'warning'))) {
    if (seen.has(p.message)) continue;
    seen.add(p.message);
    out.push({ message: p.message, warning: p.severity === 'warning' });
  }
  return out;
}
