/**
 * Where each card goes: the journey's saved layout when it places every node, else a top-to-bottom layered
 * layout by dagre (the way journey canvases read: the trigger at the top, branches side by side). Every node
 * has a slot of one card's size; smaller cards (a delay's) sit centred in theirs, so links read straight.
 */
import { Graph, layout } from '@dagrejs/dagre';
import type { DefinitionLike } from './graph.ts';

export interface Point {
  x: number;
  y: number;
}

export const CARD_WIDTH = 280;
export const CARD_HEIGHT = 120;
/** Between one row of cards and the next, and between cards side by side. */
export const RANK_GAP = 72;
export const NODE_GAP = 56;
/** From one row's top to the next's, and one column's left to the next's. */
export const ROW = CARD_HEIGHT + RANK_GAP;
export const COLUMN = CARD_WIDTH + NODE_GAP;

export function layoutOf(definition: DefinitionLike, saved: Record<string, Point> | null | undefined): Record<string, Point> {
  if (saved && definition.nodes.length > 0 && definition.nodes.every((n) => isPoint(saved[n.id]))) return saved;
  return autoLayout(definition);
}

/** The layered layout of the whole journey, top-left corners of the slots, the top-left one at 0,0. */
export function autoLayout(definition: DefinitionLike): Record<string, Point> {
  const graph = new Graph({ multigraph: true });
  graph.setGraph({ rankdir: 'TB', ranksep: RANK_GAP, nodesep: NODE_GAP, marginx: 0, marginy: 0 });
  graph.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(definition.nodes.map((n) => n.id));
  for (const node of definition.nodes) graph.setNode(node.id, { width: CARD_WIDTH, height: CARD_HEIGHT });
  // Edges to nodes that do not exist would add phantom nodes; the server refuses them, but a page must not die.
  // dagre places the targets of a node's later edges further left: added last-branch first, they read in
  // branch order (Yes before No, A before B).
  const edges = definition.edges.map((e, i) => ({ e, i, rank: branchRank(definition, e) }));
  edges.sort((a, b) => b.rank - a.rank || b.i - a.i);
  for (const { e, i } of edges) {
    if (ids.has(e.from) && ids.has(e.to) && e.from !== e.to) graph.setEdge(e.from, e.to, {}, `e${i}`);
  }
  layout(graph);
  const positions: Record<string, Point> = {};
  for (const node of definition.nodes) {
    const { x = 0, y = 0 } = graph.node(node.id);
    positions[node.id] = { x: Math.round(x - CARD_WIDTH / 2), y: Math.round(y - CARD_HEIGHT / 2) };
  }
  // dagre's origin depends on the widest row; start at 0,0 so the same journey always lands the same.
  const minX = Math.min(...Object.values(positions).map((p) => p.x));
  const minY = Math.min(...Object.values(positions).map((p) => p.y));
  for (const p of Object.values(positions)) {
    p.x -= minX;
    p.y -= minY;
  }
  return positions;
}

/** The main way out first ("next", "yes"), then the other; an A/B split's variants in their order. */
const SECOND_WAYS = new Set(['no', 'timeout', 'unreachable', 'missed']);
function branchRank(definition: DefinitionLike, edge: DefinitionLike['edges'][number]): number {
  const branch = edge.branch ?? 'next';
  const from = definition.nodes.find((n) => n.id === edge.from);
  if (from?.kind === 'abSplit' && Array.isArray(from.variants)) return (from.variants as Array<{ name?: unknown }>).findIndex((v) => v.name === branch);
  return SECOND_WAYS.has(branch) ? 1 : 0;
}

export function isPoint(p: unknown): p is Point {
  return !!p && typeof p === 'object' && Number.isFinite((p as Point).x) && Number.isFinite((p as Point).y);
}
