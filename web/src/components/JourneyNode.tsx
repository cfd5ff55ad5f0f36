import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { formatCount } from '../lib/format.ts';
import type { Card } from '../lib/graph.ts';

export type JourneyFlowNode = Node<{ card: Card; selected: boolean }, 'journey'>;

/** 16px line icons, one per tone: drawn, not font glyphs, so every system shows the same. */
const ICON: Record<Card['tone'], string> = {
  entry: 'M5 3.5v9l7-4.5z',
  message: 'M2.5 4.5h11v7h-11z M2.5 4.5l5.5 4 5.5-4',
  time: 'M8 2.5a5.5 5.5 0 1 0 0 11a5.5 5.5 0 1 0 0-11z M8 5v3.2l2.2 1.3',
  branch: 'M4 2.5v4.5c0 2 4 2 4 4v2.5 M12 2.5v4.5c0 2-4 2-4 4 M2.5 4l1.5-1.5 1.5 1.5 M10.5 4l1.5-1.5 1.5 1.5',
  profile: 'M8 3a2.5 2.5 0 1 0 0 5a2.5 2.5 0 1 0 0-5z M3 13.5c.6-2.6 2.6-4 5-4s4.4 1.4 5 4',
  exit: 'M4 13.5v-11 M4 3h7.5l-1.8 2.5 1.8 2.5h-7.5',
};

function Icon({ tone }: { tone: Card['tone'] }) {
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      <path d={ICON[tone]} fill={tone === 'entry' ? 'currentColor' : 'none'} />
    </svg>
  );
}

/** One card on the canvas: what the node is, what it does, and how many passed through. */
export const JourneyNode = memo(function JourneyNode({ data }: NodeProps<JourneyFlowNode>) {
  const { card } = data;
  return (
    <div className={`node-card tone-${card.tone}`} data-node-id={card.id}>
      {card.kind !== 'entry' && <Handle type="target" position={Position.Top} isConnectable={false} />}
      <div className="node-head">
        <span className="node-glyph">
          <Icon tone={card.tone} />
        </span>
        <span className="node-title">{card.title}</span>
      </div>
      <div className="node-id">{card.id}</div>
      {card.summary && <div className="node-summary">{card.summary}</div>}
      {card.stats.length > 0 && (
        <div className="node-stats">
          {card.stats.map((s) => (
            <span key={s.label} className={`node-stat stat-${s.label.replace(/\s+/g, '-')}`}>
              <strong>{formatCount(s.value)}</strong> {s.label}
            </span>
          ))}
        </div>
      )}
      {card.kind !== 'exit' && <Handle type="source" position={Position.Bottom} isConnectable={false} />}
    </div>
  );
});
