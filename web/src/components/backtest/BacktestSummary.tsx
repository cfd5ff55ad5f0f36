import { formatCount } from '../../lib/format.ts';
import { backtestSummary, truncationNote } from '../../lib/node-figures.ts';
import { useStore } from '../../store/index.ts';
import '../../styles/backtest.css';

/**
 * One line: the legend of the striped figures on the cards, what the backtest replayed and found, and
 * "Clear"; under it, when so, that the replay was cut short or that the copy has changed since.
 */
export function BacktestSummary({ journeyId }: { journeyId: string }) {
  const backtest = useStore((s) => (s.backtest?.journeyId === journeyId && s.backtest.result ? s.backtest : null));
  // Edits after the run: the overlay is about the copy as it was sent.
  const stale = useStore((s) => !!backtest && s.editor?.journeyId === journeyId && s.editor.current.draft !== backtest.definition);
  const clearBacktest = useStore((s) => s.clearBacktest);
  if (!backtest) return null;
  const result = backtest.result!;
  const truncated = truncationNote(result);
  const period = backtest.days === 1 ? 'the last day' : `the last ${backtest.days} days`;
  return (
    <section className="backtest-summary" aria-label="Backtest result">
      <span className="trial-swatch" aria-hidden="true" />
      <span className="backtest-legend">
        <strong>Striped on the cards:</strong> this copy over {period}
      </span>
      <ul className="backtest-figures">
        {backtestSummary(result).map((f) => (
          <li key={f.label}>
            <strong>{formatCount(f.value)}</strong> {f.label}
          </li>
        ))}
      </ul>
      <button type="button" className="button small ghost backtest-clear" onClick={clearBacktest}>
        Clear backtest
      </button>
      {truncated && <p className="backtest-note warn">{truncated}</p>}
      {stale && <p className="backtest-note">The copy has changed since this backtest: run it again to see the change.</p>}
    </section>
  );
}
