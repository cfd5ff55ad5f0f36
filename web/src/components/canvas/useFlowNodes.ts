/**
 * The editor's copy as React Flow nodes, rebuilt on every change (a drag changes the layout every frame) but
 * reusing each node object whose card, problems, place and selection did not change: React Flow then
 * renders again only the nodes that moved or changed, which keeps a journey of a hundred nodes smooth.
 */
import type { NodeChange } from '@xyflow/react';
import { useCallback, useMemo, useRef, useState } from 'react';
import type { Stats } from '../../api/client.ts';
import { NEXT, toCard, type Card, type DefinitionEdge, type DefinitionNode, type NodeCounts, type TrialCounts } from '../../lib/graph.ts';
import { CARD_HEIGHT, CARD_WIDTH, ROW, type Point } from '../../lib/layout.ts';
import type { Registry } from '../../lib/meta.ts';
import type { Problem } from '../../store/editor.ts';
import type { JourneyFlowNode, JourneyNodeData } from '../JourneyNode.tsx';

/** A compact card's size (canvas.css .node-compact): it sits centred in its node's slot. */
export const COMPACT_WIDTH = 220;
export const COMPACT_HEIGHT = 64;
const COMPACT_OFFSET: Point = { x: (CARD_WIDTH - COMPACT_WIDTH) / 2, y: (CARD_HEIGHT - COMPACT_HEIGHT) / 2 };
const NO_OFFSET: Point = { x: 0, y: 0 };
const NO_PROBLEMS: readonly Problem[] = [];

interface Input {
  nodes: readonly DefinitionNode[];
  edges: readonly DefinitionEdge[];
  layout: Record<string, Point>;
  selection: readonly string[];
  problems: Map<string, Problem[]>;
  registry: Registry | null;
  stats: Stats | null;
  /** A backtest's counts by node id, overlaid on the cards; null without one. */
  trials: ReadonlyMap<string, TrialCounts> | null;
  readOnly: boolean;
}

/** A node's card, and the figures it was drawn from: new figures for that node (and only those) draw it again. */
interface CachedCard {
  card: Card;
  counts: NodeCounts | undefined;
  trial: TrialCounts | null | undefined;
}

export function useFlowNodes({ nodes, edges, layout, selection, problems, registry, stats, trials, readOnly }: Input) {
  const cards = useRef({ registry, byNode: new WeakMap<DefinitionNode, CachedCard>() });
  const built = useRef(new Map<string, JourneyFlowNode>());
  const measured = useRef(new Map<string, { width: number; height: number }>());
  // The minimap draws a node only once the node object carries its measured size: a new size rebuilds it.
  const [sizes, setSizes] = useState(0);

  const flowNodes = useMemo(() => {
    if (cards.current.registry !== registry) cards.current = { registry, byNode: new WeakMap() };
    const counts = new Map((stats?.nodes ?? []).map((c) => [c.nodeId, c as NodeCounts]));
    const chosen = new Set(selection);
    const drawn = new Set(edges.map((e) => `${e.from}:${e.branch ?? NEXT}`));
    const previous = built.current;
    const next = new Map<string, JourneyFlowNode>();
    // A node the layout does not place (added by hand elsewhere) goes below the rest until it is moved.
    let spare = Math.max(0, ...Object.values(layout).map((p) => p.y));
    const result = nodes.map((node) => {
      // The stats slice keeps each node's figures the same object while they do not change (lib/share.ts).
      const nodeCounts = counts.get(node.id);
      const trial = trials ? (trials.get(node.id) ?? null) : undefined;
      let cached = cards.current.byNode.get(node);
      if (!cached || cached.counts !== nodeCounts || cached.trial !== trial) {
        cached = { card: toCard(node, registry, nodeCounts, trial), counts: nodeCounts, trial };
        cards.current.byNode.set(node, cached);
      }
      const card = cached.card;
      const slot = layout[node.id] ?? { x: 0, y: (spare += ROW) };
      const offset = card.compact ? COMPACT_OFFSET : NO_OFFSET;
      const position = { x: slot.x + offset.x, y: slot.y + offset.y };
      const nodeProblems = problems.get(node.id) ?? NO_PROBLEMS;
      const open = card.branches.filter((b) => !drawn.has(`${node.id}:${b.name}`)).map((b) => b.name).join(' ');
      const selected = chosen.has(node.id);
      const old = previous.get(node.id);
      const size = measured.current.get(node.id);
      const same = old && old.data.card === card && old.data.problems === nodeProblems && old.data.open === open && old.data.readOnly === readOnly;
      if (same && old.selected === selected && old.position.x === position.x && old.position.y === position.y && old.measured === size) {
        next.set(node.id, old);
        return old;
      }
      const data: JourneyNodeData = same ? old.data : { card, problems: nodeProblems, open, readOnly };
      const flowNode: JourneyFlowNode = {
        id: node.id,
        type: 'journey',
        position,
        data,
        selected,
        ariaLabel: ariaLabelOf(card, nodeProblems),
        ...(size ? { measured: size } : {}),
      };
      next.set(node.id, flowNode);
      return flowNode;
    });
    built.current = next;
    return result;
    // `sizes` stands for the measured sizes it reads from the ref.
  }, [nodes, edges, layout, selection, problems, registry, stats, trials, readOnly, sizes]);

  /** Sizes as React Flow measures them: kept so a node rebuilt later does not have to be measured again. */
  const noteSizes = useCallback((changes: NodeChange<JourneyFlowNode>[]) => {
    let changed = false;
    for (const change of changes) {
      if (change.type !== 'dimensions' || !change.dimensions) continue;
      const old = measured.current.get(change.id);
      if (old?.width === change.dimensions.width && old.height === change.dimensions.height) continue;
      measured.current.set(change.id, change.dimensions);
      changed = true;
    }
    if (changed) setSizes((n) => n + 1);
  }, []);

  /** The slot (what the layout stores) of a node drawn at a position. */
  const slotOf = useCallback((id: string, position: Point): Point => {
    const offset = built.current.get(id)?.data.card.compact ? COMPACT_OFFSET : NO_OFFSET;
    return { x: Math.round(position.x - offset.x), y: Math.round(position.y - offset.y) };
  }, []);

  return { nodes: flowNodes, noteSizes, slotOf };
}

function ariaLabelOf(card: Card, problems: readonly Problem[]): string {
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  const said = [errors > 0 && `${errors} ${errors === 1 ? 'problem' : 'problems'}`, warnings > 0 && `${warnings} ${warnings === 1 ? 'warning' : 'warnings'}`].filter(Boolean).join(', ');
  return `${card.title}: ${card.id}${card.summary ? `, ${card.summary}` : ''}${said ? `. ${said}` : ''}`;
}
