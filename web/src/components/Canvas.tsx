import { Background, BackgroundVariant, Controls, MarkerType, MiniMap, ReactFlow, useNodesState, type Edge, type ReactFlowInstance } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Journey, Stats } from '../api/client.ts';
import { toArrows, toCards, type DefinitionLike } from '../lib/graph.ts';
import { CARD_HEIGHT, CARD_WIDTH, layoutOf, type Point } from '../lib/layout.ts';
import { initialViewport } from '../lib/viewport.ts';
import type { Registry } from '../lib/meta.ts';
import { JourneyNode, type JourneyFlowNode } from './JourneyNode.tsx';

const nodeTypes = { journey: JourneyNode };
const MINIMAP_COLOR: Record<string, string> = { entry: '#4f46e5', message: '#0284c7', time: '#d97706', branch: '#7c3aed', profile: '#0d9488', exit: '#64748b' };

/** The journey as a graph: read-only for now; zoom, pan and the minimap to find one's way. */
export function Canvas({ journey, stats, registry, onSelect }: { journey: Journey; stats: Stats | null; registry: Registry | null; onSelect: (id: string | null) => void }) {
  const definition = journey.draft as unknown as DefinitionLike;
  const [positions, setPositions] = useState<Record<string, Point> | null>(null);
  const frame = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let live = true;
    layoutOf(definition, journey.layout).then(
      (p) => live && setPositions(p),
      () => live && setPositions({}),
    );
    return () => {
      live = false;
    };
  }, [definition, journey.layout]);

  const cards = useMemo(() => toCards(definition, registry, stats?.nodes ?? []), [definition, registry, stats]);
  // Controlled through useNodesState: the measured sizes come back through onNodesChange, and the minimap
  // draws only nodes whose size it knows.
  const [nodes, setNodes, onNodesChange] = useNodesState<JourneyFlowNode>([]);
  useEffect(() => {
    setNodes(cards.map((card) => ({ id: card.id, type: 'journey', position: positions?.[card.id] ?? { x: 0, y: 0 }, data: { card, selected: false }, draggable: false })));
  }, [cards, positions, setNodes]);
  const edges: Edge[] = useMemo(
    () =>
      toArrows(definition, registry).map((a) => ({
        id: a.id,
        source: a.from,
        target: a.to,
        type: 'smoothstep',
        ...(a.label ? { label: a.label } : {}),
        className: a.label ? 'labelled' : undefined,
        markerEnd: { type: MarkerType.ArrowClosed, width: 18, height: 18, color: '#94a3b8' },
        labelBgPadding: [8, 4] as [number, number],
        labelBgBorderRadius: 6,
      })),
    [definition, registry],
  );

  // Start readable: the top of the journey in view at a zoom that keeps the text legible, not the whole
  // graph shrunk to fit; the minimap and pan show the rest.
  const onInit = useCallback(
    (flow: ReactFlowInstance<JourneyFlowNode, Edge>) => {
      const box = frame.current?.getBoundingClientRect();
      if (!box || !positions) return;
      void flow.setViewport(initialViewport(Object.values(positions), { width: CARD_WIDTH, height: CARD_HEIGHT }, { width: box.width, height: box.height }));
    },
    [positions],
  );

  if (positions === null) return <div className="canvas canvas-loading" aria-busy="true" aria-label="Laying out the journey" />;
  return (
    <div className="canvas" role="region" aria-label={`Canvas of ${journey.name}`} ref={frame}>
      <ReactFlow
        nodes={nodes}
        onNodesChange={onNodesChange}
        edges={edges}
        nodeTypes={nodeTypes}
        onInit={onInit}
        minZoom={0.2}
        maxZoom={1.75}
        nodesDraggable={false}
        nodesConnectable={false}
        edgesFocusable={false}
        onNodeClick={(_, node) => onSelect(node.id)}
        onPaneClick={() => onSelect(null)}
      >
        <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} color="#cbd5e1" />
        <Controls showInteractive={false} position="bottom-left" />
        <MiniMap pannable zoomable position="bottom-right" nodeColor={(n) => MINIMAP_COLOR[(n as JourneyFlowNode).data.card.tone] ?? '#94a3b8'} ariaLabel="Overview of the journey" />
      </ReactFlow>
    </div>
  );
}
