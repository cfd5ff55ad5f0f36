import { Handle, Position, useUpdateNodeInternals, type Node, type NodeProps } from '@xyflow/react';
import { memo, useEffect, useRef } from 'react';
import { formatCount } from '../lib/format.ts';
import type { Card, CardStat } from '../lib/graph.ts';
import type { Problem } from '../store/editor.ts';
import '../styles/backtest.css';
import '../styles/stats.css';

export interface JourneyNodeData extends Record<string, unknown> {
  card: Card;
  /** Its problems from the server's checks; the same array while they do not change. */
  problems: readonly Problem[];
  /** Its ways out that lead nowhere yet, by name, space-separated: their handles say what they are. */
  open: string;
  readOnly: boolean;
}
export type JourneyFlowNode = Node<JourneyNodeData, 'journey'>;

/** 16px line icons, one per tone: drawn, not font glyphs, so every system shows the same. */
const ICON: Record<Card['tone'], string> = {
  entry: 'M5 3.5v9l7-4.5z',
  message: 'M2.5 4.5h11v7h-11z M2.5 4.5l5.5 4 5.5-4',
  time: 'M8 2.5a5.5 5.5 0 1 0 0 11a5.5 5.5 0 1 0 0-11z M8 5v3.2l2.2 1.3',
  branch: 'M4 2.5v4.5c0 2 4 2 4 4v2.5 M12 2.5v4.5c0 2-4 2-4 4 M2.5 4l1.5-1.5 1.5 1.5 M10.5 4l1.5-1.5 1.5 1.5',
  profile: 'M8 3a2.5 2.5 0 1 0 0 5a2.5 2.5 0 1 0 0-5z M3 13.5c.6-2.6 2.6-4 5-4s4.4 1.4 5 4',
  exit: 'M4 13.5v-11 M4 3h7.5l-1.8 2.5 1.8 2.5h-7.5',
};

export function Icon({ tone }: { tone: Card['tone'] }) {
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      <path d={ICON[tone]} fill={tone === 'entry' ? 'currentColor' : 'none'} />
    </svg>
  );
}

/** A backtest's figures for the node: striped, apart from the live ones (components/backtest has the legend). */
function TrialFigures({ stats }: { stats: CardStat[] }) {
  return (
    <div className="node-trial">
      <span className="node-trial-label">Backtest</span>
      {stats.map((s) => (
        <span key={s.label} className="trial-stat">
          <strong>{formatCount(s.value)}</strong> {s.label}
        </span>
      ))}
    </div>
  );
}

/**
 * One card on the canvas: what the node is, what it does, how many passed through and are there now, why
 * messages were skipped, what a backtest says it would have done, what is wrong with it,
 * and one handle per way out (a way not connected yet says which it is; a link says it on its label). A delay is a small card on the link.
 * Memoized: while one card is dragged, the others do not render again.
 */
export const JourneyNode = memo(function JourneyNode({ id, data }: NodeProps<JourneyFlowNode>) {
  const { card, problems, open, readOnly } = data;
  const unconnected = new Set(open.split(' '));
  const errors = problems.filter((p) => p.severity === 'error').length;
  const ways = card.branches.map((b) => b.name).join(' ');
  const updateInternals = useUpdateNodeInternals();
  // A variant added or renamed moves the handles: the links must attach to the new ones. Not on mount, when
  // React Flow measures the card anyway (a hundred cards would each be measured again, one frame apiece).
  const drawnWays = useRef(ways);
  useEffect(() => {
    if (drawnWays.current === ways) return;
    drawnWays.current = ways;
    updateInternals(id);
  }, [id, ways, updateInternals]);

  const stats =
    card.stats.length > 0
      ? card.stats.map((s) => (
          <span key={s.label} className={`node-stat stat-${s.label.replace(/\s+/g, '-')}`}>
            <strong>{formatCount(s.value)}</strong> {s.label}
          </span>
        ))
      : null;
  const state = errors > 0 ? ' has-errors' : problems.length > 0 ? ' has-warnings' : '';
  return (
    <div className={`node-card tone-${card.tone}${card.compact ? ' node-compact' : ''}${state}`} data-node-id={card.id}>
      {card.kind !== 'entry' && <Handle type="target" position={Position.Top} isConnectable={!readOnly} />}
      {card.waiting && (
        <span className="node-waiting">
          <span className="live-dot" aria-hidden="true" />
          {card.waiting}
        </span>
      )}
      <div className="node-head">
        <span className="node-glyph">
          <Icon tone={card.tone} />
        </span>
        {card.compact ? <span className="node-summary">{card.summary}</span> : <span className="node-title">{card.title}</span>}
        {problems.length > 0 && (
          <span className="node-problem-count" aria-hidden="true">
            {problems.length}
          </span>
        )}
      </div>
      {card.compact ? (
        <div className="node-meta">
          <span className="node-id">{card.id}</span>
          {stats}
        </div>
      ) : (
        <>
          <div className="node-id">{card.id}</div>
          {card.summary && <div className="node-summary">{card.summary}</div>}
          {stats && <div className="node-stats">{stats}</div>}
          {card.skips && (
            <div className="node-skips" title={card.skipsTitle ?? undefined}>
              {card.skips}
            </div>
          )}
        </>
      )}
      {card.trial && <TrialFigures stats={card.trial} />}
      {problems.length > 0 && (
        <div className="node-problems" role="tooltip">
          <ul>
            {problems.map((p, i) => (
              <li key={i} className={`severity-${p.severity}`}>
                {p.source === 'publish' && <span className="problem-kind">{p.severity === 'error' ? 'Blocks publishing: ' : 'Warning: '}</span>}
                {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {card.branches.map((b, i) => {
        const left = `${((i + 1) / (card.branches.length + 1)) * 100}%`;
        return (
          <div key={b.name}>
            <Handle type="source" id={b.name} position={Position.Bottom} style={{ left }} className={b.optional ? 'optional' : undefined} isConnectable={!readOnly} title={`Drag to connect “${b.label}”`} />
            {card.branches.length > 1 && unconnected.has(b.name) && (
              <span className="handle-label" style={{ left }} aria-hidden="true">
                {b.label}
              </span>
            )}
          </div>
        );
      })}
    </div>
  );
});
