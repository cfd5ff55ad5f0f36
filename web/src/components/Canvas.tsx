import {
  Background,
  BackgroundVariant,
  Controls,
  MarkerType,
  MiniMap,
  ReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
  type ReactFlowInstance,
} from '@xyflow/react';
import { useCallback, useMemo, useRef, useState, type DragEvent } from 'react';
import type { Stats } from '../api/client.ts';
import { connect, type NewNode } from '../lib/edit.ts';
import { branchesOf, toArrows, trialCountsOf, type DefinitionLike } from '../lib/graph.ts';
import { CARD_HEIGHT, CARD_WIDTH, type Point } from '../lib/layout.ts';
import { kindLabel, type Registry } from '../lib/meta.ts';
import { initialViewport } from '../lib/viewport.ts';
import { problemsByNode } from '../lib/problems.ts';
import { useStore } from '../store/index.ts';
import { useCanvasActions } from './canvas/actions.ts';
import { PALETTE_MIME } from './canvas/Palette.tsx';
import { useCanvasKeys } from './canvas/useCanvasKeys.ts';
import { useFlowNodes } from './canvas/useFlowNodes.ts';
import { JourneyNode, type JourneyFlowNode } from './JourneyNode.tsx';
import '../styles/canvas.css';

const nodeTypes = { journey: JourneyNode };
const MINIMAP_COLOR: Record<string, string> = { entry: '#4f46e5', message: '#0284c7', time: '#d97706', branch: '#7c3aed', profile: '#0d9488', exit: '#64748b' };
const MARKER = { type: MarkerType.ArrowClosed, width: 18, height: 18, color: '#94a3b8' };
const NO_ARROWS: string[] = [];
const NO_PROBLEMS = new Map<string, never[]>();

/**
 * The journey being edited as a graph: cards from the editor's copy, dragged, connected branch by branch,
 * dropped in from the palette; zoom, pan and the minimap to find one's way. Every change is one step of the
 * editor slice (undoable); a drag moves the copy frame by frame without history, then records one step.
 */
export function Canvas({ name, stats, registry, readOnly }: { name: string; stats: Stats | null; registry: Registry | null; readOnly: boolean }) {
  const current = useStore((s) => s.editor!.current);
  const selection = useStore((s) => s.editor!.selection);
  const problems = useStore((s) => (s.editor ? problemsByNode(s.editor) : null));
  const { edit, select, moveWithoutHistory } = useStore.getState();
  const definition = current.draft as unknown as DefinitionLike;
  const frame = useRef<HTMLDivElement>(null);
  const actions = useCanvasActions();
  const [selectedArrows, setSelectedArrows] = useState<string[]>(NO_ARROWS);
  const clearArrows = useCallback(() => setSelectedArrows(NO_ARROWS), []);
  const setArrows = useCallback((ids: string[]) => setSelectedArrows(ids.length === 0 ? NO_ARROWS : ids), []);
  useCanvasKeys(frame, selectedArrows, setArrows, actions, readOnly);

  // A backtest of this journey's copy, overlaid on the cards (components/backtest).
  const trial = useStore((s) => (s.backtest?.result && s.backtest.journeyId === s.editor?.journeyId ? s.backtest : null));
  const trials = useMemo(() => (trial?.result ? trialCountsOf(trial.result.stats, trial.definition as unknown as DefinitionLike) : null), [trial]);
  const { nodes, noteSizes, slotOf } = useFlowNodes({ nodes: definition.nodes, edges: definition.edges, layout: current.layout, selection, problems: problems ?? NO_PROBLEMS, registry, stats, trials, readOnly });

  const edges: Edge[] = useMemo(() => {
    const chosen = new Set(selectedArrows);
    const ways = new Map(definition.nodes.map((n) => [n.id, new Set(branchesOf(n, registry).map((b) => b.name))]));
    return toArrows(definition, registry).map((a) => ({
      id: a.id,
      source: a.from,
      target: a.to,
      // A branch the node does not have (the server will say so) is drawn from its first handle.
      ...(ways.get(a.from)?.has(a.branch) ? { sourceHandle: a.branch } : {}),
      type: 'smoothstep',
      ...(a.label ? { label: a.label } : {}),
      className: a.label ? 'labelled' : undefined,
      selected: chosen.has(a.id),
      ariaLabel: `Link from ${a.from}${a.label ? ` (${a.label})` : ''} to ${a.to}`,
      markerEnd: MARKER,
      labelBgPadding: [8, 4] as [number, number],
      labelBgBorderRadius: 6,
    }));
  }, [definition, registry, selectedArrows]);

  const onNodesChange = useCallback(
    (changes: NodeChange<JourneyFlowNode>[]) => {
      noteSizes(changes);
      const editor = useStore.getState().editor;
      if (!editor) return;
      let layout: Record<string, Point> | null = null;
      let chosen: Set<string> | null = null;
      for (const change of changes) {
        if (change.type === 'position' && change.position && !readOnly) {
          layout ??= { ...editor.current.layout };
          layout[change.id] = slotOf(change.id, change.position);
        } else if (change.type === 'select') {
          chosen ??= new Set(editor.selection);
          if (change.selected) chosen.add(change.id);
          else chosen.delete(change.id);
        }
      }
      if (layout) moveWithoutHistory(layout);
      if (chosen && (chosen.size !== editor.selection.length || editor.selection.some((id) => !chosen.has(id)))) select([...chosen]);
    },
    [noteSizes, slotOf, moveWithoutHistory, select, readOnly],
  );

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    const picks = changes.filter((c) => c.type === 'select');
    if (picks.length === 0) return;
    setSelectedArrows((old) => {
      const next = new Set(old);
      for (const c of picks) if (c.selected) next.add(c.id);
      else next.delete(c.id);
      return next.size === 0 ? NO_ARROWS : [...next];
    });
  }, []);

  /** One history step per drag: the nodes moved, from where they were before it. */
  const onNodeDragStop = useCallback(() => {
    const editor = useStore.getState().editor;
    if (!editor?.moveStart) return;
    const before = editor.moveStart.layout;
    const moved = Object.keys(editor.current.layout).filter((id) => before[id]?.x !== editor.current.layout[id]!.x || before[id]?.y !== editor.current.layout[id]!.y);
    if (moved.length === 0) return edit('Move', () => editor.moveStart!);
    edit(moved.length === 1 ? `Move ${moved[0]}` : `Move ${moved.length} nodes`, (s) => s);
  }, [edit]);

  const onConnect = useCallback(
    ({ source, sourceHandle, target }: Connection) => {
      const from = definition.nodes.find((n) => n.id === source);
      const branch = sourceHandle ?? 'next';
      const label = from ? (branchesOf(from, registry).find((b) => b.name === branch)?.label ?? branch) : branch;
      edit(`Connect ${source} (${label}) to ${target}`, (s) => connect(s, source, branch, target));
    },
    [definition, registry, edit],
  );

  const isValidConnection = useCallback((c: Connection | Edge) => c.source !== c.target && definition.nodes.find((n) => n.id === c.target)?.kind !== 'entry', [definition]);

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(PALETTE_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, []);

  const flowRef = useRef<ReactFlowInstance<JourneyFlowNode, Edge> | null>(null);
  const onDrop = useCallback(
    (event: DragEvent) => {
      const raw = event.dataTransfer.getData(PALETTE_MIME);
      if (!raw || !flowRef.current || readOnly) return;
      event.preventDefault();
      let what: NewNode;
      try {
        const parsed = JSON.parse(raw) as { kind?: unknown; channel?: unknown };
        if (typeof parsed.kind !== 'string') return;
        what = { kind: parsed.kind, ...(typeof parsed.channel === 'string' ? { channel: parsed.channel } : {}) };
      } catch {
        return;
      }
      const at = flowRef.current.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      const label = what.channel ? (registry?.channels.find((c) => c.name === what.channel)?.label ?? what.channel) : kindLabel(what.kind, registry);
      actions.add(what, label, { x: at.x - CARD_WIDTH / 2, y: at.y - CARD_HEIGHT / 2 });
    },
    [actions, registry, readOnly],
  );

  // Start readable: the top of the journey in view at a zoom that keeps the text legible, not the whole
  // graph shrunk to fit; the minimap and pan show the rest.
  const onInit = useCallback((flow: ReactFlowInstance<JourneyFlowNode, Edge>) => {
    flowRef.current = flow;
    const box = frame.current?.getBoundingClientRect();
    const layout = useStore.getState().editor?.current.layout;
    if (!box || !layout) return;
    void flow.setViewport(initialViewport(Object.values(layout), { width: CARD_WIDTH, height: CARD_HEIGHT }, { width: box.width, height: box.height }));
  }, []);

  return (
    <div className="canvas" role="region" aria-label={`Canvas of ${name}`} ref={frame} onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow<JourneyFlowNode, Edge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onNodeDragStop={onNodeDragStop}
        onSelectionDragStop={onNodeDragStop}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        onInit={onInit}
        onPaneClick={() => {
          select([]);
          clearArrows();
        }}
        minZoom={0.2}
        maxZoom={1.75}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        edgesFocusable
        deleteKeyCode={null}
        disableKeyboardA11y
        selectionKeyCode="Shift"
        multiSelectionKeyCode={['Meta', 'Control']}
        connectionRadius={32}
      >
        <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} color="#cbd5e1" />
        <Controls showInteractive={false} position="bottom-left" />
        <MiniMap pannable zoomable position="bottom-right" nodeColor={(n) => MINIMAP_COLOR[(n as JourneyFlowNode).data.card.tone] ?? '#94a3b8'} ariaLabel="Overview of the journey" />
      </ReactFlow>
    </div>
  );
}
