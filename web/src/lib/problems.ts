/**
 * The problems the server finds in the editor's copy (POST /v1/journeys/validate), and which node each is
 * about. Structural types, so this is tested without the generated client.
 */

export interface Problem {
  /** A JSON pointer into the definition: "/nodes/3/duration". */
  path: string;
  message: string;
  /** validation: the server refuses to save the copy; publish: a publish check (errors refuse the publish). */
  source: 'validation' | 'publish';
  severity: 'error' | 'warning';
}

/** What these read of a draft: the ids of its nodes and where its edges leave from. */
interface Ids {
  nodes: ReadonlyArray<{ id: string }>;
  edges: ReadonlyArray<{ from: string }>;
}

/** What these read of the editor (store/editor.ts). */
export interface Checked {
  current: { draft: Ids };
  problems: Problem[];
  /** The draft the problems are about: their paths index its nodes and edges. */
  checked: Ids | null;
}

const byNodeCache = new WeakMap<Problem[], { nodes: unknown; map: Map<string, Problem[]> }>();

/**
 * Every node's problems at once (for a canvas of many nodes): by the node its path names in the draft that
 * was checked (so a node removed or moved in the list since keeps its own), or, for an edge's problem, the
 * node the edge leaves. Computed once per answer of the server and list of nodes.
 */
export function problemsByNode(editor: Checked): Map<string, Problem[]> {
  const { nodes } = editor.current.draft;
  const cached = byNodeCache.get(editor.problems);
  if (cached && cached.nodes === nodes) return cached.map;
  const map = new Map<string, Problem[]>();
  const present = new Set(nodes.map((n) => n.id));
  for (const problem of editor.problems) {
    const id = nodeOfPath(editor.checked ?? editor.current.draft, problem.path);
    if (id === null || !present.has(id)) continue;
    map.set(id, [...(map.get(id) ?? []), problem]);
  }
  byNodeCache.set(editor.problems, { nodes, map });
  return map;
}

/** The node a problem's path is about: "/nodes/3/..." names the fourth node, "/edges/5/..." the node edge 5 leaves. */
export function nodeOfPath(draft: Ids, path: string): string | null {
  const [, list, index] = path.split('/');
  if (index === undefined || !/^\d+$/.test(index)) return null;
  const at = Number(index);
  const id = list === 'nodes' ? draft.nodes[at]?.id : list === 'edges' ? draft.edges[at]?.from : undefined;
  return typeof id === 'string' ? id : null;
}

/** Why the copy cannot be saved now, or null: the server refuses a draft with validation problems. */
export function saveBlocker(editor: Pick<Checked, 'problems'>): string | null {
  const invalid = editor.problems.filter((p) => p.source === 'validation').length;
  if (invalid === 0) return null;
  return `Fix ${invalid === 1 ? 'the problem' : `the ${invalid} problems`} first: the server does not save a draft that does not validate.`;
}
