/**
 * Where each card goes: the journey's saved layout when it places every node, else a top-to-bottom layered
 * layout by elkjs (the way journey canvases read: the trigger at the top, branches side by side).
 */
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import type { DefinitionLike } from './graph.ts';

export interface Point {
  x: number;
  y: number;
}

export const CARD_WIDTH = 280;
export const CARD_HEIGHT = 120;

/** elkjs is most of the app's weight: loaded on the first canvas that needs it, not with the sign-in page. */
type Elk = { layout(graph: ElkNode): Promise<ElkNode> };
let elk: Promise<Elk> | null = null;
function loadElk(): Promise<Elk> {
  elk ??= import('elkjs/lib/elk.bundled.js').then((module) => {
    // A CommonJS module: its default export is the constructor, which also carries itself as `default`.
    const exported = module.default as unknown as (new () => Elk) & { default?: new () => Elk };
    return new (exported.default ?? exported)();
  });
  return elk;
}

export async function layoutOf(definition: DefinitionLike, saved: Record<string, Point> | undefined): Promise<Record<string, Point>> {
  if (saved && definition.nodes.length > 0 && definition.nodes.every((n) => isPoint(saved[n.id]))) return saved;
  const ids = new Set(definition.nodes.map((n) => n.id));
  const graph = await (await loadElk()).layout({
    id: 'journey',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.layered.spacing.nodeNodeBetweenLayers': '72',
      'elk.spacing.nodeNode': '56',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    },
    children: definition.nodes.map((n) => ({ id: n.id, width: CARD_WIDTH, height: CARD_HEIGHT })),
    // Edges to nodes that do not exist would make elk throw; the server refuses them, but a page must not die.
    edges: definition.edges.filter((e) => ids.has(e.from) && ids.has(e.to)).map((e, i) => ({ id: `e${i}`, sources: [e.from], targets: [e.to] })),
  });
  const positions: Record<string, Point> = {};
  for (const child of graph.children ?? []) positions[child.id] = { x: Math.round(child.x ?? 0), y: Math.round(child.y ?? 0) };
  return positions;
}

function isPoint(p: unknown): p is Point {
  return !!p && typeof p === 'object' && Number.isFinite((p as Point).x) && Number.isFinite((p as Point).y);
}
