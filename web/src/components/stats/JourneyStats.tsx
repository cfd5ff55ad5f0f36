import { useId, useState } from 'react';
import type { Stats } from '../../api/client.ts';
import { BacktestBar } from '../backtest/BacktestBar.tsx';
import { BacktestSummary } from '../backtest/BacktestSummary.tsx';
import { ConversionChart } from './ConversionChart.tsx';
import { LIVE_MS } from './useLiveStats.ts';
import { StatsStrip } from './StatsStrip.tsx';
import { UpliftCard } from './UpliftCard.tsx';
import { can } from '../../lib/roles.ts';
import { useStore } from '../../store/index.ts';
import '../../styles/stats.css';

/**
 * The journey's numbers over its canvas: every total in a strip, the backtest control, and on demand the
 * conversions-over-time chart and the comparison with the control group (kept folded so the canvas keeps
 * its room). A backtest is an editor's tool: a viewer sees the numbers only.
 */
export function JourneyStats({ journeyId, stats }: { journeyId: string; stats: Stats | null }) {
  const [open, setOpen] = useState(false);
  const panels = useId();
  const error = useStore((s) => (s.liveStats?.journeyId === journeyId ? s.liveStats.error : null));
  const canEdit = useStore((s) => can(s.role, 'edit'));
  return (
    <>
      <StatsStrip stats={stats} />
      <div className="stats-toolbar">
        {canEdit && <BacktestBar journeyId={journeyId} />}
        <div className="stats-toolbar-end">
          {error ? (
            <span className="live-note stale" title={error}>
              Not updating: {error}
            </span>
          ) : (
            <span className="live-note" title={`The figures are read again every ${LIVE_MS / 1000} seconds while this page is shown`}>
              <span className="live-dot" aria-hidden="true" />
              Live
            </span>
          )}
          <button type="button" className="button small" aria-expanded={open} aria-controls={open ? panels : undefined} onClick={() => setOpen(!open)}>
            {open ? 'Hide chart and uplift' : 'Chart and uplift'}
          </button>
        </div>
      </div>
      <BacktestSummary journeyId={journeyId} />
      {open && (
        <div className="stats-panels" id={panels}>
          <ConversionChart journeyId={journeyId} />
          <UpliftCard stats={stats} />
        </div>
      )}
    </>
  );
}
